"""Exports of the planning lists: inspections, campaigns and a campaign's schools. The rows come from the same
scoped selector as the page, with the same filters; each streams from the database in chunks."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qorgau.core.exports import Column, choice_labels, export_response
from qorgau.inspections.models import Inspection

CHUNK = 2000


def _inspector(inspection) -> str:
    return inspection.inspector.display_name if inspection.inspector_id else ""


def inspection_columns(*, bucket_titles: dict | None = None) -> list[Column]:
    """The inspection list's columns; `bucket_titles` adds the group an inspector's own list shows."""
    status, kind = choice_labels(Inspection.Status.choices), choice_labels(Inspection.Kind.choices)
    columns: list[Column] = []
    if bucket_titles:
        columns.append((_("What needs doing"), lambda i: bucket_titles[i.bucket]))
    columns += [
        (_("Planned date"), lambda i: i.planned_on),
        (_("School"), lambda i: i.school.name),
        (_("BIN"), lambda i: i.school.bin),
        (_("District"), lambda i: i.district.name),
        (_("Status"), lambda i: status[i.status]),
        (_("Kind"), lambda i: kind[i.kind]),
        (_("Campaign"), lambda i: i.campaign.name if i.campaign_id else ""),
        (_("Inspector"), _inspector),
        (_("Findings"), lambda i: i.findings_count),
        (_("Act no."), lambda i: i.act_number),
        (_("Approved at"), lambda i: i.approved_at),
    ]
    return columns


def inspection_export_response(inspections, fmt: str, *, bucket_titles: dict | None = None):
    return export_response(
        rows=inspections.iterator(chunk_size=CHUNK), columns=inspection_columns(bucket_titles=bucket_titles),
        fmt=fmt, filename="inspections", sheet=_("Inspections"),
    )  # fmt: skip


def _campaign_columns() -> list[Column]:
    return [
        (_("Campaign"), lambda c: c.name),
        (_("Starts on"), lambda c: c.starts_on),
        (_("Ends on"), lambda c: c.ends_on),
        (_("Checklist"), lambda c: str(c.template_version)),
        # The districts are prefetched per chunk of campaigns, so this reads no row on its own.
        (_("Districts"), lambda c: ", ".join(d.name for d in c.districts.all())),
        (_("Inspections"), lambda c: c.inspections_total),
        (_("Approved"), lambda c: c.inspections_done),
    ]


def campaign_export_response(campaigns, fmt: str):
    return export_response(
        rows=campaigns.iterator(chunk_size=CHUNK), columns=_campaign_columns(), fmt=fmt, filename="campaigns",
        sheet=_("Campaigns"),
    )  # fmt: skip


def _campaign_inspection_columns() -> list[Column]:
    status = choice_labels(Inspection.Status.choices)
    return [
        (_("School"), lambda i: i.school.name),
        (_("BIN"), lambda i: i.school.bin),
        (_("District"), lambda i: i.district.name),
        (_("Inspector"), _inspector),
        (_("Planned date"), lambda i: i.planned_on),
        (_("Status"), lambda i: status[i.status]),
        (_("Approved at"), lambda i: i.approved_at),
    ]


def campaign_inspections_export_response(campaign, inspections, fmt: str):
    return export_response(
        rows=inspections.iterator(chunk_size=CHUNK), columns=_campaign_inspection_columns(), fmt=fmt,
        filename=f"campaign-{campaign.pk}", sheet=_("Schools"),
    )  # fmt: skip
