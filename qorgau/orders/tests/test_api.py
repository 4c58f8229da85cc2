"""The orders API: the loop from draft to closed order, scoping (404), roles (403), state (409),
input (400/422), notifications, and a fixed number of queries per list."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from qorgau.checklists.models import FixKind, Severity
from qorgau.inspections.models import Inspection
from qorgau.orders import services
from qorgau.orders.models import Notification, Order, OrderItem
from qorgau.orders.notify import notify_users
from qorgau.tests.api_client import Api as SharedApi
from qorgau.tests.factories import InspectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_documents")]

BASE = "/api/v1"
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Api(SharedApi):
    """The shared test client; a school's report uploads its comment and files."""

    def upload(self, path, comment, *files):
        return super().upload(path, {"comment": comment, "files": list(files)})


def jpeg(name="photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def later(days=30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(approved_inspection, inspector_x):
    return services.order_draft(actor=inspector_x, inspection=approved_inspection)


@pytest.fixture
def issued(draft, chief_x):
    return services.order_issue(actor=chief_x, order=draft)


@pytest.fixture
def reported(issued, school_admin_a):
    """An issued order whose first item the school has reported fixed."""
    item = issued.items.order_by("position").first()
    report = services.report_fix(
        actor=school_admin_a, item=item, comment="Сделано", files=[("a.jpg", jpeg().read())]
    )
    return issued, item, report


def make_issued_order(school, drafted_by, *, items=1, deadline=None, overdue=False) -> Order:
    """An issued order written straight to the database, for lists and scoping tests."""
    inspection = InspectionFactory(school=school, inspector=drafted_by, status=Inspection.Status.APPROVED)
    last = Order.objects.filter(district_id=school.district_id).order_by("-seq").first()
    order = Order.objects.create(
        inspection=inspection, school=school, district_id=school.district_id, status=Order.Status.ISSUED,
        year=timezone.localdate().year, seq=(last.seq if last and last.seq else 0) + 1, drafted_by=drafted_by,
        issued_at=timezone.now(),
    )  # fmt: skip
    deadline = deadline or timezone.localdate() + dt.timedelta(days=10)
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            school_id=order.school_id,
            district_id=order.district_id,
            issued_at=order.issued_at,
            position=n,
            found="Журнал не ведётся",
            remedy="Завести журнал",
            severity=Severity.GROSS,
            fix_kind=FixKind.ORGANISATIONAL,
            deadline=deadline,
            overdue_since=timezone.localdate() if overdue else None,
        )  # fmt: skip
        for n in range(1, items + 1)
    )
    return order


# The loop ----------------------------------------------------------------------------------------------


