"""What to inspect next: the score and its reasons, the page, its export, a campaign from the top of it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from qorgau.accounts.models import Role
from qorgau.checklists.models import FixKind, Severity
from qorgau.inspections import services as inspection_services
from qorgau.inspections.models import Campaign, Inspection, InspectionEvent
from qorgau.orders.deadlines import check_deadlines
from qorgau.orders.models import Order, OrderItem
from qorgau.oversight import risk
from qorgau.oversight.models import InspectionScore, SchoolRisk
from qorgau.registry.models import EquipmentStatus
from qorgau.tests.factories import (
    AccessPointFactory,
    CameraFactory,
    GuardContractFactory,
    GuardPostFactory,
    InspectionFactory,
    PanicButtonFactory,
    SchoolFactory,
    SecurityFirmFactory,
    make_user,
    order_item,
)

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


# Building schools with reasons ---------------------------------------------------------------------------


def clean_school(district, *, pupils=500, name=None, inspected_days_ago=10, **kwargs):
    """A school with nothing against it but its pupils: equipped, guarded, inspected recently."""
    school = SchoolFactory(district=district, pupils=pupils, **({"name_ru": name} if name else {}), **kwargs)
    PanicButtonFactory(school=school)
    CameraFactory(school=school)
    GuardContractFactory(school=school)
    if inspected_days_ago is not None:
        inspected(school, days_ago=inspected_days_ago)
    return school


def inspected(school, *, days_ago: int, gross: int = 0) -> InspectionScore:
    inspection = InspectionFactory(school=school, status=Inspection.Status.APPROVED)
    return InspectionScore.objects.create(
        inspection=inspection, school=school, district=school.district,
        approved_at=timezone.now() - dt.timedelta(days=days_ago), gross_findings=gross, findings=gross,
    )  # fmt: skip


def order_for(school, *, drafted_by, status=Order.Status.ISSUED) -> Order:
    return Order.objects.create(
        inspection=InspectionFactory(school=school, status=Inspection.Status.APPROVED),  # an order follows
        school=school, district=school.district, status=status,
        drafted_by=drafted_by, year=2026, seq=next(_seq),
        issued_at=None if status == Order.Status.DRAFT else timezone.now(),
    )  # fmt: skip


def add_item(order, *, deadline, overdue=False, fix_kind=FixKind.ORGANISATIONAL, status=OrderItem.Status.OPEN,
             remedy="Отремонтировать тревожную кнопку"):  # fmt: skip
    return order_item(
        order, position=order.items.count() + 1, found="Кнопка не работает", remedy=remedy,
        severity=Severity.GROSS, fix_kind=fix_kind, deadline=deadline, status=status,
        overdue_since=deadline + dt.timedelta(days=1) if overdue else None,
    )  # fmt: skip


def overdue_items(school, n: int, *, drafted_by):
    order = order_for(school, drafted_by=drafted_by)
    past = timezone.localdate() - dt.timedelta(days=10)
    return [add_item(order, deadline=past, overdue=True) for _ in range(n)]


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def ranking(user, **filters):
    """The ranking from facts gathered now (as the deadline job or the page's button gathers them)."""
    risk.refresh_risk()
    return risk.risk_ranking(user=user, **filters)


def ranked_names(user, **filters) -> list[str]:
    return list(ranking(user, **filters).values_list("name_ru", flat=True))


# The score and its reasons -------------------------------------------------------------------------------


def test_a_school_with_overdue_items_ranks_above_a_clean_one(district_x, chief_x):
    clean = clean_school(district_x, name="Чистая")
    late = clean_school(district_x, name="С просрочкой")
    overdue_items(late, 2, drafted_by=chief_x)
    assert ranked_names(chief_x)[:2] == [late.name_ru, clean.name_ru]
    row = ranking(chief_x).get(pk=late.pk)
    assert row.overdue_items == 2


def test_only_open_items_of_issued_orders_count_as_overdue(district_x, chief_x):
    school = clean_school(district_x)
    past = timezone.localdate() - dt.timedelta(days=5)
    add_item(order_for(school, drafted_by=chief_x), deadline=past, overdue=True)
    add_item(order_for(school, drafted_by=chief_x), deadline=past, overdue=True, status=OrderItem.Status.DONE)
    add_item(order_for(school, drafted_by=chief_x, status=Order.Status.DRAFT), deadline=past, overdue=True)
    add_item(order_for(school, drafted_by=chief_x), deadline=past)  # past its deadline, not yet marked
    assert ranking(chief_x).get(pk=school.pk).overdue_items == 1


def test_gross_findings_and_days_come_from_the_latest_approved_inspection(district_x, chief_x):
    school = clean_school(district_x, inspected_days_ago=None)
    inspected(school, days_ago=400, gross=5)
    inspected(school, days_ago=45, gross=2)
    row = ranking(chief_x).get(pk=school.pk)
    assert row.gross_last == 2
    assert row.days_since in (44, 45, 46)  # the day boundary is UTC in the database


def test_a_school_never_inspected_counts_the_cap_and_says_so(district_x, chief_x):
    seen = clean_school(district_x, inspected_days_ago=100, name="Проверенная")
    never = clean_school(district_x, inspected_days_ago=None, name="Непроверенная")
    assert ranked_names(chief_x) == [never.name_ru, seen.name_ru]
    w = risk.weights()
    row = ranking(chief_x).get(pk=never.pk)
    assert row.days_since is None
    cap_points = risk.max_days() / risk.DAYS_PER_MONTH * w["month_uninspected"]
    assert row.risk_score == pytest.approx(cap_points + 500 / 1000 * w["per_1000_pupils"])
    with translation.override("en"):
        assert "never inspected" in [r.text for r in risk.reasons_for(row)]


def test_each_reason_is_a_readable_chip_with_its_points(district_x, chief_x):
    expired_firm = SecurityFirmFactory(licence_expiry=timezone.localdate() - dt.timedelta(days=3))
    school = SchoolFactory(district=district_x, pupils=1200)
    GuardContractFactory(
        school=school, firm=expired_firm, valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    CameraFactory(school=school, status=EquipmentStatus.FAULTY)
    inspected(school, days_ago=14 * 30 + 3, gross=3)
    overdue_items(school, 3, drafted_by=chief_x)
    row = ranking(chief_x).get(pk=school.pk)
    with translation.override("en"):
        reasons = {r.text: r for r in risk.reasons_for(row)}
    assert set(reasons) == {
        "3 overdue items", "3 gross findings last time", "not inspected for 14 months", "no panic button",
        "1 device faulty or missing", "guard contract expired", "guard firm's licence expired", "1200 pupils",
    }  # fmt: skip
    w = risk.weights()
    assert reasons["3 overdue items"].points == 3 * w["overdue_item"]
    assert reasons["3 overdue items"].level == "bad"
    assert reasons["not inspected for 14 months"].level == "warn"
    # The score is the sum of the reasons' points, computed by the database.
    assert row.risk_score == pytest.approx(sum(r.points for r in reasons.values()), abs=0.1)


def test_no_contract_and_no_cameras_are_reasons_too(district_x, chief_x):
    school = SchoolFactory(district=district_x)
    PanicButtonFactory(school=school)
    row = ranking(chief_x).get(pk=school.pk)
    with translation.override("en"):
        texts = [r.text for r in risk.reasons_for(row)]
    assert "no guard contract" in texts and "no cameras" in texts and "no panic button" not in texts


def test_weights_from_the_settings_change_the_order(district_x, chief_x):
    big = clean_school(district_x, pupils=2000, name="Большая")
    late = clean_school(district_x, pupils=300, name="С просрочкой")
    overdue_items(late, 1, drafted_by=chief_x)
    assert ranked_names(chief_x) == [late.name_ru, big.name_ru]
    with override_settings(QORGAU_RISK_WEIGHTS={"per_1000_pupils": 100}):
        assert ranked_names(chief_x) == [big.name_ru, late.name_ru]
    with override_settings(QORGAU_RISK_WEIGHTS={"overdue_item": 0, "per_1000_pupils": 5}):
        assert ranked_names(chief_x) == [big.name_ru, late.name_ru]


def test_filters_by_size_tier_and_district(district_x, district_y, city_supervisor):
    small = clean_school(district_x, pupils=100, name="Малая", size_tier="T1")
    large = clean_school(district_x, pupils=900, name="Большая")
    other = clean_school(district_y, pupils=900, name="Чужая")
    assert set(ranked_names(city_supervisor)) == {small.name_ru, large.name_ru, other.name_ru}
    assert ranked_names(city_supervisor, district_id=district_x.pk, size_tier=large.size_tier) == [
        large.name_ru
    ]


def test_the_chief_and_inspector_rank_only_their_district(
    district_x, school_a, school_b, chief_x, inspector_x
):
    for user in (chief_x, inspector_x):
        assert ranked_names(user) == [school_a.name_ru]


# The page ---------------------------------------------------------------------------------------------------


def test_the_page_shows_the_ranking_with_reasons(login, district_x, chief_x, school_b):
    english(chief_x)
    late = clean_school(district_x, name="С просрочкой")
    overdue_items(late, 3, drafted_by=chief_x)
    clean_school(district_x, name="Чистая")
    response = login(chief_x).get(reverse("oversight:risk_list"))
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert [s.name_ru for s in rows] == ["С просрочкой", "Чистая"]
    assert [s.rank for s in rows] == [1, 2]
    html = response.content.decode()
    assert "3 overdue items" in html
    assert school_b.name_ru not in html
    assert 'data-testid="plan-form"' in html


def test_the_inspector_reads_the_ranking_but_cannot_plan(login, school_a, inspector_x):
    client = login(inspector_x)
    response = client.get(reverse("oversight:risk_list"))
    assert response.status_code == 200
    assert 'data-testid="plan-form"' not in response.content.decode()
    assert client.post(reverse("oversight:risk_plan"), {}).status_code == 403


@pytest.mark.parametrize("who", ["education_user", "school_admin_a", "firm_user"])
def test_other_roles_are_refused(request, login, school_a, who):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("oversight:risk_list")).status_code == 403
    assert client.get(reverse("oversight:risk_export", args=["csv"])).status_code == 403


def test_a_chief_cannot_rank_or_plan_another_district(login, chief_x, district_y, school_b):
    client = login(chief_x)
    query = f"?district={district_y.pk}"
    assert client.get(reverse("oversight:risk_list") + query).status_code == 404
    assert client.get(reverse("oversight:risk_export", args=["csv"]) + query).status_code == 404
    response = client.post(reverse("oversight:risk_plan") + query, plan_data())
    assert response.status_code == 404
    assert not Campaign.objects.exists()


def test_an_unknown_district_is_not_found(login, city_supervisor):
    client = login(city_supervisor)
    assert client.get(reverse("oversight:risk_list") + "?district=987654").status_code == 404
    assert client.get(reverse("oversight:risk_list") + "?district=abc").status_code == 404


def test_the_city_filters_by_district(login, city_supervisor, school_a, school_b, district_y):
    response = login(city_supervisor).get(reverse("oversight:risk_list"), {"district": district_y.pk})
    assert [s.pk for s in response.context["page"].object_list] == [school_b.pk]


@pytest.mark.parametrize("size", [5, 60])
def test_the_page_costs_a_fixed_number_of_queries(
    login, district_x, chief_x, django_assert_max_num_queries, size
):
    for n in range(size):
        school = clean_school(district_x, name=f"Школа {n:03d}")
        if n % 3 == 0:
            overdue_items(school, 1, drafted_by=chief_x)
    client = login(chief_x)
    client.get(reverse("oversight:risk_list"))  # warm the session
    # Session and user (and the session saved), whether any school lacks its facts, the count, the ranked
    # page, when the facts were gathered, the inspectors of the plan form, the notification bell: the same at
    # any size.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("oversight:risk_list"))
    assert len(response.context["page"].object_list) == min(size, settings.PAGE_SIZE)


def test_the_second_page_continues_the_ranks(login, district_x, chief_x, settings):
    settings.PAGE_SIZE = 10
    for n in range(13):
        clean_school(district_x, name=f"Школа {n:03d}", inspected_days_ago=None)
    response = login(chief_x).get(reverse("oversight:risk_list"), {"page": 2})
    assert [s.rank for s in response.context["page"].object_list] == [11, 12, 13]


# The facts behind the ranking: gathered, kept, brought up to date ------------------------------------------


def test_the_page_gathers_the_facts_of_schools_that_have_none(login, district_x, chief_x):
    school = clean_school(district_x, name="Новая")
    overdue_items(school, 2, drafted_by=chief_x)
    assert not SchoolRisk.objects.exists()
    response = login(chief_x).get(reverse("oversight:risk_list"))
    row = response.context["page"].object_list[0]
    assert (row.pk, row.overdue_items) == (school.pk, 2)
    assert response.context["facts_as_of"] == SchoolRisk.objects.get().refreshed_at


def test_the_ranking_keeps_its_facts_until_they_are_gathered_again(login, district_x, chief_x):
    english(chief_x)
    school = clean_school(district_x, name="Школа")
    client = login(chief_x)
    client.get(reverse("oversight:risk_list"))
    overdue_items(school, 3, drafted_by=chief_x)
    response = client.get(reverse("oversight:risk_list"))
    assert response.context["page"].object_list[0].overdue_items == 0
    assert "Ranked from the data as of" in response.content.decode()

    response = client.post(reverse("oversight:risk_refresh"), {"tier": "", "district": str(district_x.pk)})
    assert response.status_code == 302
    assert response["Location"] == reverse("oversight:risk_list") + f"?district={district_x.pk}"
    response = client.get(response["Location"])
    assert response.context["page"].object_list[0].overdue_items == 3
    assert "brought up to date for 1 school" in response.content.decode()


def test_refreshing_gathers_only_the_users_schools(login, chief_x, school_a, school_b):
    risk.refresh_risk()
    before = SchoolRisk.objects.get(school=school_b).refreshed_at
    login(chief_x).post(reverse("oversight:risk_refresh"))
    assert SchoolRisk.objects.get(school=school_b).refreshed_at == before
    assert SchoolRisk.objects.get(school=school_a).refreshed_at > before


def test_the_deadline_job_gathers_the_facts_of_every_school(district_x, chief_x, school_b):
    school = clean_school(district_x, name="Школа")
    order = order_for(school, drafted_by=chief_x)
    add_item(order, deadline=timezone.localdate() - dt.timedelta(days=1))  # its deadline day has ended
    run = check_deadlines()
    assert run.risk_refreshed == 2
    assert SchoolRisk.objects.get(school=school).overdue_items == 1  # marked overdue by the same run
    assert SchoolRisk.objects.get(school=school_b).overdue_items == 0


def test_day_dependent_reasons_are_worked_out_on_the_day_of_reading(district_x, chief_x):
    today = timezone.localdate()
    school = clean_school(district_x, name="Школа")
    school.guard_contracts.update(valid_until=today + dt.timedelta(days=1))
    risk.refresh_risk()
    assert ranking_row(chief_x, school).valid_contract is True
    SchoolRisk.objects.filter(school=school).update(contract_until=today - dt.timedelta(days=1))
    row = risk.risk_ranking(user=chief_x).get(pk=school.pk)  # no refresh: the stored date is read today
    assert (row.valid_contract, row.current_contract) == (False, True)


def ranking_row(user, school):
    return risk.risk_ranking(user=user).get(pk=school.pk)


# The export -------------------------------------------------------------------------------------------------


def _ranking_world(district_x, chief_x, n=7):
    for i in range(n):
        school = clean_school(district_x, name=f"Школа {i}", pupils=200 + 100 * i)
        overdue_items(school, i % 3, drafted_by=chief_x)


def test_the_csv_export_has_the_rows_of_the_page(login, district_x, chief_x, school_b):
    english(chief_x)
    _ranking_world(district_x, chief_x)
    client = login(chief_x)
    page = client.get(reverse("oversight:risk_list")).context["page"].object_list
    response = client.get(reverse("oversight:risk_export", args=["csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["School"] for r in rows] == [s.name for s in page]
    assert [int(r["Rank"]) for r in rows] == [s.rank for s in page]
    assert [float(r["Risk score"]) for r in rows] == [round(s.risk_score, 1) for s in page]
    assert [int(r["Overdue items"]) for r in rows] == [s.overdue_items for s in page]
    assert school_b.name_ru not in text


def test_the_xlsx_export_follows_the_filters(
    login, district_x, district_y, city_supervisor, chief_x, school_b
):
    english(city_supervisor)
    _ranking_world(district_x, chief_x)
    client = login(city_supervisor)
    clean_school(district_x, name="Малая", size_tier="T1")
    query = {"district": district_x.pk, "tier": "T3"}
    page = client.get(reverse("oversight:risk_list"), query).context["page"].object_list
    response = client.get(reverse("oversight:risk_export", args=["xlsx"]), query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    names = [row[header.index("School")] for row in rows]
    assert names == [s.name for s in page]
    assert len(names) >= 2 and school_b.name not in names


def test_an_unknown_export_format_is_not_found(login, chief_x):
    assert login(chief_x).get(reverse("oversight:risk_export", args=["pdf"])).status_code == 404


# A campaign from the top of the list ------------------------------------------------------------------------


def plan_data(n=5, **extra) -> dict:
    today = timezone.localdate()
    return {
        "n": n,
        "name": "Весна по риску",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        **extra,
    }


def test_the_chief_plans_a_campaign_over_the_top_n(login, district_x, chief_x, inspector_x, school_b):
    _ranking_world(district_x, chief_x, n=8)
    risk.refresh_risk()
    top = risk.top_school_ids(user=chief_x, n=5)
    client = login(chief_x)
    response = client.post(reverse("oversight:risk_plan"), plan_data(5, inspector=inspector_x.pk))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:campaign_detail", args=[campaign.pk])
    planned = campaign.inspections.all()
    assert sorted(planned.values_list("school_id", flat=True)) == sorted(top)
    assert set(planned.values_list("kind", "status", "inspector_id")) == {
        ("planned", "planned", inspector_x.pk)
    }
    assert list(campaign.districts.all()) == [district_x]
    assert InspectionEvent.objects.filter(inspection__campaign=campaign, action="assigned").count() == 5
    # The chief can open it (campaigns are scoped by their districts).
    assert client.get(response["Location"]).status_code == 200


def test_a_campaign_from_the_top_skips_schools_already_planned(login, district_x, chief_x):
    """The riskiest school already has an inspection planned: the plan takes the next ones instead, and the
    ranking says so on its row."""
    _ranking_world(district_x, chief_x, n=6)
    risk.refresh_risk()
    schools = list(risk.risk_ranking(user=chief_x))
    ranked = [school.pk for school in schools]
    planned = InspectionFactory(
        school=schools[0], status=Inspection.Status.PLANNED, planned_on=timezone.localdate()
    )
    InspectionFactory(school=schools[1], status=Inspection.Status.APPROVED)  # done: no reason to skip
    assert risk.top_school_ids(user=chief_x, n=3) == ranked[1:4]
    english(chief_x)
    client = login(chief_x)
    rows = client.get(reverse("oversight:risk_list")).context["page"].object_list
    assert rows[0].in_hand == planned and rows[1].in_hand is None
    assert "Next inspection: planned" in client.get(reverse("oversight:risk_list")).content.decode()
    assert client.post(reverse("oversight:risk_plan"), plan_data(3)).status_code == 302
    campaign = Campaign.objects.get()
    assert sorted(campaign.inspections.values_list("school_id", flat=True)) == sorted(ranked[1:4])


def test_faulty_equipment_of_every_kind_counts(district_x, chief_x):
    school = clean_school(district_x)
    GuardPostFactory(school=school, status=EquipmentStatus.FAULTY)
    AccessPointFactory(school=school, status=EquipmentStatus.MISSING)
    risk.refresh_risk()
    assert ranking_row(chief_x, school).faulty_equipment == 2


def test_the_plan_follows_the_filters(login, district_x, district_y, city_supervisor, chief_x, school_b):
    _ranking_world(district_x, chief_x, n=4)
    client = login(city_supervisor)
    response = client.post(reverse("oversight:risk_plan") + f"?district={district_y.pk}", plan_data(5))
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert list(campaign.inspections.values_list("school_id", flat=True)) == [school_b.pk]


def test_a_bad_plan_is_shown_again_naming_the_field(login, district_x, chief_x, school_a):
    english(chief_x)
    response = login(chief_x).post(reverse("oversight:risk_plan"), plan_data(0, name=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"n", "name"}
    assert not Campaign.objects.exists()


def test_an_inspector_of_another_district_is_not_a_choice(login, district_x, chief_x, inspector_y, school_a):
    response = login(chief_x).post(reverse("oversight:risk_plan"), plan_data(3, inspector=inspector_y.pk))
    assert response.status_code == 200
    assert "inspector" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_the_service_refuses_schools_outside_the_chiefs_district(chief_x, school_a, school_b):
    with pytest.raises(ValidationError) as error:
        inspection_services.campaign_create_for_schools(
            actor=chief_x, name="Чужая", starts_on=timezone.localdate(), ends_on=timezone.localdate(),
            schools=[school_a, school_b], template_version=inspection_services.latest_published_version(),
        )  # fmt: skip
    assert "schools" in error.value.error_dict
    assert not Campaign.objects.exists() and not Inspection.objects.filter(campaign__isnull=False).exists()


def test_the_service_refuses_an_inspector_or_education(district_x, school_a, education_user):
    from qorgau.core.errors import NotAllowed

    inspector = make_user(Role.INSPECTOR, district=district_x, username="insp_plan")
    for actor in (inspector, education_user):
        with pytest.raises(NotAllowed):
            inspection_services.campaign_create_for_schools(
                actor=actor, name="Нет", starts_on=timezone.localdate(), ends_on=timezone.localdate(),
                schools=[school_a], template_version=inspection_services.latest_published_version(),
            )  # fmt: skip


def test_a_plan_locks_its_district_before_it_chooses_the_schools(district_x, chief_x):
    """Two chiefs planning at once: the second waits for the first, then finds its schools taken."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qorgau.oversight import services

    _ranking_world(district_x, chief_x, n=3)
    with CaptureQueriesContext(connection) as ctx:
        services.plan_from_ranking(
            actor=chief_x, n=2, name="По риску", starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + dt.timedelta(days=30),
        )  # fmt: skip
    sql = [q["sql"] for q in ctx.captured_queries]
    chosen = next(i for i, q in enumerate(sql) if "ORDER BY" in q and "risk" in q.lower())
    if connection.features.has_select_for_update:  # PostgreSQL; SQLite writes one transaction at a time
        lock = next(i for i, q in enumerate(sql) if "FOR UPDATE" in q and '"registry_district"' in q)
        assert lock < chosen
    assert Campaign.objects.get().inspections.count() == 2
    again = services.plan_from_ranking
    with pytest.raises(ValidationError) as error:  # the third school alone is left, then none
        again(actor=chief_x, n=5, name="Ещё", starts_on=timezone.localdate(), ends_on=timezone.localdate())
        again(
            actor=chief_x, n=5, name="Ещё раз", starts_on=timezone.localdate(), ends_on=timezone.localdate()
        )
    assert "n" in error.value.message_dict
