"""The orders box on a school's passport page: the school's own administrators see what is open."""

from django import template

from qorgau.accounts import policy
from qorgau.orders import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def school_order_counts(context, school) -> dict[str, int] | None:
    """{open, overdue} for the signed-in school administrator, None for everyone else (no box, no query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not policy.can_answer_order(user):
        return None
    return selectors.school_item_counts(user=user, school=school)
