"""The national-scale history (`demo_national.py`) on a small city: what it writes holds the invariants the
services would keep, so that benchmarks measure a database a real one could be."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Q
from django.test import override_settings
from django.utils import timezone

from qorgau.accounts.models import Role, User
from qorgau.core import demo
from qorgau.core.demo_national import national_history_create
from qorgau.inspections.models import ActCounter, Answer, Campaign, Finding, Inspection
from qorgau.orders.models import Amendment, Order, OrderCounter, OrderItem, SchoolReport
from qorgau.oversight.models import InspectionScore
from qorgau.oversight.summary import rebuild_scores

pytestmark = pytest.mark.django_db

SCHOOLS = 30


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """Built once for the module (each test runs in its own savepoint inside), rolled back at the end."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast), transaction.atomic():
        yield demo.demo_create(schools=SCHOOLS, national=True).national
        transaction.set_rollback(True)


def _score_rows():
    fields = [f.attname for f in InspectionScore._meta.concrete_fields]
    return sorted(InspectionScore.objects.values_list(*fields))


def test_it_writes_years_of_inspections_with_every_applicable_answer(city):
    assert Campaign.objects.count() == city.campaigns == 11
    approved = Inspection.objects.filter(status=Inspection.Status.APPROVED)
    assert approved.count() >= SCHOOLS * 9  # about ten per school over five years
    for status in Inspection.Status.values:
        assert Inspection.objects.filter(status=status).exists(), status
    done = Inspection.objects.filter(status__in=["submitted", "returned", "approved"])
    per_inspection = set(done.annotate(n=Count("answers")).values_list("n", flat=True))
    assert per_inspection == {31}  # every school of the demo city is tier 3: all 31 items apply
    assert Answer.objects.count() == city.answers
    assert Answer.objects.filter(result="fail").count() > Answer.objects.count() * 0.05


def test_scores_equal_what_rebuild_scores_computes(city):
    written = _score_rows()
    assert len(written) == Inspection.objects.filter(status=Inspection.Status.APPROVED).count()
    rebuild_scores()
    assert _score_rows() == written


def test_findings_are_the_failed_answers_and_order_items_the_findings(city):
    submitted = Inspection.objects.filter(status__in=["submitted", "returned", "approved"])
    failed = Answer.objects.filter(inspection__in=submitted, result="fail").count()
    assert Finding.objects.filter(item__isnull=False).count() == failed
    assert not Finding.objects.exclude(inspection__in=submitted).exists()
    assert not OrderItem.objects.filter(finding__isnull=True).exists()
    for item in OrderItem.objects.select_related("finding", "order")[:500]:
        assert item.finding.inspection_id == item.order.inspection_id
        assert item.severity == item.finding.severity
    # Positions run 1..n in every order.
    positions = Order.objects.annotate(n=Count("items"), top=Max("items__position"))
    assert all(o.n == o.top for o in positions)


def test_item_statuses_agree_with_their_dates(city):
    today = timezone.localdate()
    items = OrderItem.objects.select_related("order")
    assert not items.filter(order__status=Order.Status.DRAFT).exclude(status=OrderItem.Status.OPEN).exists()
    for status in OrderItem.Status.values:
        assert items.filter(status=status).exists(), status
    assert not items.filter(status=OrderItem.Status.DONE, done_at__isnull=True).exists()
    assert not items.exclude(status=OrderItem.Status.DONE).filter(done_at__isnull=False).exists()
    for item in items.filter(status=OrderItem.Status.DONE):
        assert item.done_at > item.order.issued_at
    open_items = items.filter(status__in=["open", "reported"], order__status=Order.Status.ISSUED)
    overdue = open_items.filter(overdue_since__isnull=False)
    assert overdue.exists()
    assert not open_items.filter(status="open", deadline__lt=today, overdue_since__isnull=True).exists()
    for item in items.filter(overdue_since__isnull=False):
        assert item.overdue_since == item.deadline + dt.timedelta(days=1) <= today
    # A closed order has nothing open; an issued one has something open.
    assert not items.filter(order__status=Order.Status.CLOSED, status__in=["open", "reported"]).exists()
    for order in Order.objects.filter(status=Order.Status.ISSUED).annotate(
        n=Count("items", filter=Q(items__status__in=["open", "reported"]))
    ):
        assert order.n > 0
    assert SchoolReport.objects.filter(decision="").count() == items.filter(status="reported").count()
    assert Amendment.objects.count() == items.filter(status="withdrawn").count()


