"""The oversight pages' forms, which the API reads its query and body through too."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qorgau.accounts.scoping import scope_for, visible
from qorgau.inspections import selectors as inspection_selectors
from qorgau.inspections.forms import ErrorsMixin, InspectorChoiceField
from qorgau.oversight import budget
from qorgau.registry.forms import DateInput
from qorgau.registry.models import District, SizeTier

MAX_PLANNED = 200


class DistrictFilterForm(forms.Form):
    """A list's filters over the districts the user sees: other bad values are ignored, but a district the
    user does not see is a 404, as one that does not exist."""

    district = forms.ModelChoiceField(
        label=gettext_lazy("District"), queryset=District.objects.none(), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = visible(user, District)
        self.fields["district"].empty_label = gettext_lazy("All districts")

    def filters(self) -> dict:
        """The selector's filters: `district_id` and the subclass's `more()`."""
        if not self.is_bound:
            return {}
        self.is_valid()  # the valid fields stay in cleaned_data
        if "district" in self.errors:
            raise Http404
        district = self.cleaned_data.get("district")
        return {"district_id": district.pk if district else None, **self.more(self.cleaned_data)}

    def more(self, data: dict) -> dict:
        return {}


class RiskFilterForm(DistrictFilterForm):
    tier = forms.ChoiceField(label=gettext_lazy("Size tier"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["tier"].choices = [("", gettext_lazy("All tiers")), *SizeTier.choices]

    def more(self, data: dict) -> dict:
        return {"size_tier": data.get("tier") or ""}


class PlanForm(ErrorsMixin, forms.Form):
    """A campaign over the first N schools of the ranking as it is filtered."""

    n = forms.IntegerField(
        label=gettext_lazy("How many schools"), min_value=1, max_value=MAX_PLANNED, initial=10,
        help_text=gettext_lazy("The first schools of the list, as it is filtered."),
    )  # fmt: skip
    name = forms.CharField(label=gettext_lazy("Campaign name"), max_length=200)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DateInput())
    inspector = InspectorChoiceField(label=gettext_lazy("Inspector"), queryset=None, required=False)

    def __init__(self, *args, user=None, district_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["name"].initial = _("Risk-based checks, %(date)s") % {"date": today.strftime("%d.%m.%Y")}
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + dt.timedelta(days=30)
        inspectors = inspection_selectors.district_inspectors(user=user, district_id=district_id)
        self.fields["inspector"].queryset = inspectors
        self.fields["inspector"].empty_label = _("Assign later")
        if scope_for(user).level == "city" and not district_id:
            self.fields["inspector"].help_text = _("Choose a district above to assign one of its inspectors.")


class BudgetFilterForm(DistrictFilterForm):
    window = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["window"].choices = [("", gettext_lazy("Any deadline")), *budget.WINDOWS.items()]

    def more(self, data: dict) -> dict:
        return {"window": data.get("window") or ""}
