"""Document numbers per district per year (acts, orders), without gaps or duplicates."""

from django.db.models import F, Model


def next_number(counter_model: type[Model], *, district_id: int, year: int) -> int:
    """Take the next number from a counter row (fields district, year, last). Call inside a transaction:
    the row stays locked until it ends, so two approvals or issues at once get distinct numbers, and a
    failed one rolls its number back, leaving no gap."""
    counter_model.objects.get_or_create(district_id=district_id, year=year)
    counter = counter_model.objects.select_for_update().get(district_id=district_id, year=year)
    counter_model.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return counter.last + 1
