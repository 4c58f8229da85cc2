"""The order's documents: the issued PDF and DOCX hold every fact of the order, in Russian or Kazakh; the
stored files are the ones hashed; an amendment has its own PDF."""

import datetime as dt
import hashlib
import io
from pathlib import Path

import docx
import pypdf
import pytest
from django.utils import timezone

from qorgau.inspections import services as inspections
from qorgau.orders import services
from qorgau.orders.documents import amendment_pdf, order_documents
from qorgau.orders.models import OrderItem
from qorgau.tests.factories import InspectionFactory, make_user

pytestmark = pytest.mark.django_db

PASSING = {
    "yes_no": {"value": "yes"},
    "yes_no_na": {"value": "yes"},
    "number": {"value": "45"},
    "panic_test": {
        "received": "yes", "pressed_at": "10:00:00", "acknowledged_at": "10:00:20", "arrived_at": "10:07:00",
    },
    "camera_survey": {"total": "10", "working": "10", "zones_not_covered": []},
    "entry_test": {"stopped": "yes", "notes": ""},
    "staff_interview": {"asked": "5", "correct": "5"},
}  # fmt: skip
# Failed items and what the inspector wrote about them.
FAILED = {
    "AC-2": "Журнал посетителей не ведётся, документы у входящих не проверяются",
    "PE-1": "Ограждение разрушено на участке 12 м со стороны ул. Абая",
    "SR-4": "Журнал инструктажей не прошнурован и не пронумерован",
}
KAZAKH_LETTERS = "әғқңөұүі"


def _raw(item) -> dict:
    if item.answer_kind == "date":
        return {"value": (timezone.localdate() - dt.timedelta(days=10)).isoformat()}
    return dict(PASSING[item.answer_kind])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def co_inspector(district_x):
    from qorgau.accounts.models import Role

    return make_user(
        Role.INSPECTOR, district=district_x, username="inspector_x2", first_name="Ерлан Маратович",
        last_name="Сапаров", position="инспектор отдела административной полиции, капитан полиции",
    )  # fmt: skip


@pytest.fixture
def approved(school_a, inspector_x, co_inspector, chief_x):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    inspection.co_inspectors.add(co_inspector)
    for item in inspections.applicable_items(inspection):
        if item.code in FAILED:
            raw, comment = {"value": "no"}, FAILED[item.code]
        else:
            raw, comment = _raw(item), None
        inspections.answer_save(
            actor=inspector_x, inspection=inspection, item=item, raw=raw, base_version=0, comment=comment
        )
    inspections.inspection_submit(actor=inspector_x, inspection=inspection)
    return inspections.inspection_approve(actor=chief_x, inspection=inspection)


def _issued(approved, inspector_x, chief_x, language):
    draft = services.order_draft(actor=inspector_x, inspection=approved, language=language)
    return services.order_issue(actor=chief_x, order=draft)


@pytest.fixture(params=["ru", "kk"])
def order(request, approved, inspector_x, chief_x):
    return _issued(approved, inspector_x, chief_x, request.param)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return " ".join(" ".join(parts).split())


def stored(settings, path: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / path).read_bytes()


def _facts(order) -> list[str]:
    school = order.school.name_kk if order.language == "kk" else order.school.name_ru
    items = list(order.items.order_by("position"))
    assert len(items) == len(FAILED)
    facts = [order.number, school, order.school.bin, order.inspection.act_number, "149"]
    facts += [" ".join(item.found.split()) for item in items]
    facts += [item.deadline.strftime("%d.%m.%Y") for item in items]
    return facts


def test_the_pdf_holds_the_number_the_school_each_violation_and_its_deadline(order, settings):
    text = pdf_text(stored(settings, order.pdf_file))
    for fact in _facts(order):
        assert fact in text


def test_the_docx_holds_the_same_facts(order, settings):
    text = docx_text(stored(settings, order.docx_file))
    for fact in _facts(order):
        assert fact in text


def test_the_documents_name_the_inspectors_the_chief_and_the_issue_date(order, settings, co_inspector):
    issued_on = timezone.localtime(order.issued_at).strftime("%d.%m.%Y")
    for text in (pdf_text(stored(settings, order.pdf_file)), docx_text(stored(settings, order.docx_file))):
        assert "Сапаров Ерлан Маратович" in text
        assert co_inspector.position in text
        assert "Тестова Айгерим" in text  # the inspector (persona)
        assert "А. Тестова" in text  # the chief signs
        assert issued_on in text


