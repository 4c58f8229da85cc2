"""Writes of the oversight app: a campaign planned from the top of the risk ranking."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qorgau.accounts.scoping import visible
from qorgau.inspections import services as inspection_services
from qorgau.inspections.models import Campaign
from qorgau.oversight import risk
from qorgau.registry.models import District, School


@transaction.atomic
def plan_from_ranking(
    *, actor, n: int, name: str, starts_on: dt.date, ends_on: dt.date, inspector=None, **filters
) -> tuple[Campaign, list[int]]:
    """A campaign over the first `n` schools of the ranking as filtered (`district_id`, `size_tier`) that have
    no inspection in hand, each with a planned inspection (assigned to `inspector` if given). Returns the
    campaign and the schools' ids, riskiest first. The page and the API both plan through here."""
    # Two plans over one district at a time would both see its schools free and plan them twice: the second
    # waits here for the first to commit, then sees its inspections (PostgreSQL; SQLite writes one at a time).
    districts = visible(actor, District)
    if filters.get("district_id"):
        districts = districts.filter(pk=filters["district_id"])
    list(District.objects.select_for_update().filter(pk__in=districts.values("pk")))
    risk.refresh_missing(user=actor)
    ids = risk.top_school_ids(user=actor, n=n, **filters)
    if not ids:
        raise ValidationError(
            {"n": _("Every school of the list already has an inspection planned or under way.")}
        )
    campaign = inspection_services.campaign_create_for_schools(
        actor=actor, name=name, starts_on=starts_on, ends_on=ends_on,
        schools=list(School.objects.filter(pk__in=ids)),
        template_version=inspection_services.latest_published_version(), inspector=inspector,
    )  # fmt: skip
    return campaign, ids