def test_the_whole_loop_runs_through_the_api(
    approved_inspection, inspector_x, chief_x, school_admin_a, django_capture_on_commit_callbacks
):
    police, chief, school = Api(inspector_x), Api(chief_x), Api(school_admin_a)

    response = police.post(f"/inspections/{approved_inspection.pk}/order")
    assert response.status_code == 201
    order = response.json()
    assert (order["status"], order["number"], order["documents"]) == ("draft", "", {})
    assert [i["position"] for i in order["items"]] == [1, 2, 3]
    # Drafting again (here with no body at all) answers the same draft.
    again = police.client.generic("POST", f"{BASE}/inspections/{approved_inspection.pk}/order", b"")
    assert (again.status_code, again.json()["id"]) == (200, order["id"])
    url = f"/orders/{order['id']}"
    first, second, third = (i["id"] for i in order["items"])

    assert school.get(url).status_code == 404  # a draft is the police's own
    response = police.patch(url, {"report_by_days": 5, "follow_up_on": later(100)})
    assert response.json()["report_by_days"] == 5
    response = police.patch(f"{url}/items/{first}", {"deadline": later(14), "remedy": "Завести журнал"})
    assert (response.json()["deadline"], response.json()["remedy"]) == (later(14), "Завести журнал")

    with django_capture_on_commit_callbacks(execute=True):
        response = chief.post(f"{url}/issue")
    assert response.status_code == 200
    order = response.json()
    assert order["number"] == f"TX/{timezone.localtime().year}/0001"
    assert set(order["documents"]) == {"pdf", "docx"}
    assert SHA256.match(order["documents"]["pdf"]["sha256"])
    assert order["documents"]["pdf"]["url"].endswith(f"/orders/{order['id']}/order.pdf")

    assert [o["id"] for o in school.get("/orders").json()["items"]] == [order["id"]]
    response = school.post(f"{url}/acknowledge", {"name": "Ахметова Г. С."})
    assert response.json()["delivery"] == "online"

    with django_capture_on_commit_callbacks(execute=True):
        response = school.upload(f"{url}/items/{first}/reports", "Журнал заведён", jpeg())
    assert response.status_code == 201
    report = response.json()
    (evidence,) = report["evidence"]
    assert evidence["content_type"] == "image/jpeg"
    assert SHA256.match(evidence["sha256"])
    assert evidence["url"].endswith(f"/orders/{order['id']}/evidence/{evidence['id']}/")

    with django_capture_on_commit_callbacks(execute=True):
        response = police.post(
            f"{url}/reports/{report['id']}/decide", {"accept": False, "reason": "На фото не тот журнал"}
        )
    assert response.json()["decision"] == "rejected"
    assert police.get(url).json()["items"][0]["status"] == "open"

    with django_capture_on_commit_callbacks(execute=True):
        report = school.upload(
            f"{url}/items/{first}/reports", "Вот журнал", jpeg("1.jpg"), jpeg("2.jpg")
        ).json()
    assert len(report["evidence"]) == 2
    police.post(f"{url}/reports/{report['id']}/decide", {"accept": True})

    response = school.post(
        f"{url}/items/{second}/extension", {"requested_deadline": later(200), "reason": "Поставка"}
    )
    assert response.status_code == 201
    police.post(f"{url}/reports/{response.json()['id']}/decide", {"accept": True})

    response = police.post(f"{url}/items/{third}/amendments", {"kind": "withdraw", "reason": "Капремонт"})
    assert response.status_code == 201
    assert response.json()["number"] == f"{order['number']}-И2"
    assert SHA256.match(response.json()["document"]["sha256"])
    response = police.post(f"{url}/items/{second}/verify", {"done": True, "reason": "Проверено на месте"})
    assert response.json()["status"] == "done"

    order = police.get(url).json()
    assert order["status"] == "closed"
    assert [i["status"] for i in order["items"]] == ["done", "done", "withdrawn"]
    assert [a["kind"] for a in order["amendments"]] == ["extend", "withdraw"]
    assert order["items"][1]["deadline"] == later(200)
    actions = [e["action"] for e in order["events"]]
    assert actions[0] == "drafted" and actions[-1] == "closed"
    assert {"issued", "delivered", "reported", "rejected", "accepted", "amended"} <= set(actions)

    notes = school.get("/notifications").json()
    assert {n["kind"] for n in notes["items"]} == {"issued", "decided"}
    unread = school.get("/notifications", {"unread": "true"}).json()["count"]
    response = school.post(f"/notifications/{notes['items'][0]['id']}/read")
    assert response.json()["read_at"] is not None
    assert school.get("/notifications", {"unread": "true"}).json()["count"] == unread - 1
    assert [n["kind"] for n in police.get("/notifications").json()["items"]] == ["reported", "reported"]


def test_a_follow_up_inspection_is_scheduled(issued, inspector_x):
    response = Api(inspector_x).post(f"/orders/{issued.pk}/follow-up", {"planned_on": later(20)})
    assert response.status_code == 201
    inspection = Inspection.objects.get(pk=response.json()["inspection_id"])
    assert (inspection.kind, inspection.school_id) == ("follow_up", issued.school_id)
    assert Api(inspector_x).get(f"/orders/{issued.pk}").json()["follow_up_on"] == later(20)


def test_the_chief_refers_an_overdue_item(issued, chief_x):
    item = issued.items.order_by("position").first()
    url = f"/orders/{issued.pk}/items/{item.pk}/refer"
    assert Api(chief_x).post(url, {"note": "КоАП 149"}).status_code == 409  # not overdue yet
    OrderItem.objects.filter(pk=item.pk).update(overdue_since=timezone.localdate())
    response = Api(chief_x).post(url, {"note": "Материал направлен"})
    assert (response.status_code, response.json()["referral_note"]) == (200, "Материал направлен")


# Lists -------------------------------------------------------------------------------------------------