def test_the_kazakh_documents_are_worded_in_kazakh(approved, inspector_x, chief_x, settings):
    order = _issued(approved, inspector_x, chief_x, "kk")
    pdf = pdf_text(stored(settings, order.pdf_file))
    document = docx_text(stored(settings, order.docx_file))
    for letter in KAZAKH_LETTERS:
        assert letter in pdf, letter
        assert letter in document, letter
    for text in (pdf, document):
        assert "НҰСҚАМА" in text
        assert "өрескел" in text or "елеулі" in text or "елеусіз" in text
        assert "ӘРПК" in text
        assert "Нұсқаманы объект басшысы (уәкілетті тұлға) алды" in text
        assert "Нұсқаманы алудан бас тарту туралы белгі" in text


def test_the_russian_documents_state_liability_appeal_and_degrees(approved, inspector_x, chief_x, settings):
    order = _issued(approved, inspector_x, chief_x, "ru")
    for text in (pdf_text(stored(settings, order.pdf_file)), docx_text(stored(settings, order.docx_file))):
        assert "ПРЕДПИСАНИЕ" in text
        assert "статьёй 149" in text
        assert "от 200 до 500" in text
        assert "АППК РК" in text
        assert "значительное" in text  # AC-2 and PE-1 are significant
        assert "незначительное" in text  # SR-4 is minor
        assert "в течение 3 календарных дней" in text
        assert "будет определена дополнительно" in text  # no follow-up date set
        assert "Предписание получил(а) руководитель объекта" in text
        assert "Отметка об отказе в получении предписания" in text


def test_the_stored_files_are_the_ones_hashed(order, settings):
    assert hashlib.sha256(stored(settings, order.pdf_file)).hexdigest() == order.pdf_sha256
    assert hashlib.sha256(stored(settings, order.docx_file)).hexdigest() == order.docx_sha256
    assert stored(settings, order.pdf_file).startswith(b"%PDF")


def test_a_follow_up_date_set_in_the_draft_is_printed(approved, inspector_x, chief_x, settings):
    draft = services.order_draft(actor=inspector_x, inspection=approved)
    follow_up = timezone.localdate() + dt.timedelta(days=45)
    services.order_update(actor=inspector_x, order=draft, data={"follow_up_on": follow_up})
    order = services.order_issue(actor=chief_x, order=draft)
    pdf, document = order_documents(order=order)
    assert follow_up.strftime("%d.%m.%Y") in pdf_text(pdf)
    assert follow_up.strftime("%d.%m.%Y") in docx_text(document)


def test_a_draft_has_no_documents(approved, inspector_x):
    draft = services.order_draft(actor=inspector_x, inspection=approved)
    with pytest.raises(ValueError):
        order_documents(order=draft)


def test_an_amendment_pdf_states_the_new_deadline(order, chief_x, settings):
    item = order.items.order_by("position").first()
    new_deadline = item.deadline + dt.timedelta(days=21)
    amendment = services.amendment_create(
        actor=chief_x,
        item=item,
        kind="extend",
        reason="Поставка турникетов задерживается",
        new_deadline=new_deadline,
    )
    data = stored(settings, amendment.pdf_file)
    assert hashlib.sha256(data).hexdigest() == amendment.pdf_sha256
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1
    text = pdf_text(data)
    assert amendment.number in text
    assert order.number in text
    assert new_deadline.strftime("%d.%m.%Y") in text
    assert item.deadline.strftime("%d.%m.%Y") in text  # the old one
    assert "Поставка турникетов задерживается" in text


def test_an_amendment_withdrawing_an_item_says_so(approved, inspector_x, chief_x):
    order = _issued(approved, inspector_x, chief_x, "kk")
    item = order.items.order_by("position").last()
    amendment = services.amendment_create(actor=chief_x, item=item, kind="withdraw", reason="Объект закрыт")
    assert OrderItem.objects.get(pk=item.pk).status == "withdrawn"
    text = pdf_text(amendment_pdf(amendment=amendment))
    assert f"№ {item.position} тармақ нұсқамадан алынып тасталады" in text
    assert "ӨЗГЕРІС" in text
