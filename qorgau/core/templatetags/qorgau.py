from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag
def query_with(query, **changes) -> str:
    """The current query string with some parameters replaced (e.g. the page number)."""
    params = query.copy() if query is not None else {}
    for key, value in changes.items():
        params[key] = value
    if hasattr(params, "urlencode"):
        return params.urlencode()
    return urlencode(params)


@register.simple_tag
def query_without(query, *names) -> str:
    """The current query string without some parameters (e.g. the page number, for an export link)."""
    params = query.copy() if query is not None else {}
    for name in names:
        params.pop(name, None)
    if hasattr(params, "urlencode"):
        return params.urlencode()
    return urlencode(params)


@register.filter
def field_label(field_name: str, object_type: str) -> str:
    """The human label of a model field, for history entries stored by field name."""
    try:
        model = apps.get_model(object_type)
        return str(model._meta.get_field(field_name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return field_name


@register.filter
def model_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return object_type


@register.filter
def yesno_icon(value) -> str:
    return "✓" if value else "—"


@register.filter
def post_equipment(post) -> str:
    """What a guard post is equipped with, as one readable list."""
    from django.utils.translation import gettext as _

    parts = [
        label
        for present, label in (
            (post.has_panic_button, _("panic button")),
            (post.has_radio, _("radio")),
            (post.has_instructions, _("instructions")),
            (post.has_log, _("log")),
        )
        if present
    ]
    return " · ".join(parts)


@register.simple_tag
def history_value(object_type: str, field_name: str, value):
    """A value from the history as the reader should see it: a choice by its label, in their language."""
    if value in (None, ""):
        return "—"
    try:
        field = apps.get_model(object_type)._meta.get_field(field_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("yes") if value else _("no")
    return value
