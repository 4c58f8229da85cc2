"""Recording changes. Services call `snapshot` before a change and `record_change` after it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models

from qorgau.core.models import ChangeRecord

_SKIP = {"id", "created_at", "updated_at", "size_tier"}


def _display(value) -> str | int | bool | None:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.date | dt.datetime | Decimal):
        return str(value)
    return str(value)


def snapshot(instance: models.Model) -> dict:
    """Field values as kept in history: foreign keys by name, everything else as stored (choices by their
    value, so that the page shows each label in the reader's language)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in _SKIP:
            continue
        if field.is_relation:
            related = getattr(instance, field.name, None)
            data[field.name] = str(related) if related is not None else None
        else:
            data[field.name] = _display(getattr(instance, field.attname))
    return data


def diff(before: dict | None, after: dict | None) -> dict:
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record_change(
    *,
    actor,
    instance: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    school=None,
    district=None,
) -> ChangeRecord | None:
    if action == ChangeRecord.Action.DELETED:
        changes = diff(before, None)
    else:
        changes = diff(before, after if after is not None else snapshot(instance))
    if action == ChangeRecord.Action.UPDATED and not changes:
        return None  # nothing really changed: no noise in the history
    return ChangeRecord.objects.create(
        actor=actor,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
        object_repr=str(instance)[:300],
        changes=changes,
        school=school,
        district=district if district is not None else getattr(school, "district", None),
    )
