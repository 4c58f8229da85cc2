"""Exports of registry lists. The rows come from the same scoped selector as the page."""

from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.core.exports import export_response


def _school_columns():
    return [
        (_("BIN"), lambda s: s.bin),
        (_("Name (Russian)"), lambda s: s.name_ru),
        (_("Name (Kazakh)"), lambda s: s.name_kk),
        (_("District"), lambda s: s.district.name),
        (_("Address"), lambda s: s.address),
        (_("Pupils"), lambda s: s.pupils),
        (_("Shifts"), lambda s: s.shifts),
        (_("Size tier"), lambda s: s.size_tier),
        (_("Cameras working"), lambda s: s.cameras_working),
        (_("Cameras total"), lambda s: s.cameras_total),
        (_("Panic buttons working"), lambda s: s.panic_working),
        (_("Panic buttons total"), lambda s: s.panic_total),
        (_("Faulty or missing items"), lambda s: s.faulty_total),
        (_("Valid guard contract"), lambda s: _("yes") if s.has_valid_contract else _("no")),
    ]


def school_export_response(schools, fmt: str):
    # iterator() streams rows from the database instead of loading the whole list into memory.
    return export_response(
        rows=schools.iterator(chunk_size=2000), columns=_school_columns(), fmt=fmt, filename="schools",
        sheet=_("Schools"),
    )  # fmt: skip


def _firm_columns():
    today = timezone.localdate()
    return [
        (_("Name"), lambda f: f.name),
        (_("BIN"), lambda f: f.bin),
        (_("Licence number"), lambda f: f.licence_no),
        (_("Licence valid until"), lambda f: f.licence_expiry),
        (_("Licence expired"), lambda f: _("yes") if f.licence_expired(today) else _("no")),
        (_("Schools guarded"), lambda f: f.schools_count),
        (_("Rapid-response teams"), lambda f: f.rapid_response_teams),
        (_("Phone"), lambda f: f.phone),
        (_("Address"), lambda f: f.address),
    ]


def firm_export_response(firms, fmt: str):
    return export_response(
        rows=firms.iterator(chunk_size=2000), columns=_firm_columns(), fmt=fmt, filename="security-firms",
        sheet=_("Security firms"),
    )  # fmt: skip


def _equipment_columns(kind: str):
    def yes_no(value: bool) -> str:
        return _("yes") if value else _("no")

    common = [
        (_("District"), lambda e: e.school.district.name),
        (_("School"), lambda e: e.school.name),
        (_("BIN"), lambda e: e.school.bin),
        (_("Location"), lambda e: e.location),
        (_("Status"), lambda e: e.get_status_display()),
        (_("Last checked"), lambda e: e.last_checked),
    ]
    extra = {
        "panic-buttons": [
            (_("Type"), lambda e: e.get_kind_display()),
            (_("Signal goes to"), lambda e: e.get_signal_to_display()),
            (_("Response contract valid until"), lambda e: e.contract_until),
        ],
        "cameras": [
            (_("Zone covered"), lambda e: e.get_zone_display()),
            (_("Placement"), lambda e: e.get_placement_display()),
            (_("Linked to the police centre"), lambda e: yes_no(e.linked_to_police)),
            (_("Archive depth, days"), lambda e: e.archive_days),
        ],
        "access-points": [
            (_("Type"), lambda e: e.get_kind_display()),
            (_("Turnstile"), lambda e: yes_no(e.has_turnstile)),
            (_("Access-control system"), lambda e: yes_no(e.has_access_control)),
        ],
        "guard-posts": [
            (_("Security firm"), lambda e: e.firm.name if e.firm else ""),
            (_("Hours"), lambda e: e.hours),
        ],
    }
    return [*common, *extra.get(kind, [])]


def equipment_export_response(equipment, kind: str, fmt: str):
    if kind == "guard-posts":
        equipment = equipment.select_related("firm")
    return export_response(
        rows=equipment.iterator(chunk_size=2000), columns=_equipment_columns(kind), fmt=fmt,
        filename=kind, sheet=_("Equipment"),
    )  # fmt: skip
