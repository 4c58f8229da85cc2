from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qorgau.accounts import services
from qorgau.core import audit
from qorgau.core.net import client_ip


def locked_message(minutes: int) -> str:
    return ngettext(
        "Too many failed attempts. Sign-in for this user is locked for %(minutes)d more minute. "
        "Try again later or ask your administrator to reset the password.",
        "Too many failed attempts. Sign-in for this user is locked for %(minutes)d more minutes. "
        "Try again later or ask your administrator to reset the password.",
        minutes,
    ) % {"minutes": minutes}


def address_locked_message(minutes: int) -> str:
    return ngettext(
        "Too many failed sign-ins from your network. Sign-in from this address is paused for %(minutes)d "
        "more minute.",
        "Too many failed sign-ins from your network. Sign-in from this address is paused for %(minutes)d "
        "more minutes.",
        minutes,
    ) % {"minutes": minutes}


def lock_message(*, username: str, ip: str | None) -> tuple[str, int] | None:
    """(message, seconds left) when sign-in must be refused before the password is even checked."""
    remaining = services.login_lock_remaining(username=username, ip=ip) if username else None
    message = locked_message
    if remaining is None:
        remaining = services.address_lock_remaining(ip=ip)
        message = address_locked_message
    if remaining is None:
        return None
    seconds = max(1, int(remaining.total_seconds()))
    return message(max(1, seconds // 60 + 1)), seconds


class ThrottledLoginForm(AuthenticationForm):
    """The standard login form, refusing a username+IP pair after too many failures in a row."""

    def clean(self):
        username = (self.data.get("username") or "").strip()
        ip = client_ip(self.request) if self.request else None
        locked = lock_message(username=username, ip=ip)
        if locked is not None:
            # Refused before the password is checked, so no auth signal fires: log the attempt here.
            audit.record(self.request, action="login_failed", username=username, obj="locked")
            raise forms.ValidationError(locked[0], code="locked")
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
