"""Users, the organisations they belong to, their roles, API tokens and login attempts."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    CITY_POLICE = "city_police", _("City police department")
    DISTRICT_POLICE = "district_police", _("District police office")
    SCHOOL = "school", _("School")
    EDUCATION = "education", _("Education department")
    SECURITY_FIRM = "security_firm", _("Security firm")


class Role(models.TextChoices):
    CITY_SUPERVISOR = "city_supervisor", _("City supervisor")
    DISTRICT_CHIEF = "district_chief", _("District chief")
    INSPECTOR = "inspector", _("Inspector")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    EDUCATION = "education", _("Education department")
    SECURITY_FIRM = "security_firm", _("Security firm")


# A role is held only inside the kind of organisation it belongs to.
ROLE_ORGANISATION_KIND = {
    Role.CITY_SUPERVISOR: OrgKind.CITY_POLICE,
    Role.DISTRICT_CHIEF: OrgKind.DISTRICT_POLICE,
    Role.INSPECTOR: OrgKind.DISTRICT_POLICE,
    Role.SCHOOL_ADMIN: OrgKind.SCHOOL,
    Role.EDUCATION: OrgKind.EDUCATION,
    Role.SECURITY_FIRM: OrgKind.SECURITY_FIRM,
}


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=300)
    district = models.OneToOneField(
        "registry.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="police_organisation",
    )
    school = models.OneToOneField(
        "registry.School", on_delete=models.CASCADE, null=True, blank=True, related_name="organisation"
    )
    firm = models.OneToOneField(
        "registry.SecurityFirm", on_delete=models.CASCADE, null=True, blank=True, related_name="organisation"
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                name="organisation_link_matches_kind",
                condition=(
                    models.Q(
                        kind="district_police", district__isnull=False, school__isnull=True, firm__isnull=True
                    )
                    | models.Q(kind="school", school__isnull=False, district__isnull=True, firm__isnull=True)
                    | models.Q(
                        kind="security_firm", firm__isnull=False, district__isnull=True, school__isnull=True
                    )
                    | models.Q(
                        kind__in=["city_police", "education"],
                        district__isnull=True,
                        school__isnull=True,
                        firm__isnull=True,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")],
        default="ru",
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "qg_" + secrets.token_urlsafe(32)


class LoginAttempt(models.Model):
    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(default=timezone.now)
    succeeded = models.BooleanField(default=False)

    class Meta:
        # The second index serves the per-address cap across usernames (services.address_lock_remaining).
        indexes = [models.Index(fields=["username", "ip", "at"]), models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"