def test_orders_are_filtered_by_status_school_and_overdue(
    draft, issued, school_a, school_b, inspector_x, inspector_y, city_supervisor
):
    other = make_issued_order(school_b, inspector_y, overdue=True)
    api = Api(city_supervisor)

    def ids(**params):
        return {o["id"] for o in api.get("/orders", params).json()["items"]}

    assert ids() == {issued.pk, other.pk}
    assert ids(school=school_b.pk) == {other.pk}
    assert ids(overdue="true") == {other.pk}
    assert ids(status="closed") == set()
    listed = api.get("/orders", {"limit": 1}).json()
    assert (listed["count"], len(listed["items"])) == (2, 1)
    assert api.get("/orders", {"status": "lost"}).status_code == 422
    assert {o["id"] for o in Api(inspector_x).get("/orders").json()["items"]} == {issued.pk}


def test_overdue_items_show_how_many_days_overdue(school_a, school_b, inspector_x, inspector_y, chief_x):
    ten_days_ago = timezone.localdate() - dt.timedelta(days=10)
    order = make_issued_order(school_a, inspector_x, items=2, deadline=ten_days_ago, overdue=True)
    make_issued_order(school_b, inspector_y, deadline=ten_days_ago, overdue=True)
    rows = Api(chief_x).get("/orders/overdue").json()["items"]
    assert [(r["order_id"], r["position"], r["days_overdue"]) for r in rows] == [
        (order.pk, 1, 10),
        (order.pk, 2, 10),
    ]
    assert rows[0]["order_number"] == order.number
    assert rows[0]["school"]["id"] == school_a.pk


def test_lists_run_a_fixed_number_of_queries_whatever_their_length(
    school_a, inspector_x, school_admin_a, django_assert_max_num_queries
):
    police, school = Api(inspector_x), Api(school_admin_a)
    police.get("/orders"), school.get("/notifications")  # the token's first use is recorded, then only read

    def add(n):
        for _ in range(n):
            order = make_issued_order(school_a, inspector_x, items=3, overdue=True)
            notify_users(users=[school_admin_a], kind="issued", key=f"issued:{order.pk}", order=order)

    def counts():
        counted = {}
        for name, api, path in (
            ("orders", police, "/orders"),
            ("overdue", police, "/orders/overdue"),
            ("notifications", school, "/notifications"),
        ):
            with CaptureQueriesContext(connection) as ctx:
                response = api.get(path)
            assert response.status_code == 200
            counted[name] = (len(ctx.captured_queries), response.json()["count"])
        return counted

    add(2)
    small = counts()
    add(10)
    large = counts()
    assert {k: v[1] for k, v in small.items()} == {"orders": 2, "overdue": 6, "notifications": 2}
    assert {k: v[1] for k, v in large.items()} == {"orders": 12, "overdue": 36, "notifications": 12}
    assert {k: v[0] for k, v in small.items()} == {k: v[0] for k, v in large.items()}
    assert max(v[0] for v in large.values()) <= 3  # the token, the count, the page


def test_the_order_detail_runs_a_fixed_number_of_queries(reported, inspector_x, school_admin_a):
    order, item, report = reported
    api = Api(inspector_x)
    api.get(f"/orders/{order.pk}")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"/orders/{order.pk}").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    services.report_decide(actor=inspector_x, report=report, accept=False, reason="Нечётко")
    for item in order.items.all():
        if item.status == "open":
            services.report_fix(
                actor=school_admin_a, item=item, comment="Готово", files=[("b.jpg", jpeg().read())] * 2
            )
    services.amendment_create(
        actor=inspector_x, item=order.items.get(position=2), kind="extend", reason="x",
        new_deadline=timezone.localdate() + dt.timedelta(days=365),
    )  # fmt: skip
    assert queries() == few


# Scoping, roles, state -----------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/orders/{o}", None),
    ("patch", "/orders/{o}", {"report_by_days": 5}),
    ("patch", "/orders/{o}/items/{i}", {"remedy": "Иное"}),
    ("post", "/orders/{o}/issue", {}),
    ("post", "/orders/{o}/acknowledge", {"name": "Иванова"}),
    ("post", "/orders/{o}/delivery", {"kind": "paper", "received_by_name": "Иванова"}),
    ("upload", "/orders/{o}/items/{i}/reports", None),
    ("post", "/orders/{o}/items/{i}/extension", {"requested_deadline": later(400), "reason": "Поставка"}),
    ("post", "/orders/{o}/reports/{r}/decide", {"accept": True}),
    ("post", "/orders/{o}/items/{i}/verify", {"done": True, "reason": "Проверено"}),
    ("post", "/orders/{o}/items/{i}/amendments", {"kind": "withdraw", "reason": "Капремонт"}),
    ("post", "/orders/{o}/items/{i}/refer", {"note": "КоАП 149"}),
    ("post", "/orders/{o}/follow-up", {"planned_on": later(20)}),
    ("post", "/inspections/{n}/order", {}),
]
WRITES = [e for e in ENDPOINTS if e[0] != "get"]


