from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qorgau.accounts import services


def client_ip(request) -> str | None:
    # Behind the reverse proxy REMOTE_ADDR is the proxy; production sets the proxy to pass the real address.
    return request.META.get("REMOTE_ADDR")


def locked_message(minutes: int) -> str:
    return ngettext(
        "Too many failed attempts. Sign-in for this user is locked for %(minutes)d more minute. "
        "Try again later or ask your administrator to reset the password.",
        "Too many failed attempts. Sign-in for this user is locked for %(minutes)d more minutes. "
        "Try again later or ask your administrator to reset the password.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledLoginForm(AuthenticationForm):
    """The standard login form, refusing a username+IP pair after too many failures in a row."""

    def clean(self):
        username = (self.data.get("username") or "").strip()
        ip = client_ip(self.request) if self.request else None
        remaining = services.login_lock_remaining(username=username, ip=ip) if username else None
        if remaining is not None:
            minutes = max(1, int(remaining.total_seconds() // 60) + 1)
            raise forms.ValidationError(locked_message(minutes), code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.login_attempt_record(username=username, ip=ip, succeeded=False)
            raise
        # An empty password skips authentication without an error of its own: only a real sign-in counts as a
        # success, otherwise anyone could reset the failure count with a blank password.
        services.login_attempt_record(username=username, ip=ip, succeeded=self.get_user() is not None)
        return cleaned


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("e.g. the system that will use it")
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
