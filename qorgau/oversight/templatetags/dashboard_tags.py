"""Links from a dashboard number to the list behind it, carrying the dashboard's filters."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


def _district(filters, district):
    return district if district is not None else filters.district_id


def _area(filters, district=None) -> dict:
    """The district (the row's, else the filter's) and the size tier, as the registry's lists name them."""
    params = {}
    district_id = _district(filters, district)
    if district_id:
        params["district"] = district_id
    if filters.tier:
        params["tier"] = filters.tier
    return params


@register.simple_tag
def items_url(filters, state="", district=None, category="", month=None) -> str:
    """The order-item list: the items a number counts (state, district, category, a month of the trend)."""
    changes = {"state": state, "district_id": _district(filters, district)}
    if category:
        changes["category"] = category
    if month is not None:
        changes.update(start=month.start, end=month.end)
    return f"{reverse('oversight:item_list')}?{filters.query(**changes)}"


@register.simple_tag
def schools_url(filters, district=None, inspected="", missing="") -> str:
    """The school list: schools in scope, those inspected in the period, or those missing equipment."""
    params = _area(filters, district)
    if inspected:
        params.update(
            inspected=inspected, **{"from": filters.start.isoformat(), "to": filters.end.isoformat()}
        )
        if filters.campaign_id:
            params["campaign"] = filters.campaign_id
    if missing:
        params["missing"] = missing
    return f"{reverse('registry:school_list')}?{urlencode(params)}"


@register.simple_tag
def equipment_url(filters, kind: str, status: str = "", link: str = "") -> str:
    """The equipment list: devices of a kind in scope, working ones, or connected ones."""
    params = {"kind": kind, **_area(filters)}
    if status:
        params["status"] = status
    if link:
        params["link"] = link
    return f"{reverse('registry:equipment_list')}?{urlencode(params)}"


@register.simple_tag
def inspections_url(filters, district=None) -> str:
    """The inspection list: inspections approved in the period."""
    params = {"status": "approved", "from": filters.start.isoformat(), "to": filters.end.isoformat()}
    params.update(_area(filters, district))
    if filters.campaign_id:
        params["campaign"] = filters.campaign_id
    return f"{reverse('inspections:inspection_list')}?{urlencode(params)}"


@register.simple_tag
def sort_url(query, key, current) -> str:
    """The dashboard sorted by a column; a second click on the sorted column reverses the order."""
    params = query.copy()
    params["sort"] = f"-{key}" if current == key else key
    return "?" + params.urlencode()


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value:.0f} %"


@register.filter
def days(value) -> str:
    return "—" if value is None else f"{value:.1f}"