def call(api, method, path, body, ids):
    path = path.format(**ids)
    if method == "upload":
        return api.upload(path, "Сделано", jpeg())
    if method == "get":
        return api.get(path)
    return getattr(api, method)(path, body)


def ids_of(order, item, report) -> dict:
    return {"o": order.pk, "i": item.pk, "r": report.pk if report else item.pk, "n": order.inspection_id}


def snapshot(order):
    order.refresh_from_db()
    return (
        order.status, order.delivery, order.report_by_days, order.follow_up_on,
        list(order.items.values_list("status", "remedy", "referred_at")),
        list(order.events.values_list("action", flat=True)), order.amendments.count(),
    )  # fmt: skip


@pytest.mark.parametrize("outsider", ["inspector_y", "school_admin_b"])
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_an_outsider_gets_404_from_every_endpoint_of_an_order(
    reported, outsider, request, method, path, body
):
    order, item, report = reported
    before = snapshot(order)
    response = call(Api(request.getfixturevalue(outsider)), method, path, body, ids_of(order, item, report))
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]  # nothing about what was looked for
    assert snapshot(order) == before


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if "{n}" not in e[1]])
def test_the_school_gets_404_for_its_own_order_while_it_is_a_draft(draft, school_admin_a, method, path, body):
    item = draft.items.first()
    before = snapshot(draft)
    assert call(Api(school_admin_a), method, path, body, ids_of(draft, item, None)).status_code == 404
    assert snapshot(draft) == before


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_the_education_department_reads_but_gets_403_on_every_write(
    reported, education_user, method, path, body
):
    order, item, report = reported
    api = Api(education_user)
    assert api.get(f"/orders/{order.pk}").status_code == 200
    before = snapshot(order)
    assert call(api, method, path, body, ids_of(order, item, report)).status_code == 403
    assert snapshot(order) == before


def test_a_school_cannot_report_on_another_schools_item(
    issued, school_b, inspector_y, school_admin_a, school_admin_b
):
    theirs = make_issued_order(school_b, inspector_y).items.get()
    ours = issued.items.first()
    # Their item under our order's address, and our item through their order: neither is found.
    assert (
        Api(school_admin_a).upload(f"/orders/{issued.pk}/items/{theirs.pk}/reports", "x", jpeg()).status_code
        == 404
    )
    assert (
        Api(school_admin_b)
        .upload(f"/orders/{theirs.order_id}/items/{ours.pk}/reports", "x", jpeg())
        .status_code
        == 404
    )
    assert Api(school_admin_a).post(f"/orders/{issued.pk}/items/{theirs.pk}/extension", {}).status_code == 404
    assert not theirs.reports.exists() and not ours.reports.exists()


def test_an_issued_order_cannot_be_patched(issued, inspector_x):
    item = issued.items.first()
    response = Api(inspector_x).patch(f"/orders/{issued.pk}", {"report_by_days": 7})
    assert response.status_code == 409
    assert response.json()["detail"]  # says to make an amendment instead
    assert Api(inspector_x).patch(f"/orders/{issued.pk}/items/{item.pk}", {"remedy": "x"}).status_code == 409
    issued.refresh_from_db()
    assert issued.report_by_days == 3


def test_a_school_may_not_draft_issue_or_verify(reported, approved_inspection, school_admin_a):
    order, item, report = reported
    api = Api(school_admin_a)
    assert api.post(f"/inspections/{approved_inspection.pk}/order").status_code == 403
    assert api.post(f"/orders/{order.pk}/reports/{report.pk}/decide", {"accept": True}).status_code == 403
    assert (
        api.post(f"/orders/{order.pk}/items/{item.pk}/verify", {"done": True, "reason": "x"}).status_code
        == 403
    )


