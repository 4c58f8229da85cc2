"""Every multi-step write is atomic: killed half-way, it leaves nothing half-written.

Each test injects an exception at a late step of a service (the history record, the status event, the
oversight score, the closing check, the notification delivery) and checks that the exception reaches the
caller, that no row of any table changed, that no file was left under MEDIA_ROOT, and that nobody was told
(no notification, no email) about what did not happen.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail

from qorgau.checklists import services as checklist_services
from qorgau.checklists.models import ChecklistTemplate
from qorgau.core import backup
from qorgau.core.models import ChangeRecord
from qorgau.inspections import photos as inspection_photos
from qorgau.inspections import services as inspection_services
from qorgau.inspections.models import Inspection, InspectionEvent
from qorgau.inspections.tests.test_services import answer_all
from qorgau.orders import deadlines
from qorgau.orders import services as order_services
from qorgau.orders.models import OrderItem
from qorgau.registry import importing
from qorgau.registry import services as registry_services
from qorgau.registry.models import School
from qorgau.registry.tests.import_files import csv_file, school_row
from qorgau.tests.access_world import jpeg_bytes
from qorgau.tests.factories import InspectionFactory, SchoolFactory, default_version, next_bin

pytestmark = pytest.mark.django_db
FAILED = ("AC-2", "PE-1", "DO-1")


class Killed(Exception):
    """The injected failure."""


def kill(*args, **kwargs):
    raise Killed("killed half-way")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def fake_documents(monkeypatch):
    """The documents' bytes do not matter here (test_documents.py covers them); storing them does."""
    import qorgau.orders

    fake = types.ModuleType("qorgau.orders.documents")
    fake.order_documents = lambda *, order: (b"%PDF-1.7 order", b"PK docx")
    fake.amendment_pdf = lambda *, amendment: b"%PDF-1.7 amendment"
    monkeypatch.setitem(sys.modules, "qorgau.orders.documents", fake)
    monkeypatch.setattr(qorgau.orders, "documents", fake, raising=False)


def state(media: Path) -> tuple[dict, set]:
    """Every row of every table, and every stored file."""
    rows = {
        model._meta.label_lower: list(backup.table_rows(model))
        for model in backup.backed_up_models("default")
    }
    files = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    return rows, files


def assert_unchanged(before: tuple[dict, set], media: Path, *, besides: tuple[str, ...] = ()) -> None:
    rows, files = state(media)
    changed = [label for label in rows if rows[label] != before[0].get(label) and label not in besides]
    assert changed == [], f"rows changed in {changed}"
    assert files == before[1], f"files left behind: {sorted(files - before[1])}"


@pytest.fixture
def killed(media, django_capture_on_commit_callbacks):
    """Run a service with one step patched to fail; check it failed whole and told nobody."""

    def run(patch, call):
        before = state(media)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks, patch, pytest.raises(Killed):
            call()
        assert callbacks == []  # nothing was left to run "after commit": no notification, no email
        assert mail.outbox == []
        assert_unchanged(before, media)

    return run


@pytest.fixture
def submitted(school_a, inspector_x):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    answer_all(inspection, inspector_x, fail=FAILED)
    inspection_photos.photo_add(actor=inspector_x, inspection=inspection, data=jpeg_bytes())
    return inspection_services.inspection_submit(actor=inspector_x, inspection=inspection)


@pytest.fixture
def approved(submitted, chief_x):
    return inspection_services.inspection_approve(actor=chief_x, inspection=submitted)


@pytest.fixture
def draft(approved, inspector_x):
    return order_services.order_draft(actor=inspector_x, inspection=approved)


@pytest.fixture
def issued(draft, chief_x, school_admin_a, fake_documents, django_capture_on_commit_callbacks):
    school_admin_a.email = "head@school.kz"
    school_admin_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        return order_services.order_issue(actor=chief_x, order=draft)


# Inspections -------------------------------------------------------------------------------------------


def test_campaign_create(killed, city_supervisor, district_x, school_a):
    SchoolFactory.create_batch(3, district=district_x)
    killed(
        mock.patch.object(InspectionEvent.objects, "bulk_create", kill),
        lambda: inspection_services.campaign_create(
            actor=city_supervisor,
            name="Осень",
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2026, 11, 30),
            districts=[district_x],
            template_version=default_version(),
        ),  # fmt: skip
    )


def test_inspections_assign(killed, city_supervisor, chief_x, inspector_x, district_x, school_a):
    campaign = inspection_services.campaign_create(
        actor=city_supervisor, name="Осень", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 11, 30),
        districts=[district_x], template_version=default_version(),
    )  # fmt: skip
    killed(
        mock.patch.object(InspectionEvent.objects, "bulk_create", kill),
        lambda: inspection_services.inspections_assign(
            actor=chief_x,
            inspections=list(campaign.inspections.all()),
            inspector=inspector_x,
            planned_on=dt.date(2026, 10, 1),
        ),  # fmt: skip
    )


