"""The registry: districts, schools, security firms, guard contracts and each school's security equipment."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import ScopedQuerySet, ScopeRule
from qorgau.registry.bin import validate_bin


class CityStatus(models.TextChoices):
    # Schools in a city of republican significance or a regional centre need the full set of measures
    # whatever their size (checklist-facts.md, "Size tiers").
    REPUBLICAN = "republican", _("City of republican significance")
    REGIONAL = "regional", _("Regional centre")
    OTHER = "other", _("Other settlement")


class SizeTier(models.TextChoices):
    SMALL = "T1", _("Tier 1: up to 300 pupils")
    MEDIUM = "T2", _("Tier 2: up to 700 pupils")
    LARGE = "T3", _("Tier 3: over 700 pupils or a major city")


def size_tier_for(pupils: int | None, city_status: str) -> str:
    if city_status in (CityStatus.REPUBLICAN, CityStatus.REGIONAL):
        return SizeTier.LARGE
    pupils = pupils or 0
    if pupils <= 300:
        return SizeTier.SMALL
    if pupils <= 700:
        return SizeTier.MEDIUM
    return SizeTier.LARGE


class LocalisedName:
    """`name` in the active language, falling back to Russian."""

    @property
    def name(self) -> str:
        lang = (get_language() or "ru")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_ru


class District(LocalisedName, models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, default="Алматы")
    city_status = models.CharField(
        _("city status"), max_length=12, choices=CityStatus.choices, default=CityStatus.REPUBLICAN
    )
    police_office = models.CharField(_("police office"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(district="id", school=None)

    class Meta:
        ordering = ["name_ru"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class SecurityFirm(models.Model):
    name = models.CharField(_("name"), max_length=200)
    bin = models.CharField(_("BIN"), max_length=12, unique=True, validators=[validate_bin])
    licence_no = models.CharField(_("licence number"), max_length=50)
    licence_expiry = models.DateField(_("licence valid until"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    rapid_response_teams = models.PositiveSmallIntegerField(_("rapid-response teams"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(firm="id", special="firm")

    class Meta:
        ordering = ["name"]
        verbose_name = _("security firm")
        verbose_name_plural = _("security firms")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:firm_detail", args=[self.pk])

    def licence_expired(self, today: date | None = None) -> bool:
        return self.licence_expiry is not None and self.licence_expiry < (today or date.today())


class School(LocalisedName, models.Model):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("district")
    )
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    bin = models.CharField(_("BIN"), max_length=12, unique=True, validators=[validate_bin])
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    pupils = models.PositiveIntegerField(_("pupils"), validators=[MaxValueValidator(20000)])
    shifts = models.PositiveSmallIntegerField(
        _("shifts"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    size_tier = models.CharField(_("size tier"), max_length=2, choices=SizeTier.choices, editable=False)
    head_name = models.CharField(_("head's name"), max_length=200, blank=True)
    head_phone = models.CharField(_("head's phone"), max_length=30, blank=True)
    document_language = models.CharField(
        _("language of documents"), max_length=2, choices=[("ru", "Русский"), ("kk", "Қазақша")], default="ru"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(school="id", district="district_id")

    class Meta:
        ordering = ["name_ru"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        indexes = [
            models.Index(fields=["district", "name_ru"]),
            # Lists by school name: the equipment list walks it into each school's devices, without a sort.
            models.Index(fields=["name_ru", "id"], name="school_name"),
            models.Index(fields=["size_tier"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:school_detail", args=[self.pk])

    def clean(self):
        if self.pupils is not None and self.district_id:
            self.size_tier = size_tier_for(self.pupils, self.district.city_status)


class GuardContract(models.Model):
    """Who guards the school: a licensed firm under a contract, or the school's own guards."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="guard_contracts")
    firm = models.ForeignKey(
        SecurityFirm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("security firm"),
    )
    in_house = models.BooleanField(_("in-house guards"), default=False)
    number = models.CharField(_("contract number"), max_length=50, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(school="school_id", district="school__district_id")

    class Meta:
        ordering = ["-is_current", "-valid_until"]
        verbose_name = _("guard contract")
        verbose_name_plural = _("guard contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(is_current=True), name="one_current_contract_per_school"
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("in-house guards"))

    def clean(self):
        if not self.in_house and not self.firm_id:
            raise ValidationError({"firm": _("Choose the security firm, or mark the guards as in-house.")})
        if self.in_house and self.firm_id:
            raise ValidationError({"firm": _("In-house guards have no security firm.")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The contract cannot end before it starts.")})

    def expired(self, today: date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (today or date.today())


class EquipmentStatus(models.TextChoices):
    WORKING = "working", _("Working")
    FAULTY = "faulty", _("Faulty")
    MISSING = "missing", _("Missing")


class Equipment(models.Model):
    """What every piece of security equipment has: where it is, whether it works, when it was last checked."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    location = models.CharField(_("location in the school"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=EquipmentStatus.choices, default=EquipmentStatus.WORKING
    )
    last_checked = models.DateField(_("last checked"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(school="school_id", district="school__district_id")

    class Meta:
        abstract = True
        ordering = ["location", "id"]

    def __str__(self) -> str:
        return self.location

    def clean(self):
        if self.last_checked and self.last_checked > date.today():
            raise ValidationError({"last_checked": _("The last check cannot be in the future.")})


class SignalDestination(models.TextChoices):
    POLICE = "police", _("Police operations centre")
    FIRM = "firm", _("Security firm's console")
    NONE = "none", _("Not connected")


class PanicButton(Equipment):
    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed")
        MOBILE = "mobile", _("Mobile")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="panic_buttons")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    signal_to = models.CharField(
        _("signal goes to"),
        max_length=10,
        choices=SignalDestination.choices,
        default=SignalDestination.POLICE,
    )
    contract_no = models.CharField(_("response contract number"), max_length=50, blank=True)
    contract_until = models.DateField(_("response contract valid until"), null=True, blank=True)

    class Meta(Equipment.Meta):
        verbose_name = _("panic button")
        verbose_name_plural = _("panic buttons")
        # The school list counts working buttons and filters on where they signal, per school.
        indexes = [
            models.Index(fields=["school", "status", "signal_to"], name="panic_school_status_signal"),
            # The equipment list, school by school (by name) and by location, read in index order.
            models.Index(fields=["school", "location", "id"], name="panic_school_location"),
        ]


class CameraZone(models.TextChoices):
    PERIMETER = "perimeter", _("Perimeter")
    ENTRANCE = "entrance", _("Entrance")
    CORRIDOR = "corridor", _("Corridor")
    HALL = "hall", _("Hall")
    STAIRS = "stairs", _("Stairs")
    CANTEEN = "canteen", _("Canteen")
    CLOAKROOM = "cloakroom", _("Cloakroom")
    YARD = "yard", _("Yard")
    SPORTS = "sports", _("Sports ground")
    PARKING = "parking", _("Vehicle entry")
    OTHER = "other", _("Other")


class Camera(Equipment):
    class Placement(models.TextChoices):
        INDOOR = "indoor", _("Indoor")
        OUTDOOR = "outdoor", _("Outdoor")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="cameras")
    zone = models.CharField(_("zone covered"), max_length=12, choices=CameraZone.choices)
    placement = models.CharField(
        _("placement"), max_length=8, choices=Placement.choices, default=Placement.INDOOR
    )
    linked_to_police = models.BooleanField(_("linked to the police centre"), default=False)
    archive_days = models.PositiveSmallIntegerField(
        _("archive depth, days"), null=True, blank=True, validators=[MaxValueValidator(3650)]
    )

    class Meta(Equipment.Meta):
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        # The school list counts working and faulty cameras per school and filters on the police link;
        # with this index those subqueries read the index alone (see bench/registry.py).
        indexes = [
            models.Index(fields=["school", "status", "linked_to_police"], name="camera_school_status_linked"),
            models.Index(fields=["school", "location", "id"], name="camera_school_location"),
        ]


class AccessPoint(Equipment):
    class Kind(models.TextChoices):
        MAIN = "main", _("Main entrance")
        SIDE = "side", _("Side entrance")
        EMERGENCY = "emergency", _("Emergency exit")
        GATE = "gate", _("Gate")
        VEHICLE = "vehicle", _("Vehicle gate")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="access_points")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    has_turnstile = models.BooleanField(_("turnstile"), default=False)
    has_access_control = models.BooleanField(_("access-control system"), default=False)

    class Meta(Equipment.Meta):
        verbose_name = _("access point")
        verbose_name_plural = _("access points")
        # For the school list's per-school count of faulty equipment.
        indexes = [
            models.Index(fields=["school", "status"], name="access_school_status"),
            models.Index(fields=["school", "location", "id"], name="access_school_location"),
        ]


class GuardPost(Equipment):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="guard_posts")
    firm = models.ForeignKey(
        SecurityFirm,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("security firm"),
    )
    hours = models.CharField(_("hours"), max_length=50, blank=True, help_text=_("e.g. 24/7 or 07:00–19:00"))
    has_panic_button = models.BooleanField(_("panic button at the post"), default=False)
    has_radio = models.BooleanField(_("radio or phone"), default=False)
    has_instructions = models.BooleanField(_("written instructions"), default=False)
    has_log = models.BooleanField(_("post log"), default=False)

    class Meta(Equipment.Meta):
        verbose_name = _("guard post")
        verbose_name_plural = _("guard posts")
        # For the school list's per-school count of faulty equipment.
        indexes = [
            models.Index(fields=["school", "status"], name="guardpost_school_status"),
            models.Index(fields=["school", "location", "id"], name="guardpost_school_location"),
        ]


# The equipment kinds as they appear in URLs, forms, the API and imports.
EQUIPMENT_MODELS: dict[str, type[Equipment]] = {
    "panic-buttons": PanicButton,
    "cameras": Camera,
    "access-points": AccessPoint,
    "guard-posts": GuardPost,
}