def test_an_order_is_drafted_only_from_approved_results(school_a, inspector_x):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    assert Api(inspector_x).post(f"/inspections/{inspection.pk}/order").status_code == 409


# Input ---------------------------------------------------------------------------------------------------


@pytest.fixture
def another_draft(school_a, inspector_x, chief_x):
    from qorgau.inspections import services as inspection_services
    from qorgau.inspections.tests.test_services import answer_all

    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    answer_all(inspection, inspector_x, fail=("AC-1",))
    inspection_services.inspection_submit(actor=inspector_x, inspection=inspection)
    inspection_services.inspection_approve(actor=chief_x, inspection=inspection)
    return services.order_draft(actor=inspector_x, inspection=inspection)


def test_validation_errors_name_the_fields(issued, another_draft, inspector_x, school_admin_a):
    police, school = Api(inspector_x), Api(school_admin_a)
    item = issued.items.order_by("position").first()
    url = f"/orders/{issued.pk}"

    def errors(response, status=400):
        assert response.status_code == status, response.content
        return set(response.json()["errors"])

    assert errors(police.post(f"{url}/delivery", {"kind": "paper"})) == {"received_by_name"}
    assert errors(police.post(f"{url}/delivery", {"kind": "by pigeon"})) == {"kind"}
    assert errors(police.post(f"{url}/delivery", {"kind": "refused"})) == {"note"}
    assert errors(school.upload(f"{url}/items/{item.pk}/reports", "Сделано")) == {"files"}
    assert errors(school.upload(f"{url}/items/{item.pk}/reports", "", jpeg())) == {"comment"}
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
    assert errors(school.upload(f"{url}/items/{item.pk}/reports", "Сделано", fake)) == {"files"}
    assert errors(school.post(f"{url}/items/{item.pk}/extension", {"reason": "Поставка"})) == {
        "requested_deadline"
    }
    assert errors(school.post(f"{url}/acknowledge", {"name": " "})) == {"name"}
    assert errors(police.post(f"{url}/items/{item.pk}/amendments", {"kind": "extend", "reason": "x"})) == {
        "new_deadline"
    }
    assert errors(police.post(f"{url}/items/{item.pk}/amendments", {"kind": "extend"})) == {"reason"}

    draft_url = f"/orders/{another_draft.pk}"
    draft_item = another_draft.items.first()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert errors(police.patch(f"{draft_url}/items/{draft_item.pk}", {"deadline": yesterday})) == {"deadline"}
    assert errors(police.patch(f"{draft_url}/items/{draft_item.pk}", {"severity": "X"})) == {"severity"}
    # null for a text that may be empty but not missing: refused on its field, not a database error
    assert errors(police.patch(f"{draft_url}/items/{draft_item.pk}", {"legal_ref": None})) == {"legal_ref"}
    assert errors(police.patch(draft_url, {"language": "fr"})) == {"language"}
    assert errors(police.patch(draft_url, {"follow_up_on": yesterday})) == {"follow_up_on"}
    assert errors(police.patch(draft_url, {"report_by_days": "many"}), 422) == {"report_by_days"}
    assert errors(police.patch(draft_url, {"colour": "red"}), 422) == {"colour"}
    assert errors(police.post(f"{url}/reports/1/decide", {}), 422) == {"accept"}


# Notifications -------------------------------------------------------------------------------------------


def test_notifications_are_the_users_own(issued, school_admin_a, inspector_x):
    notify_users(users=[school_admin_a], kind="issued", key=f"issued:{issued.pk}", order=issued)
    note = Notification.objects.get(recipient=school_admin_a)
    police, school = Api(inspector_x), Api(school_admin_a)
    assert police.get("/notifications").json()["count"] == 0
    assert police.post(f"/notifications/{note.pk}/read").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    assert police.post("/notifications/999999/read").status_code == 404

    listed = school.get("/notifications").json()["items"]
    assert [(n["id"], n["kind"], n["order_id"]) for n in listed] == [(note.pk, "issued", issued.pk)]
    assert issued.number in listed[0]["subject"]
    assert school.post(f"/notifications/{note.pk}/read").status_code == 200
    assert school.get("/notifications", {"unread": "true"}).json()["count"] == 0
    assert school.get("/notifications", {"unread": "false"}).json()["count"] == 1