def test_inspection_submit_makes_no_findings_when_killed(killed, school_a, inspector_x):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    answer_all(inspection, inspector_x, fail=FAILED)
    killed(
        mock.patch.object(inspection_services, "_event", kill),
        lambda: inspection_services.inspection_submit(actor=inspector_x, inspection=inspection),
    )
    assert not inspection.findings.exists()


def test_inspection_approve_takes_no_act_number_when_killed(killed, submitted, chief_x):
    killed(
        mock.patch.object(inspection_services.oversight_summary, "record_inspection", kill),
        lambda: inspection_services.inspection_approve(actor=chief_x, inspection=submitted),
    )
    # The counter was not used up: the next approval gets number 1.
    approved = inspection_services.inspection_approve(actor=chief_x, inspection=submitted)
    assert approved.act_seq == 1


def test_answer_amend(killed, approved, chief_x):
    item = approved.answers.get(item__code="AC-2").item
    killed(
        mock.patch.object(inspection_services.oversight_summary, "record_inspection", kill),
        lambda: inspection_services.answer_amend(
            actor=chief_x, inspection=approved, item=item, raw={"value": "yes"}, reason="Ошибка ввода"
        ),
    )


def test_photo_add_leaves_no_file_when_killed(killed, school_a, inspector_x, media):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    real_store = inspection_photos._store
    stored = []

    def store_then_fail(data, suffix):
        stored.append(real_store(data, suffix))
        if len(stored) == 2:  # the photo and its thumbnail are on disk; the row is not written yet
            raise Killed("killed half-way")
        return stored[-1]

    killed(
        mock.patch.object(inspection_photos, "_store", store_then_fail),
        lambda: inspection_photos.photo_add(actor=inspector_x, inspection=inspection, data=jpeg_bytes()),
    )
    assert len(stored) == 2  # files were written, then removed


# Orders ------------------------------------------------------------------------------------------------


def test_order_draft(killed, approved, inspector_x):
    killed(
        mock.patch.object(order_services, "_event", kill),
        lambda: order_services.order_draft(actor=inspector_x, inspection=approved),
    )


def test_order_issue_leaves_no_number_documents_or_notifications(killed, draft, chief_x, fake_documents):
    killed(
        mock.patch.object(order_services, "_event", kill),
        lambda: order_services.order_issue(actor=chief_x, order=draft),
    )
    draft.refresh_from_db()
    assert (draft.status, draft.seq, draft.pdf_file) == ("draft", None, "")


def test_report_fix_leaves_no_evidence_files(killed, issued, school_admin_a):
    item = issued.items.order_by("position").first()
    killed(
        mock.patch.object(order_services, "_event", kill),
        lambda: order_services.report_fix(
            actor=school_admin_a, item=item, comment="Сделано", files=[("fix.jpg", jpeg_bytes("olive"))]
        ),
    )


def test_report_decide(killed, issued, school_admin_a, inspector_x):
    item = issued.items.order_by("position").first()
    report = order_services.report_fix(
        actor=school_admin_a, item=item, comment="Сделано", files=[("fix.jpg", jpeg_bytes("olive"))]
    )
    killed(
        mock.patch.object(order_services, "_close_if_done", kill),
        lambda: order_services.report_decide(actor=inspector_x, report=report, accept=True),
    )


def test_an_accepted_extension_leaves_no_amendment_document(killed, issued, school_admin_a, inspector_x):
    item = issued.items.order_by("position").first()
    report = order_services.request_extension(
        actor=school_admin_a, item=item, requested_deadline=item.deadline + dt.timedelta(days=30),
        reason="Поставщик",
    )  # fmt: skip
    killed(
        mock.patch.object(order_services, "_close_if_done", kill),
        lambda: order_services.report_decide(actor=inspector_x, report=report, accept=True),
    )


def test_amendment_create_leaves_no_document(killed, issued, inspector_x):
    item = issued.items.order_by("position").first()
    killed(
        mock.patch.object(order_services, "_close_if_done", kill),
        lambda: order_services.amendment_create(
            actor=inspector_x, item=item, kind="withdraw", reason="Нарушение устранено до выдачи"
        ),
    )


