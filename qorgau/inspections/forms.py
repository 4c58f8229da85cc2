"""Forms of the planning and review pages. They only shape input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.models import Role
from qorgau.accounts.scoping import scope_for, visible
from qorgau.checklists.models import AnswerKind, TemplateVersion
from qorgau.inspections import selectors
from qorgau.inspections.models import Campaign, Inspection
from qorgau.registry.forms import DateInput
from qorgau.registry.models import CameraZone, District, School

ASSIGNABLE = (Inspection.Status.PLANNED, Inspection.Status.IN_PROGRESS, Inspection.Status.RETURNED)


class ErrorsMixin:
    """Put a service's ValidationError on the fields it names, the rest above the form."""

    def apply_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        if obj.role == Role.DISTRICT_CHIEF:
            return f"{obj.display_name} ({_('chief')})"
        return obj.display_name


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        published = timezone.localtime(obj.published_at).strftime("%d.%m.%Y") if obj.published_at else ""
        return _("%(template)s, version %(number)s (published %(date)s)") % {
            "template": obj.template.name,
            "number": obj.number,
            "date": published,
        }


class CampaignForm(ErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts"), queryset=District.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    template_version = VersionChoiceField(
        label=_("Checklist version"), queryset=TemplateVersion.objects.none(), empty_label=None
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = visible(user, District).order_by("name_ru")
        # Only published versions may be used; the newest is offered first and chosen by default.
        versions = (
            visible(user, TemplateVersion)
            .filter(status=TemplateVersion.Status.PUBLISHED)
            .select_related("template")
            .order_by("-published_at", "-number", "-id")
        )
        self.fields["template_version"].queryset = versions
        self.fields["template_version"].initial = versions.first()
        self.fields["template_version"].help_text = _("Only published versions can be used.")


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    unassigned = forms.BooleanField(label=_("Only without an inspector"), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)

    def __init__(self, *args, user=None, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Inspection.Status.choices]
        if scope_for(user).level == "city":
            self.fields["district"].queryset = visible(user, District).filter(campaigns=campaign)
            self.fields["district"].empty_label = _("All districts")
        else:
            del self.fields["district"]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data.get("status") or "",
            "unassigned": bool(data.get("unassigned")),
            "district_id": data["district"].pk if data.get("district") else None,
        }


class AssignForm(ErrorsMixin, forms.Form):
    """The bulk action of a campaign page: one inspector (and a date) for the ticked schools."""

    inspections = forms.ModelMultipleChoiceField(
        label=_("Schools"),
        queryset=Inspection.objects.none(),
        error_messages={
            "required": _("Tick at least one school."),
            "invalid_choice": _("Some of the ticked schools can no longer be assigned."),
            "invalid_pk_value": _("Some of the ticked schools can no longer be assigned."),
        },
    )
    inspector = InspectorChoiceField(label=_("Inspector"), queryset=None)
    planned_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())

    def __init__(self, *args, user=None, campaign: Campaign | None = None, district_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only rows the user sees, of the district whose inspectors are offered, not yet submitted.
        rows = selectors.campaign_inspections(user=user, campaign=campaign, district_id=district_id)
        self.fields["inspections"].queryset = rows.filter(status__in=ASSIGNABLE)
        self.fields["inspector"].queryset = selectors.district_inspectors(user=user, district_id=district_id)
        self.fields["inspector"].empty_label = _("Choose an inspector")
        if campaign is not None:
            self.fields["planned_on"].widget.attrs.update(
                min=campaign.starts_on.isoformat(), max=campaign.ends_on.isoformat()
            )


class InspectionFilterForm(forms.Form):
    """Filters of the inspection list. For an inspector the defaults are "mine, not approved"."""

    OPEN = "open"
    MINE = "me"
    NOBODY = "none"

    q = forms.CharField(label=_("School"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    inspector = forms.ChoiceField(label=_("Inspector"), required=False)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)

    def __init__(self, data=None, *, user=None, **kwargs):
        self.user = user
        self.is_inspector = user.role == Role.INSPECTOR
        # An inspector opens the page on "my inspections, not approved yet" (also on the next pages,
        # whose links carry only the page number); once any filter is sent, it is taken as sent.
        if self.is_inspector and not (set(data or {}) & set(self.base_fields)):
            data = {"status": self.OPEN, "inspector": self.MINE}
        super().__init__(data or {}, **kwargs)
        self.fields["status"].choices = [
            ("", _("Any status")),
            (self.OPEN, _("Not approved yet")),
            *Inspection.Status.choices,
        ]
        self.inspectors = list(selectors.district_inspectors(user=user))
        inspector_choices = [("", _("Anyone"))]
        if user.role in (Role.INSPECTOR, Role.DISTRICT_CHIEF):
            inspector_choices.append((self.MINE, _("Me")))
        inspector_choices.append((self.NOBODY, _("Not assigned")))
        inspector_choices += [(str(u.pk), u.display_name) for u in self.inspectors if u.pk != user.pk]
        self.fields["inspector"].choices = inspector_choices
        self.fields["campaign"].queryset = visible(user, Campaign).order_by("-starts_on", "id")
        self.fields["campaign"].empty_label = _("Any campaign")
        if scope_for(user).level == "city":
            self.fields["district"].queryset = visible(user, District)
            self.fields["district"].empty_label = _("All districts")
        else:
            del self.fields["district"]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"mine": self.is_inspector, "open_only": self.is_inspector}
        data = self.cleaned_data
        chosen = data.get("inspector") or ""
        inspector = next((u for u in self.inspectors if str(u.pk) == chosen), None)
        status = data.get("status") or ""
        return {
            "q": (data.get("q") or "").strip(),
            "status": "" if status == self.OPEN else status,
            "open_only": status == self.OPEN,
            "mine": chosen == self.MINE,
            "unassigned": chosen == self.NOBODY,
            "inspector": inspector,
            "campaign_id": data["campaign"].pk if data.get("campaign") else None,
            "district_id": data["district"].pk if data.get("district") else None,
            "approved_in": self._approved_in(),
        }

    def _approved_in(self):
        """From a dashboard: "from", "to" (and "tier") narrow the list to what the dashboard counted."""
        if not {"from", "to", "tier"} & set(self.data):
            return None
        from qorgau.oversight.selectors import parse_filters

        return parse_filters(user=self.user, params=self.data)[0]


class InspectionCreateForm(ErrorsMixin, forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Inspection.Kind.ADHOC, Inspection.Kind.ADHOC.label),
            (Inspection.Kind.FOLLOW_UP, Inspection.Kind.FOLLOW_UP.label),
        ],
        initial=Inspection.Kind.ADHOC,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. a complaint from parents, or a check of fixes after an order."),
    )
    planned_on = forms.DateField(label=_("Date"), widget=DateInput())
    inspector = InspectorChoiceField(label=_("Inspector"), queryset=None, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = visible(user, School).order_by("name_ru", "id")
        self.fields["school"].empty_label = _("Choose a school")
        self.fields["inspector"].queryset = selectors.district_inspectors(user=user)
        self.fields["inspector"].empty_label = _("Not assigned yet")
        self.fields["planned_on"].initial = timezone.localdate()
        if user.role == Role.INSPECTOR:
            self.fields["inspector"].initial = user.pk


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(ErrorsMixin, forms.Form):
    comment = forms.CharField(
        label=_("What must be reworked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what must be reworked.")},
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]
YES_NO_NA = [*YES_NO, ("na", _("Not applicable"))]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self):
        super().__init__(attrs={"step": 1}, format="%H:%M:%S")


