"""The admin is a back office for the city supervisor. Day-to-day changes go through the pages, which record
history; edits here are for corrections the pages do not offer (e.g. a district's city status)."""

from django.contrib import admin

from qorgau.core.history import record_change, snapshot
from qorgau.core.models import ChangeRecord
from qorgau.registry.models import (
    AccessPoint,
    Camera,
    District,
    GuardContract,
    GuardPost,
    PanicButton,
    School,
    SecurityFirm,
)
from qorgau.registry.services import refresh_size_tiers


def _school_of(obj):
    if isinstance(obj, School):
        return obj
    return getattr(obj, "school", None)


class HistoryAdmin(admin.ModelAdmin):
    """Admin edits are recorded in the same history as the pages' edits."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        action = ChangeRecord.Action.UPDATED if change else ChangeRecord.Action.CREATED
        district = obj if isinstance(obj, District) else None
        record_change(
            actor=request.user,
            instance=obj,
            action=action,
            before=before,
            school=_school_of(obj),
            district=district,
        )

    def delete_model(self, request, obj):
        district = obj if isinstance(obj, District) else None
        record_change(
            actor=request.user, instance=obj, action=ChangeRecord.Action.DELETED, before=snapshot(obj),
            school=_school_of(obj), district=district,
        )  # fmt: skip
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(District)
class DistrictAdmin(HistoryAdmin):
    list_display = ("code", "name_ru", "name_kk", "city", "city_status")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_size_tiers(district=obj)  # the tier of every school depends on its city's status


@admin.register(School)
class SchoolAdmin(HistoryAdmin):
    list_display = ("name_ru", "bin", "district", "pupils", "size_tier")
    list_filter = ("district", "size_tier")
    search_fields = ("name_ru", "name_kk", "bin")
    list_select_related = ("district",)


@admin.register(SecurityFirm)
class SecurityFirmAdmin(HistoryAdmin):
    list_display = ("name", "bin", "licence_no", "licence_expiry")
    search_fields = ("name", "bin", "licence_no")


@admin.register(GuardContract)
class GuardContractAdmin(HistoryAdmin):
    list_display = ("school", "firm", "number", "valid_until", "is_current")
    list_select_related = ("school", "firm")
    raw_id_fields = ("school",)


for model in (PanicButton, Camera, AccessPoint, GuardPost):
    admin.site.register(
        model,
        HistoryAdmin,
        list_display=("school", "location", "status", "last_checked"),
        list_filter=("status",),
        list_select_related=("school",),
        raw_id_fields=("school",),
    )
