import pytest

from qorgau.inspections import services as inspection_services
from qorgau.inspections.tests.test_services import answer_all
from qorgau.tests.factories import InspectionFactory


@pytest.fixture
def fake_documents(monkeypatch):
    """Service tests do not need real PDF rendering (test_documents.py covers it)."""
    import sys
    import types

    import qorgau.orders

    fake = types.ModuleType("qorgau.orders.documents")
    fake.order_documents = lambda *, order: (b"%PDF-1.7 order", b"PK docx")
    fake.amendment_pdf = lambda *, amendment: b"%PDF-1.7 amendment"
    monkeypatch.setitem(sys.modules, "qorgau.orders.documents", fake)
    monkeypatch.setattr(qorgau.orders, "documents", fake, raising=False)


@pytest.fixture
def approved_inspection(school_a, inspector_x, chief_x):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    answer_all(inspection, inspector_x, fail=("AC-2", "PE-1", "DO-1"))
    inspection_services.inspection_submit(actor=inspector_x, inspection=inspection)
    return inspection_services.inspection_approve(actor=chief_x, inspection=inspection)