def test_numbers_are_unique_and_counters_continue_them(city):
    for model, counter, year, seq in (
        (Inspection, ActCounter, "act_year", "act_seq"),
        (Order, OrderCounter, "year", "seq"),
    ):
        tops = (
            model.objects.filter(**{f"{seq}__isnull": False})
            .values("district_id", year)
            .annotate(top=Max(seq), n=Count("id"))
        )
        assert tops
        for row in tops:
            assert row["top"] == row["n"]  # 1..n without gaps
            last = counter.objects.get(district_id=row["district_id"], year=row[year]).last
            assert last >= row["top"]
    assert not Order.objects.filter(status=Order.Status.DRAFT, seq__isnull=False).exists()
    assert not Order.objects.exclude(status=Order.Status.DRAFT).filter(seq__isnull=True).exists()


def test_it_is_the_same_history_for_the_same_seed(city):
    def fingerprint():
        return (
            list(
                Inspection.objects.order_by("id").values_list(
                    "school__bin", "status", "planned_on", "act_seq"
                )
            ),
            list(Answer.objects.order_by("id").values_list("item__code", "result", "summary")[:2000]),
            list(OrderItem.objects.order_by("id").values_list("status", "deadline", "overdue_since")),
        )

    first = fingerprint()
    for model in (Amendment, SchoolReport, OrderItem, Order, InspectionScore, Finding, Answer, Inspection):
        model.objects.all().delete()
    Campaign.objects.all().delete()
    User.objects.filter(username__startswith="head_").delete()
    ActCounter.objects.all().delete()
    OrderCounter.objects.all().delete()
    national_history_create()
    assert fingerprint() == first


def test_every_school_gets_an_administrator_and_a_new_approval_continues_the_numbers(city):
    assert (
        User.objects.filter(role=Role.SCHOOL_ADMIN).values("organisation__school").distinct().count()
        == SCHOOLS
    )
    from qorgau.inspections import services

    inspection = Inspection.objects.filter(status=Inspection.Status.SUBMITTED).first()
    chief = User.objects.get(username=f"chief_{inspection.district.code.lower()}")
    year = timezone.localtime().year
    top = Inspection.objects.filter(district=inspection.district, act_year=year).aggregate(m=Max("act_seq"))[
        "m"
    ]
    approved = services.inspection_approve(actor=chief, inspection=inspection)
    assert approved.act_seq == (top or 0) + 1
    assert InspectionScore.objects.filter(inspection=approved).exists()


@pytest.mark.parametrize(
    ("args", "national"),
    [(["--schools", "24"], True), (["--schools", "24", "--no-national"], False), (["--schools", "16"], False),
     (["--schools", "24", "--history"], False), (["--schools", "16", "--national"], True)],
)  # fmt: skip
def test_the_command_writes_it_for_a_city_bigger_than_the_standard_one(monkeypatch, args, national):
    calls = []

    def fake_create(**kwargs):
        calls.append(kwargs)
        raise SystemExit  # stop before printing: only the decision is tested

    monkeypatch.setattr(demo, "DEFAULT_SCHOOLS", 20)
    monkeypatch.setattr(demo, "demo_exists", lambda: False)
    monkeypatch.setattr(demo, "demo_create", fake_create)
    with pytest.raises(SystemExit):
        call_command("demo", *args, stdout=StringIO())
    assert calls[0]["national"] is national