def _raw_fields(kind: str) -> dict[str, forms.Field]:
    """The raw fields an answer kind needs, named as `checklists.answers.evaluate` reads them."""

    def text(label, **kw):
        return forms.CharField(label=label, required=False, **kw)

    def choice(label, choices):
        return forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)

    def number(label):
        return text(label, widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    if kind == AnswerKind.YES_NO:
        return {"value": choice(_("Answer"), YES_NO)}
    if kind == AnswerKind.YES_NO_NA:
        return {"value": choice(_("Answer"), YES_NO_NA)}
    if kind == AnswerKind.NUMBER:
        return {"value": text(_("Value"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))}
    if kind == AnswerKind.DATE:
        return {
            "value": text(_("Date"), widget=DateInput()),
            "none": forms.BooleanField(label=_("Never done"), required=False),
        }
    if kind == AnswerKind.PANIC_TEST:
        return {
            "received": choice(_("The console received the signal"), YES_NO),
            "pressed_at": text(_("Pressed at"), widget=TimeInput()),
            "acknowledged_at": text(_("Acknowledged at"), widget=TimeInput()),
            "arrived_at": text(_("Crew arrived at"), widget=TimeInput()),
        }
    if kind == AnswerKind.CAMERA_SURVEY:
        return {
            "total": number(_("Cameras in total")),
            "working": number(_("Cameras working")),
            "zones_not_covered": forms.MultipleChoiceField(
                label=_("Zones not covered"),
                choices=CameraZone.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            ),
        }
    if kind == AnswerKind.ENTRY_TEST:
        return {
            "stopped": choice(_("The attempt was stopped"), YES_NO),
            "notes": text(_("Notes"), widget=forms.Textarea(attrs={"rows": 2})),
        }
    if kind == AnswerKind.STAFF_INTERVIEW:
        return {"asked": number(_("Staff asked")), "correct": number(_("Answered correctly"))}
    return {}


class AmendForm(ErrorsMixin, forms.Form):
    """A correction of an approved answer: the same raw fields the answer kind needs, and a reason."""

    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for the amendment.")},
    )

    def __init__(self, *args, item=None, answer=None, **kwargs):
        raw_fields = _raw_fields(item.answer_kind)
        if answer is not None and "initial" not in kwargs:
            kwargs["initial"] = {k: v for k, v in (answer.value or {}).items() if k in raw_fields}
        super().__init__(*args, **kwargs)
        self.raw_names = list(raw_fields)
        # The answer's own fields first, the reason last.
        self.fields = {**raw_fields, **self.fields}

    @property
    def raw_fields(self):
        return [self[name] for name in self.raw_names]

    def raw(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.raw_names}
