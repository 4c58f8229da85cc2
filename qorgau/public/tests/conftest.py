import sys
import types

import pytest

from qorgau.public import services
from qorgau.tests.factories import SchoolFactory


@pytest.fixture
def fake_documents(monkeypatch):
    """Issuing an order renders its documents; these tests only need them to exist."""
    import qorgau.orders

    fake = types.ModuleType("qorgau.orders.documents")
    fake.order_documents = lambda *, order: (b"%PDF-1.7 order", b"PK docx")
    fake.amendment_pdf = lambda *, amendment: b"%PDF-1.7 amendment"
    monkeypatch.setitem(sys.modules, "qorgau.orders.documents", fake)
    monkeypatch.setattr(qorgau.orders, "documents", fake, raising=False)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.VAR_DIR = tmp_path / "var"
    return settings.MEDIA_ROOT


def report(school, *, ip="192.0.2.10", **fields):
    data = {
        "what": "Калитка во двор открыта во время уроков",
        "where": "Задний двор",
        "when": "Каждое утро около 8:00",
        "contact": "+7 701 123 45 67",
    }
    data.update(fields)
    return services.concern_report(school=school, ip=ip, **data)


@pytest.fixture
def concern_a(school_a):
    return report(school_a)


@pytest.fixture
def concern_b(school_b):
    return report(school_b, ip="192.0.2.20")


@pytest.fixture
def many_schools(district_x):
    return [
        SchoolFactory(district=district_x, name_ru=f"Школа № {n}", name_kk=f"№ {n} мектеп") for n in range(25)
    ]
