"""The inspection list's own indexes, made by a migration outside the models' state (see its docstring)."""

import pytest
from django.db import connection

from qorgau.inspections.models import Inspection

pytestmark = pytest.mark.django_db


def _indexes() -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, Inspection._meta.db_table)


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("inspection_planned_desc", ["planned_on", "id"]),
        ("inspection_district_planned", ["district_id", "planned_on"]),
    ],
)
def test_the_list_order_has_its_index(name, columns):
    index = _indexes()[name]
    assert index["index"] and index["columns"] == columns
    # Newest dates first; on PostgreSQL with the undated last, as the list's ORDER BY says.
    assert index["orders"][columns.index("planned_on")] == "DESC"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
            assert "planned_on DESC NULLS LAST" in cursor.fetchone()[0]
