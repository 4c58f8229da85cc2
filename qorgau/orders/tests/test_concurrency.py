"""Two chiefs issuing at the same moment get distinct, consecutive numbers (real parallel transactions)."""

import threading

import pytest
from django.db import connection, connections

from qorgau.inspections import services as inspection_services
from qorgau.inspections.tests.test_services import answer_all
from qorgau.orders import services
from qorgau.orders.models import Order
from qorgau.tests.factories import InspectionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fake_documents"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every writer: no parallel issuing to test; CI runs this on PostgreSQL",
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_orders_issued_at_the_same_moment_get_distinct_numbers(school_a, inspector_x, chief_x):
    drafts = []
    for _ in range(4):
        inspection = InspectionFactory(school=school_a, inspector=inspector_x)
        answer_all(inspection, inspector_x, fail=("AC-1",))
        inspection_services.inspection_submit(actor=inspector_x, inspection=inspection)
        inspection_services.inspection_approve(actor=chief_x, inspection=inspection)
        drafts.append(services.order_draft(actor=inspector_x, inspection=inspection))

    barrier = threading.Barrier(len(drafts))
    errors = []

    def issue(order):
        try:
            barrier.wait(timeout=10)
            services.order_issue(actor=chief_x, order=order)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    seqs = sorted(Order.objects.filter(pk__in=[d.pk for d in drafts]).values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4]
