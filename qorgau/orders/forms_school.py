"""The school's forms: confirm receipt, report a fix with evidence, ask for more time.

They only shape input; the services validate and write. The report form checks every evidence file with the
service's own check, so the school sees what is wrong with each file at once, not only with the first.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qorgau.orders.evidence import EVIDENCE_MAX_FILES, check_evidence, check_total


class ServiceErrorsForm(forms.Form):
    def apply_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest above the form)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class AcknowledgeForm(ServiceErrorsForm):
    name = forms.CharField(
        label=_("Received by (full name)"),
        max_length=200,
        help_text=_("The person at the school who received the order, usually the head."),
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files under one name (the template offers a camera input and a file input, both "files")."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


def max_mb() -> int:
    return settings.EVIDENCE_MAX_BYTES // 2**20


class ReportForm(ServiceErrorsForm):
    comment = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("For example: the fence was repaired on 12 May, a contract with the firm was signed."),
    )
    files = EvidenceField(
        label=_("Photos and documents"),
        error_messages={"required": _("Attach at least one photo or document.")},
    )

    def clean_files(self) -> list[tuple[str, bytes]]:
        """Each file as (name, content); every problem file named in its own message, nothing kept."""
        uploads = self.cleaned_data["files"]
        if len(uploads) > EVIDENCE_MAX_FILES:
            raise ValidationError(
                gettext("At most %(n)d files at once; you chose %(count)d.")
                % {"n": EVIDENCE_MAX_FILES, "count": len(uploads)}
            )
        errors, files = [], []
        for upload in uploads:
            if upload.size > settings.EVIDENCE_MAX_BYTES:
                # Refused before it is read into memory.
                errors.append(
                    gettext("«%(name)s» is too large: at most %(mb)d MB.")
                    % {"name": upload.name, "mb": max_mb()}
                )
                continue
            data = upload.read()
            try:
                check_evidence(upload.name, data)
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            files.append((upload.name, data))
        if errors:
            raise ValidationError(errors)
        try:
            check_total([len(data) for _name, data in files])
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return files


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ExtensionForm(ServiceErrorsForm):
    requested_deadline = forms.DateField(label=_("New date you ask for"), widget=DateInput())
    reason = forms.CharField(
        label=_("Why more time is needed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("For example: the turnstile is ordered, the supplier delivers it in June."),
    )

    def __init__(self, *args, deadline: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        # The phone's date picker starts after the current deadline; the service has the last word.
        self.fields["requested_deadline"].widget.attrs["min"] = (deadline + dt.timedelta(days=1)).isoformat()