def test_a_deadline_batch_killed_half_way_marks_nothing_and_emails_nobody(killed, issued):
    OrderItem.objects.filter(order=issued).update(deadline=dt.date(2026, 12, 10))
    real_deliver = deadlines.deliver

    def deliver_then_fail(notes):
        real_deliver(notes)  # notifications inserted, their emails waiting for the commit
        raise Killed("killed half-way")

    killed(
        mock.patch.object(deadlines, "deliver", deliver_then_fail),
        lambda: deadlines.check_deadlines(now=dt.datetime(2026, 12, 11, 9, 0, tzinfo=dt.UTC)),
    )


def test_a_deadline_batch_emails_only_after_it_commits_and_once(
    issued, school_admin_a, django_capture_on_commit_callbacks
):
    OrderItem.objects.filter(order=issued).update(deadline=dt.date(2026, 12, 10))
    now = dt.datetime(2026, 12, 11, 9, 0, tzinfo=dt.UTC)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deadlines.check_deadlines(now=now)
    assert mail.outbox == []  # the batch has not committed yet
    note = school_admin_a.notifications.filter(kind="overdue").first()
    assert note.emailed_at is None
    for callback in callbacks:  # the batch commits
        callback()
    assert [m.to for m in mail.outbox] == [["head@school.kz"]] * issued.items.count()
    note.refresh_from_db()
    assert note.emailed_at is not None
    for callback in callbacks:  # run again (a second worker, a retry): nothing is sent twice
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.check_deadlines(now=now)
    assert len(mail.outbox) == issued.items.count()


def test_an_email_that_failed_is_sent_by_the_next_run(
    issued, school_admin_a, django_capture_on_commit_callbacks
):
    OrderItem.objects.filter(order=issued).update(deadline=dt.date(2026, 12, 10))
    mail.outbox.clear()
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("smtp")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        deadlines.check_deadlines(now=dt.datetime(2026, 12, 11, 9, 0, tzinfo=dt.UTC))
    assert mail.outbox == []
    assert school_admin_a.notifications.filter(emailed_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        run = deadlines.check_deadlines(now=dt.datetime(2026, 12, 11, 9, 5, tzinfo=dt.UTC))
    assert run.resent == issued.items.count()
    assert len(mail.outbox) == issued.items.count()
    assert not school_admin_a.notifications.filter(emailed_at__isnull=True).exists()


# Registry and checklists -------------------------------------------------------------------------------


def test_a_large_import_writes_nothing_when_killed(killed, city_supervisor, district_x):
    data = csv_file([school_row(name_ru=f"Школа № {n}") for n in range(300)])
    killed(
        mock.patch.object(ChangeRecord.objects, "bulk_create", kill),
        lambda: importing.import_apply(user=city_supervisor, data=data, filename="schools.csv"),
    )
    assert not School.objects.filter(name_ru="Школа № 7").exists()


def test_school_create(killed, city_supervisor, district_x):
    data = {
        "district": district_x, "name_ru": "Школа № 77", "name_kk": "№ 77 мектеп", "bin": next_bin(),
        "address": "ул. Абая, 1", "pupils": 500, "shifts": 1,
    }  # fmt: skip
    killed(
        mock.patch.object(registry_services, "record_change", kill),
        lambda: registry_services.school_create(actor=city_supervisor, data=data),
    )


def test_school_update(killed, city_supervisor, school_a):
    killed(
        mock.patch.object(registry_services, "record_change", kill),
        lambda: registry_services.school_update(
            actor=city_supervisor, school=School.objects.get(pk=school_a.pk), data={"pupils": 1500}
        ),
    )


def test_checklist_publish(killed, city_supervisor):
    template = ChecklistTemplate.objects.get(code="atz-edu")
    draft = checklist_services.draft_create(actor=city_supervisor, template=template)
    killed(
        mock.patch.object(checklist_services, "record_change", kill),
        lambda: checklist_services.version_publish(
            actor=city_supervisor, version=draft, notes="Новая редакция"
        ),
    )


def test_files_of_a_service_that_succeeded_stay(issued, media):
    # The counterpart: a committed issue keeps its documents.
    assert (media / issued.pdf_file).exists() and (media / issued.docx_file).exists()
    assert Inspection.objects.filter(pk=issued.inspection_id, status="approved").exists()


def test_a_refused_finding_leaves_neither_its_photos_nor_their_files(client, school_a, inspector_x, media):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    client.force_login(inspector_x)
    before = state(media)
    response = client.post(
        reverse("inspections:finding_add", args=[inspection.pk]),
        {
            "severity": "S",
            "text": " ",
            "photos": [SimpleUploadedFile("gate.jpg", jpeg_bytes(), "image/jpeg")],
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422  # the finding has no text: refused, with its photo
    # A request saves the session (and may record an audit entry); the inspection's data must not change.
    assert_unchanged(before, media, besides=("sessions.session", "core.auditentry"))
