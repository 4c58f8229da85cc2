from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.public.models import COMMENT_MAX_LENGTH, WHAT_MAX_LENGTH, WHAT_MIN_LENGTH, Concern


class ServiceErrorsForm(forms.Form):
    def apply_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest above the form)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


def _area(rows: int, maxlength: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("School name or BIN"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )


class ConcernForm(ServiceErrorsForm):
    what = forms.CharField(
        label=_("What worries you"),
        min_length=WHAT_MIN_LENGTH,
        max_length=WHAT_MAX_LENGTH,
        widget=_area(5, WHAT_MAX_LENGTH),
        help_text=_("Describe what you saw, e.g. the gate stands open during lessons. Please give no names."),
    )
    where = forms.CharField(
        label=_("Where"),
        max_length=200,
        help_text=_("e.g. the back gate, the sports ground, the main entrance"),
    )
    when = forms.CharField(
        label=_("When"),
        max_length=100,
        help_text=_("e.g. every morning around 8:00, or the date you noticed it"),
    )
    contact = forms.CharField(
        label=_("Your phone or e-mail (optional)"),
        max_length=200,
        required=False,
        help_text=_("Only the district police see it, in case they need to ask you something."),
    )
    # A trap for robots: hidden from people by the stylesheet, filled in by scripts that fill everything.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("Leave this field empty."))
        return ""


class StatusForm(forms.Form):
    ref = forms.CharField(
        label=_("Reference number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"placeholder": "Q-XXXX-XXXX", "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class ConcernFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(Concern.Status.choices)
    )


class NoteForm(ServiceErrorsForm):
    comment = forms.CharField(
        label=_("Note"), max_length=COMMENT_MAX_LENGTH, widget=_area(3, COMMENT_MAX_LENGTH)
    )


class DismissForm(ServiceErrorsForm):
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        max_length=COMMENT_MAX_LENGTH,
        widget=_area(3, COMMENT_MAX_LENGTH),
        help_text=_("e.g. not a safety matter, a duplicate of another concern, not this school"),
    )


class CloseForm(ServiceErrorsForm):
    comment = forms.CharField(
        label=_("What was done"), max_length=COMMENT_MAX_LENGTH, widget=_area(3, COMMENT_MAX_LENGTH)
    )


class InspectionForm(ServiceErrorsForm):
    reason = forms.CharField(
        label=_("Reason for the inspection"),
        max_length=COMMENT_MAX_LENGTH,
        widget=_area(2, COMMENT_MAX_LENGTH),
        help_text=_("The school sees the reason once the results are approved: give no reporter's details."),
    )
    planned_on = forms.DateField(
        label=_("Planned date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today if left empty."),
    )

    def clean_planned_on(self):
        day = self.cleaned_data.get("planned_on")
        if day is not None and day < timezone.localdate():
            raise ValidationError(_("Choose today or a later date."))
        return day
