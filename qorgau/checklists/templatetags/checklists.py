"""How checklist items read on the pages: the remedy in the page's language, limits and tiers in words."""

from django import template
from django.utils.translation import gettext as _

from qorgau.checklists.answers import format_seconds
from qorgau.checklists.models import AnswerKind, Item, _localised
from qorgau.registry.models import SizeTier

register = template.Library()


@register.filter
def remedy(item: Item) -> str:
    """The required remedy in the page's language; Russian when there is none in it (English has none)."""
    return _localised(item, "remedy")


def _number(value) -> str:
    return f"{value.normalize():f}"


@register.filter
def item_limit(item: Item) -> str:
    """What the item's threshold or maximum age means for its answer kind, or "" when it has none."""
    kind = item.answer_kind
    if kind == AnswerKind.NUMBER and item.threshold is not None:
        return _("at least %(value)s") % {"value": _number(item.threshold)}
    if kind == AnswerKind.DATE and item.max_age_days:
        return _("not older than %(days)d days") % {"days": item.max_age_days}
    if kind == AnswerKind.STAFF_INTERVIEW:
        share = _number(item.threshold) if item.threshold is not None else "100"
        return _("at least %(share)s %% answer correctly") % {"share": share}
    if kind == AnswerKind.PANIC_TEST and item.threshold:
        return _("crew arrives within %(time)s") % {"time": format_seconds(int(item.threshold))}
    return ""


@register.filter
def tier_title(code: str) -> str:
    return str(dict(SizeTier.choices).get(code, code))
