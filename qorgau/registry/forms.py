"""Page forms. They only shape input; the services validate and write, so pages and API share every rule."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model, model_to_dict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import visible
from qorgau.registry.models import (
    EQUIPMENT_MODELS,
    District,
    EquipmentStatus,
    GuardContract,
    School,
    SecurityFirm,
    SizeTier,
)
from qorgau.registry.selectors import EQUIPMENT_LINKS, MISSING_FILTERS
from qorgau.registry.services import CONTRACT_FIELDS, FIRM_FIELDS, SCHOOL_FIELDS, equipment_fields


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _widgets(fields: dict) -> dict:
    for field in fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DateInput()
    return fields


class ServiceForm(forms.Form):
    """A form whose fields mirror a model's; `apply_errors` puts a service's ValidationError on the fields."""

    model = None
    field_names: tuple[str, ...] = ()

    def __init__(self, *args, instance=None, user=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = model_to_dict(instance, fields=self.field_names)
        super().__init__(*args, **kwargs)
        self.fields.update(_widgets(fields_for_model(self.model, fields=self.field_names)))
        self.user = user

    def apply_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class SchoolForm(ServiceForm):
    model = School
    field_names = SCHOOL_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = visible(self.user, District)


def equipment_form_class(model) -> type[ServiceForm]:
    names = equipment_fields(model)

    class EquipmentForm(ServiceForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "firm" in self.fields:
                self.fields["firm"].queryset = visible(self.user, SecurityFirm)

    EquipmentForm.model = model
    EquipmentForm.field_names = names
    return EquipmentForm


class ContractForm(ServiceForm):
    model = GuardContract
    field_names = CONTRACT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = visible(self.user, SecurityFirm)


class FirmForm(ServiceForm):
    model = SecurityFirm
    field_names = FIRM_FIELDS


class SchoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    tier = forms.ChoiceField(label=_("Size tier"), required=False)
    missing = forms.ChoiceField(label=_("Equipment"), required=False)
    # From a dashboard: inspected (or not) in the period given by "from", "to" and "campaign".
    inspected = forms.ChoiceField(label=_("Inspected"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["district"].queryset = visible(user, District)
        self.fields["district"].empty_label = _("All districts")
        self.fields["tier"].choices = [("", _("All tiers")), *SizeTier.choices]
        self.fields["missing"].choices = [("", _("Any equipment")), *MISSING_FILTERS.items()]
        self.fields["inspected"].choices = [
            ("", _("Inspected or not")),
            ("yes", _("Inspected in the period")),
            ("no", _("Not inspected in the period")),
        ]

    def _inspected(self, value: str):
        """(True/False, the dashboard's filters) when the list is narrowed to schools (not) inspected."""
        if not value:
            return None
        from qorgau.oversight.selectors import parse_filters

        period, _form = parse_filters(user=self.user, params=self.data)
        return value == "yes", period

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "district_id": data["district"].pk if data.get("district") else None,
            "size_tier": data.get("tier") or "",
            "missing": data.get("missing") or "",
            "inspected": self._inspected(data.get("inspected") or ""),
        }


class EquipmentFilterForm(forms.Form):
    """The equipment list's filters. An unknown kind is a 404 (the view's); other bad values are ignored."""

    kind = forms.ChoiceField(label=_("Equipment"), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    tier = forms.ChoiceField(label=_("Size tier"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    link = forms.ChoiceField(label=_("Connection"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind, capfirst(model._meta.verbose_name_plural)) for kind, model in EQUIPMENT_MODELS.items()
        ]
        self.fields["district"].queryset = visible(user, District)
        self.fields["district"].empty_label = _("All districts")
        self.fields["tier"].choices = [("", _("All tiers")), *SizeTier.choices]
        self.fields["status"].choices = [("", _("Any status")), *EquipmentStatus.choices]
        self.kind = self.data.get("kind") or "panic-buttons"
        self.model = EQUIPMENT_MODELS.get(self.kind)  # None: no such kind (the view's 404)
        link = EQUIPMENT_LINKS.get(self.model)
        self.fields["link"].choices = [("", _("Connected or not"))] + (
            [("yes", link.yes), ("no", link.no)] if link else []
        )

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})  # none when unbound: no filter
        return {
            "district_id": data["district"].pk if data.get("district") else None,
            "size_tier": data.get("tier") or "",
            "status": data.get("status") or "",
            "link": data.get("link") or "",
        }


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
