"""Template helpers for orders: the order's title, and the order of an inspection for its detail page."""

from django import template
from django.utils.translation import gettext as _

from qorgau.accounts import policy
from qorgau.accounts.scoping import visible

register = template.Library()


@register.filter
def order_title(order) -> str:
    if order.number:
        return _("Order no. %(number)s") % {"number": order.number}
    return _("Draft order")


@register.simple_tag(takes_context=True)
def inspection_order(context, inspection) -> dict:
    """The order drafted from this inspection, if the user may see it, and whether the user may draft one.

    Through the scoping layer: a school does not learn that a draft exists."""
    user = context["request"].user
    order = visible(user, inspection.orders.select_related("district")).first()
    can_draft = (
        order is None
        and inspection.status == "approved"
        and policy.can_draft_order(user)
        and inspection.findings.exists()
    )
    return {"order": order, "can_draft": can_draft}
