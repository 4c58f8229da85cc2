"""Pages of long lists that stay fast on deep history.

A list page's query sorts every matching row before it can keep the 20 it shows; when the rows carry their
joined objects (`select_related`) and per-row counts (correlated subqueries), the database builds all of
that for every row it sorts and throws it away. `id_page` sorts the bare ids in a subquery instead and
builds the full rows for the page's ids only: the same single query per page, the same order.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import ForeignObjectRel, QuerySet
from django.db.models.sql.where import WhereNode


class IdPaginator(Paginator):
    def page(self, number):
        qs = self.object_list
        if not isinstance(qs, QuerySet) or qs.query.distinct:
            # DISTINCT adds the ordering's columns to the subquery's select; page such lists plainly.
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        # values_list keeps the filters, the ordering and the joins it needs, and drops select_related and
        # the annotations nothing orders by; the outer query keeps the ordering for the page's rows.
        ids = qs.values_list("pk", flat=True)[bottom:top]
        rows = qs.all()
        if _single_valued(rows):
            # The ids carry the filters: without them the database reads the page's rows by id rather than
            # walking a filter's index and checking each row against the ids.
            rows.query.where = WhereNode()
        return self._get_page(rows.filter(pk__in=ids), number, self)


def _single_valued(qs: QuerySet) -> bool:
    """Whether every join of the query follows a foreign key forwards (joins left without their filter
    cannot multiply the rows)."""
    for join in qs.query.alias_map.values():
        field = getattr(join, "join_field", None)
        if field is not None and (
            isinstance(field, ForeignObjectRel) or getattr(field, "many_to_many", False)
        ):
            return False
    return True


def id_page(qs: QuerySet, page_number, per_page: int) -> Page:
    """The page `page_number` of the ordered `qs`: the paginator's count and one query for the rows."""
    return IdPaginator(qs, per_page).get_page(page_number)
