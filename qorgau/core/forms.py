from django import forms
from django.utils.translation import gettext_lazy as _

from qorgau.core.models import AuditEntry


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("Any event")), *AuditEntry.Action.choices]
    )
    ip = forms.CharField(
        label=_("IP address"), required=False, max_length=45, help_text=_("The address or its beginning")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_ip(self):
        ip = self.cleaned_data["ip"].strip()
        if ip and not all(ch in "0123456789abcdefABCDEF.:" for ch in ip):
            raise forms.ValidationError(_("Only digits, dots and colons can be part of an IP address."))
        return ip

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "username": data["username"].strip(),
            "action": data["action"],
            "ip": data["ip"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
