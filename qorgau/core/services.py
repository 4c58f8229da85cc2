"""Helpers shared by the apps' services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def assign(instance: models.Model, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Set the fields in `data` on `instance`. Refuses, each error on its field, a field not `allowed` and
    None for a field that may not be null: `full_clean()` lets None through a field that may be blank but
    not null, and the database would refuse it."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
    nulls = {
        name: [instance._meta.get_field(name).error_messages["null"]]
        for name, value in data.items()
        if value is None and not instance._meta.get_field(name).null
    }
    if nulls:
        raise ValidationError(nulls)
    for name, value in data.items():
        setattr(instance, name, value)
