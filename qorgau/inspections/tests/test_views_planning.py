"""Campaigns, planning and the review pages: who sees what, who may do what, and bad input writes nothing."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from qorgau.accounts.models import Role
from qorgau.checklists.models import Item, TemplateVersion
from qorgau.core.context_processors import menu_for
from qorgau.inspections import selectors, services
from qorgau.inspections.models import Answer, Campaign, Finding, Inspection, InspectionEvent, Photo
from qorgau.inspections.tests.test_services import passing_raw
from qorgau.registry.models import District
from qorgau.tests.factories import InspectionFactory, SchoolFactory, default_version, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def chief_y(district_y):
    return make_user(Role.DISTRICT_CHIEF, district=district_y, username="chief_y")


@pytest.fixture
def second_inspector_x(district_x):
    return make_user(Role.INSPECTOR, district=district_x, username="inspector_x2", last_name="Второй")


def make_campaign(actor, *districts, days=30) -> Campaign:
    return services.campaign_create(
        actor=actor,
        name="Весенняя проверка",
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=days),
        districts=list(districts),
        template_version=default_version(),
    )


@pytest.fixture
def campaign_x(city_supervisor, school_a, district_x):
    return make_campaign(city_supervisor, district_x)


@pytest.fixture
def campaign_xy(city_supervisor, school_a, school_b, district_x, district_y):
    return make_campaign(city_supervisor, district_x, district_y)


def answer_all(inspection, actor, *, fail=()):
    for item in services.applicable_items(inspection):
        raw = {"value": "no"} if item.code in fail else passing_raw(item)
        services.answer_save(actor=actor, inspection=inspection, item=item, raw=raw, base_version=0)


@pytest.fixture
def submitted(school_a, inspector_x):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    answer_all(inspection, inspector_x, fail=("AC-1",))
    return services.inspection_submit(actor=inspector_x, inspection=inspection)


@pytest.fixture
def approved(submitted, chief_x):
    return services.inspection_approve(actor=chief_x, inspection=submitted)


def detail_url(inspection) -> str:
    return f"/inspections/{inspection.pk}/"


def item(code: str) -> Item:
    return Item.objects.get(version=default_version(), code=code)


# Menu ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "inspections", "campaigns"),
    [
        ("city_supervisor", True, True),
        ("chief_x", True, True),
        ("inspector_x", True, False),
        ("education_user", True, True),
        ("school_admin_a", False, False),
        ("firm_user", False, False),
    ],
)
def test_the_menu_offers_inspections_to_police_and_campaigns_to_supervisors(
    request, persona, inspections, campaigns
):
    keys = {key for key, _label, _url in menu_for(request.getfixturevalue(persona))}
    assert ("inspections" in keys) is inspections
    assert ("campaigns" in keys) is campaigns


# Campaign creation -----------------------------------------------------------------------------------------


def test_the_city_supervisor_creates_a_campaign_with_a_planned_inspection_per_school(
    login, city_supervisor, school_a, district_x, district_y, school_b
):
    SchoolFactory(district=district_x)
    response = login(city_supervisor).post(
        "/campaigns/new/",
        {
            "name": "Осень-2026",
            "starts_on": "2026-09-01",
            "ends_on": "2026-10-15",
            "districts": [district_x.pk],
            "template_version": default_version().pk,
        },
    )
    campaign = Campaign.objects.get(name="Осень-2026")
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert set(campaign.inspections.values_list("district_id", flat=True)) == {district_x.pk}
    assert campaign.inspections.count() == 2
    assert not campaign.inspections.filter(school=school_b).exists()


def test_the_campaign_form_shows_every_district_and_only_published_versions_newest_first(
    login, city_supervisor, district_x
):
    v1 = default_version()
    v2 = TemplateVersion.objects.create(
        template=v1.template, number=2, status=TemplateVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    draft = TemplateVersion.objects.create(template=v1.template, number=3)
    response = login(city_supervisor).get("/campaigns/new/")
    body = response.content.decode()
    assert body.count('name="districts"') == District.objects.count() >= 8
    versions = re.findall(r'<option value="(\d+)"( selected)?', body)
    assert [int(pk) for pk, _sel in versions] == [v2.pk, v1.pk]
    assert versions[0][1] == " selected"
    assert f'<option value="{draft.pk}"' not in body


def test_bad_campaign_input_shows_the_field_errors_and_writes_nothing(login, city_supervisor, district_x):
    client = login(city_supervisor)
    response = client.post(
        "/campaigns/new/",
        {"name": "Ошибка", "starts_on": "2026-09-10", "ends_on": "2026-09-01", "districts": [district_x.pk],
         "template_version": default_version().pk},
    )  # fmt: skip
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    response = client.post("/campaigns/new/", {"name": "", "starts_on": "2026-09-01", "ends_on": "x"})
    errors = response.context["form"].errors
    assert {"name", "ends_on", "districts"} <= set(errors)
    draft = TemplateVersion.objects.create(template=default_version().template, number=2)
    response = client.post(
        "/campaigns/new/",
        {"name": "Черновик", "starts_on": "2026-09-01", "ends_on": "2026-09-30", "districts": [district_x.pk],
         "template_version": draft.pk},
    )  # fmt: skip
    assert "template_version" in response.context["form"].errors
    assert not Campaign.objects.exists()
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("persona", ["chief_x", "inspector_x", "education_user"])
def test_only_the_city_supervisor_may_create_a_campaign(request, login, persona, district_x):
    client = login(request.getfixturevalue(persona))
    assert client.get("/campaigns/new/").status_code == 403
    data = {"name": "x", "starts_on": "2026-09-01", "ends_on": "2026-09-30", "districts": [district_x.pk]}
    assert client.post("/campaigns/new/", data).status_code == 403
    assert not Campaign.objects.exists()


# Campaign list and detail -----------------------------------------------------------------------------------


def test_a_district_office_sees_the_campaigns_of_its_district_with_its_own_progress(
    login, city_supervisor, chief_x, inspector_x, campaign_xy, district_y, school_b
):
    only_y = make_campaign(city_supervisor, district_y)
    for persona in (chief_x, inspector_x):
        response = login(persona).get("/campaigns/")
        shown = list(response.context["page"].object_list)
        assert shown == [campaign_xy]
        assert shown[0].inspections_total == 1  # school A only; school B is district Y's
    response = login(city_supervisor).get("/campaigns/")
    rows = {c.pk: c for c in response.context["page"].object_list}
    assert set(rows) == {campaign_xy.pk, only_y.pk}
    assert rows[campaign_xy.pk].inspections_total == 2


def test_the_campaign_list_runs_a_fixed_number_of_queries(
    login, city_supervisor, district_x, district_y, school_a, django_assert_max_num_queries
):
    client = login(city_supervisor)
    make_campaign(city_supervisor, district_x)
    with django_assert_max_num_queries(12) as small:
        client.get("/campaigns/")
    for _n in range(8):
        make_campaign(city_supervisor, district_x, district_y)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/campaigns/")


@pytest.mark.parametrize("persona", ["school_admin_a", "firm_user"])
def test_schools_and_firms_never_see_campaigns(request, login, persona, campaign_x):
    client = login(request.getfixturevalue(persona))
    assert client.get("/campaigns/").status_code == 404
    assert client.get(f"/campaigns/{campaign_x.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["chief_y", "inspector_y"])
def test_another_districts_office_gets_404_for_a_campaign_without_its_district(
    request, login, persona, campaign_x
):
    client = login(request.getfixturevalue(persona))
    assert client.get(f"/campaigns/{campaign_x.pk}/").status_code == 404
    inspection = campaign_x.inspections.get()
    data = {"inspections": [inspection.pk], "inspector": 1, "planned_on": TODAY.isoformat()}
    assert client.post(f"/campaigns/{campaign_x.pk}/", data).status_code == 404
    assert client.get("/campaigns/999999/").status_code == 404


def test_the_chief_sees_only_his_districts_rows_of_a_city_wide_campaign(
    login, chief_x, campaign_xy, school_a, school_b
):
    response = login(chief_x).get(f"/campaigns/{campaign_xy.pk}/")
    rows = list(response.context["page"].object_list)
    assert [r.school for r in rows] == [school_a]
    body = response.content.decode()
    assert school_b.name_ru not in body
    assert response.context["assign_form"] is not None


def test_the_city_supervisor_reads_every_districts_rows_with_counts_per_district(
    login, city_supervisor, campaign_xy, district_x, district_y, school_a, school_b
):
    response = login(city_supervisor).get(f"/campaigns/{campaign_xy.pk}/")
    assert {r.school for r in response.context["page"].object_list} == {school_a, school_b}
    counts = {d.pk: (d.total, d.unassigned, d.approved) for d in response.context["counts"]}
    assert counts == {district_x.pk: (1, 1, 0), district_y.pk: (1, 1, 0)}
    assert response.context["assign_form"] is None  # choosing inspectors needs one district
    response = login(city_supervisor).get(f"/campaigns/{campaign_xy.pk}/?district={district_x.pk}")
    assert [r.school for r in response.context["page"].object_list] == [school_a]


def test_the_inspector_choice_lists_the_districts_inspectors_and_chief_only(
    login, chief_x, inspector_x, second_inspector_x, inspector_y, school_admin_a, campaign_x
):
    response = login(chief_x).get(f"/campaigns/{campaign_x.pk}/")
    offered = set(response.context["assign_form"].fields["inspector"].queryset)
    assert offered == {chief_x, inspector_x, second_inspector_x}


def test_the_chief_assigns_an_inspector_and_a_date_to_ticked_schools(
    login, chief_x, inspector_x, city_supervisor, district_x, school_a
):
    other = SchoolFactory(district=district_x)
    untouched = SchoolFactory(district=district_x)
    campaign = make_campaign(city_supervisor, district_x)
    ticked = list(campaign.inspections.filter(school__in=[school_a, other]))
    day = TODAY + dt.timedelta(days=3)
    response = login(chief_x).post(
        f"/campaigns/{campaign.pk}/?unassigned=on",
        {"inspections": [i.pk for i in ticked], "inspector": inspector_x.pk, "planned_on": day.isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/?unassigned=on"
    for inspection in ticked:
        inspection.refresh_from_db()
        assert (inspection.inspector, inspection.planned_on) == (inspector_x, day)
        assert inspection.events.filter(action=InspectionEvent.Action.ASSIGNED).exists()
    rest = campaign.inspections.get(school=untouched)
    assert rest.inspector is None
    response = login(chief_x).get(f"/campaigns/{campaign.pk}/?unassigned=on")
    assert [r.school for r in response.context["page"].object_list] == [untouched]


def test_bad_assignments_show_errors_and_write_nothing(
    login, chief_x, inspector_x, inspector_y, campaign_xy, school_b
):
    client = login(chief_x)
    url = f"/campaigns/{campaign_xy.pk}/"
    mine = campaign_xy.inspections.get(school__district=chief_x.organisation.district)
    foreign = campaign_xy.inspections.get(school=school_b)
    cases = [
        ({"inspector": inspector_x.pk}, "inspections"),  # nothing ticked
        ({"inspections": [mine.pk], "inspector": ""}, "inspector"),
        ({"inspections": [mine.pk], "inspector": inspector_y.pk}, "inspector"),  # another district's
        ({"inspections": [foreign.pk], "inspector": inspector_x.pk}, "inspections"),  # another district's
        ({"inspections": [mine.pk], "inspector": inspector_x.pk, "planned_on": "2001-01-01"}, "planned_on"),
        ({"inspections": ["abc"], "inspector": inspector_x.pk}, "inspections"),
    ]
    for data, field in cases:
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert field in response.context["assign_form"].errors, data
    assert not Inspection.objects.filter(inspector__isnull=False).exists()
    assert not InspectionEvent.objects.filter(action=InspectionEvent.Action.ASSIGNED).exists()


def test_a_submitted_inspection_cannot_be_ticked_for_reassignment(
    login, chief_x, inspector_x, second_inspector_x, campaign_x
):
    inspection = campaign_x.inspections.get()
    services.inspections_assign(actor=chief_x, inspections=[inspection], inspector=inspector_x)
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    client = login(chief_x)
    assert 'name="inspections"' not in client.get(f"/campaigns/{campaign_x.pk}/").content.decode()
    response = client.post(
        f"/campaigns/{campaign_x.pk}/", {"inspections": [inspection.pk], "inspector": second_inspector_x.pk}
    )
    assert "inspections" in response.context["assign_form"].errors
    inspection.refresh_from_db()
    assert inspection.inspector == inspector_x


@pytest.mark.parametrize("persona", ["education_user", "inspector_x"])
def test_read_only_and_wrong_roles_may_not_assign(request, login, persona, inspector_x, campaign_x):
    client = login(request.getfixturevalue(persona))
    inspection = campaign_x.inspections.get()
    assert client.get(f"/campaigns/{campaign_x.pk}/").status_code == 200
    data = {"inspections": [inspection.pk], "inspector": inspector_x.pk}
    assert client.post(f"/campaigns/{campaign_x.pk}/", data).status_code == 403
    inspection.refresh_from_db()
    assert inspection.inspector is None


def test_the_campaign_rows_filter_by_status_and_missing_inspector(
    login, chief_x, inspector_x, city_supervisor, district_x, school_a
):
    SchoolFactory(district=district_x, name_ru="Школа № 99")
    campaign = make_campaign(city_supervisor, district_x)
    assigned = campaign.inspections.get(school=school_a)
    services.inspections_assign(actor=chief_x, inspections=[assigned], inspector=inspector_x)
    client = login(chief_x)
    page = client.get(f"/campaigns/{campaign.pk}/?unassigned=on").context["page"]
    assert [r.school.name_ru for r in page.object_list] == ["Школа № 99"]
    page = client.get(f"/campaigns/{campaign.pk}/?status=approved").context["page"]
    assert list(page.object_list) == []
    page = client.get(f"/campaigns/{campaign.pk}/?status=planned").context["page"]
    assert len(page.object_list) == 2


def test_the_campaign_detail_runs_a_fixed_number_of_queries(
    login, chief_x, inspector_x, city_supervisor, district_x, django_assert_max_num_queries
):
    SchoolFactory.create_batch(2, district=district_x)
    small = make_campaign(city_supervisor, district_x)
    SchoolFactory.create_batch(40, district=district_x)
    big = make_campaign(city_supervisor, district_x)
    services.inspections_assign(actor=chief_x, inspections=list(big.inspections.all()), inspector=inspector_x)
    for persona in (chief_x, city_supervisor):
        client = login(persona)
        client.get(f"/campaigns/{small.pk}/")  # the session is read and saved once
        with django_assert_max_num_queries(12) as few:
            client.get(f"/campaigns/{small.pk}/")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(f"/campaigns/{big.pk}/")


# Inspection list -------------------------------------------------------------------------------------------


def test_an_inspector_sees_his_open_inspections_in_sections_by_default(
    login, inspector_x, second_inspector_x, school_a, district_x, chief_x
):
    other = SchoolFactory(district=district_x, name_ru="Школа № 7")
    today = InspectionFactory(school=school_a, inspector=inspector_x, planned_on=TODAY)
    late = InspectionFactory(school=other, inspector=inspector_x, planned_on=TODAY - dt.timedelta(days=3))
    later = InspectionFactory(school=other, inspector=inspector_x, planned_on=TODAY + dt.timedelta(days=5))
    returned = InspectionFactory(school=school_a, inspector=inspector_x, status="returned")
    InspectionFactory(school=school_a, inspector=second_inspector_x)  # someone else's
    InspectionFactory(school=school_a, inspector=inspector_x, status="approved")  # done
    response = login(inspector_x).get("/inspections/")
    assert response.context["mine"]
    sections = [(bucket, [i.pk for i in rows]) for bucket, _title, rows in response.context["groups"]]
    assert sections == [
        (selectors.BUCKET_RETURNED, [returned.pk]),
        (selectors.BUCKET_OVERDUE, [late.pk]),
        (selectors.BUCKET_TODAY, [today.pk]),
        (selectors.BUCKET_UPCOMING, [later.pk]),
    ]
    body = response.content.decode()
    assert f'href="/inspections/{today.pk}/conduct/"' in body


def test_the_default_filter_survives_paging(login, inspector_x, second_inspector_x, school_a, settings):
    settings.PAGE_SIZE = 2
    InspectionFactory.create_batch(3, school=school_a, inspector=inspector_x)
    InspectionFactory.create_batch(3, school=school_a, inspector=second_inspector_x)
    response = login(inspector_x).get("/inspections/?page=2")
    assert response.context["page"].paginator.count == 3
    assert response.context["mine"]


def test_the_chief_filters_the_districts_inspections(
    login, chief_x, inspector_x, second_inspector_x, school_a, school_b, campaign_x, district_x
):
    other = SchoolFactory(district=district_x, name_ru="Гимназия № 42")
    adhoc = InspectionFactory(school=other, inspector=second_inspector_x)
    planned = campaign_x.inspections.get()
    InspectionFactory(school=school_b)  # district Y: never shown
    client = login(chief_x)

    def shown(query=""):
        return {i.pk for i in client.get(f"/inspections/{query}").context["page"].object_list}

    assert shown() == {adhoc.pk, planned.pk}
    assert shown(f"?inspector={second_inspector_x.pk}") == {adhoc.pk}
    assert shown("?inspector=none") == {planned.pk}
    assert shown(f"?campaign={campaign_x.pk}") == {planned.pk}
    assert shown("?q=гимназия № 42") == {adhoc.pk}
    assert shown("?q=ГИМНАЗИЯ") == {adhoc.pk, planned.pk}  # "Школа-гимназия № 1" too, in any letter case
    assert shown("?status=approved") == set()
    assert shown("?status=open") == {adhoc.pk, planned.pk}
    response = client.get("/inspections/?q=Гимназия", HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()  # htmx swaps only the rows
    assert 'data-testid="inspection-row"' in response.content.decode()


def test_the_inspection_list_runs_a_fixed_number_of_queries(
    login, chief_x, inspector_x, school_a, district_x, django_assert_max_num_queries, city_supervisor
):
    campaign = make_campaign(city_supervisor, district_x)
    InspectionFactory(school=school_a, inspector=inspector_x)
    urls = {chief_x: "/inspections/", inspector_x: "/inspections/", city_supervisor: "/inspections/?q=Школа"}
    few = {}
    for persona, url in urls.items():
        client = login(persona)
        client.get(url)  # the session is read and saved once
        with django_assert_max_num_queries(10) as queries:
            client.get(url)
        few[persona] = len(queries.captured_queries)
    for school in SchoolFactory.create_batch(30, district=district_x):
        inspection = InspectionFactory(school=school, inspector=inspector_x, campaign=campaign)
        Finding.objects.create(inspection=inspection, severity="G", text="Нет кнопки")
    for persona, url in urls.items():
        client = login(persona)
        client.get(url)
        with django_assert_max_num_queries(few[persona]):
            response = client.get(url)
        assert response.context["page"].paginator.count >= 30


def test_a_school_sees_only_its_approved_inspections_and_a_firm_none(
    login, school_admin_a, firm_user, approved, school_a, inspector_x
):
    InspectionFactory(school=school_a, inspector=inspector_x)  # planned: not for the school's eyes
    response = login(school_admin_a).get("/inspections/")
    assert [i.pk for i in response.context["page"].object_list] == [approved.pk]
    assert "/conduct/" not in response.content.decode()
    assert login(firm_user).get("/inspections/").status_code == 404


def test_education_reads_the_list_without_conduct_links(login, education_user, school_a, inspector_x):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    body = login(education_user).get("/inspections/").content.decode()
    assert f"/inspections/{inspection.pk}/" in body
    assert "/conduct/" not in body


# Unplanned inspections --------------------------------------------------------------------------------------


def test_an_inspector_plans_an_unplanned_inspection_from_the_school_page(login, inspector_x, school_a):
    client = login(inspector_x)
    response = client.get(f"/inspections/new/?school={school_a.pk}")
    form = response.context["form"]
    assert form["school"].value() == school_a.pk
    assert form["inspector"].value() == inspector_x.pk
    response = client.post(
        f"/inspections/new/?school={school_a.pk}",
        {"school": school_a.pk, "kind": "adhoc", "reason": "Жалоба родителей",
         "planned_on": TODAY.isoformat(), "inspector": inspector_x.pk},
    )  # fmt: skip
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(inspection)
    assert (inspection.kind, inspection.inspector, inspection.reason) == (
        "adhoc",
        inspector_x,
        "Жалоба родителей",
    )
    assert inspection.events.filter(action="created").exists()


def test_an_unplanned_inspection_needs_a_reason_and_a_school_of_the_district(
    login, chief_x, inspector_y, school_a, school_b
):
    client = login(chief_x)
    base = {"school": school_a.pk, "kind": "adhoc", "reason": "  ", "planned_on": TODAY.isoformat()}
    response = client.post("/inspections/new/", base)
    assert "reason" in response.context["form"].errors
    response = client.post("/inspections/new/", {**base, "reason": "Жалоба", "school": school_b.pk})
    assert "school" in response.context["form"].errors
    response = client.post("/inspections/new/", {**base, "reason": "Жалоба", "inspector": inspector_y.pk})
    assert "inspector" in response.context["form"].errors
    response = client.post("/inspections/new/", {**base, "reason": "Жалоба", "kind": "planned"})
    assert "kind" in response.context["form"].errors
    assert not Inspection.objects.exists()
    assert client.get(f"/inspections/new/?school={school_b.pk}").status_code == 404
    assert client.get("/inspections/new/?school=abc").status_code == 404


@pytest.mark.parametrize("persona", ["city_supervisor", "education_user", "school_admin_a"])
def test_only_district_police_plan_unplanned_inspections(request, login, persona, school_a):
    client = login(request.getfixturevalue(persona))
    assert client.get("/inspections/new/").status_code == 403
    data = {"school": school_a.pk, "kind": "adhoc", "reason": "x", "planned_on": TODAY.isoformat()}
    assert client.post("/inspections/new/", data).status_code == 403
    assert not Inspection.objects.exists()


# Inspection detail and review -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["inspector_y", "chief_y", "school_admin_b", "firm_user"])
def test_outsiders_get_404_for_an_inspection_and_its_actions(request, login, persona, approved, submitted):
    client = login(request.getfixturevalue(persona))
    pk = approved.pk
    assert client.get(f"/inspections/{pk}/").status_code == 404
    assert client.post(f"/inspections/{pk}/approve/").status_code == 404
    assert client.post(f"/inspections/{pk}/return/", {"comment": "x"}).status_code == 404
    assert client.get(f"/inspections/{pk}/amend/{item('AC-1').pk}/").status_code == 404


def test_unknown_ids_are_404(login, chief_x, approved):
    client = login(chief_x)
    assert client.get("/inspections/999999/").status_code == 404
    assert client.post("/inspections/999999/approve/").status_code == 404
    assert client.get(f"/inspections/{approved.pk}/amend/999999/").status_code == 404
    other_version_item = Item.objects.exclude(version=approved.template_version).first()
    if other_version_item is not None:
        assert client.get(f"/inspections/{approved.pk}/amend/{other_version_item.pk}/").status_code == 404


def test_a_school_admin_sees_the_approved_results_read_only_and_nothing_before(
    login, school_admin_a, submitted, chief_x
):
    client = login(school_admin_a)
    assert client.get(detail_url(submitted)).status_code == 404
    services.inspection_approve(actor=chief_x, inspection=submitted)
    body = client.get(detail_url(submitted)).content.decode()
    assert 'data-testid="act-number"' in body
    for action in ("/approve/", "/return/", "/amend/", "/conduct/"):
        assert action not in body
    assert client.post(f"/inspections/{submitted.pk}/approve/").status_code == 403


def test_the_detail_shows_items_findings_photos_and_history(login, chief_x, submitted, inspector_x):
    answer = Answer.objects.get(inspection=submitted, item=item("AC-1"))
    finding = Finding.objects.get(inspection=submitted, item=item("AC-1"))
    photo = Photo.objects.create(
        inspection=submitted, item=item("AC-1"), file="p/a.jpg", thumbnail="p/a_t.jpg", width=10, height=10,
        size=100, original_sha256="0" * 64, original_format="JPEG", taken_by=inspector_x, caption="Журнал",
    )  # fmt: skip
    finding.photos.add(photo)
    response = login(chief_x).get(detail_url(submitted))
    body = response.content.decode()
    review = response.context["review"]
    assert review.answered == review.total > 20
    assert answer.summary in body
    assert f"/inspections/{submitted.pk}/photos/{photo.pk}/thumb/" in body
    assert "result-fail" in body
    actions = [e.action for e in review.events]
    assert actions[0] == "started" and actions[-1] == "submitted"  # the factory records no "created"
    assert 'data-testid="approve"' in body and 'data-testid="return"' in body
    assert f"/inspections/{submitted.pk}/conduct/" not in body  # submitted: no longer editable


def test_an_overridden_result_is_shown_with_its_reason(login, chief_x, inspector_x, school_a):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    services.answer_save(
        actor=inspector_x, inspection=inspection, item=item("PE-2"), raw={"value": "no"}, base_version=0,
        override_result="pass", override_reason="Освещение отремонтировано при проверке",
    )  # fmt: skip
    body = login(chief_x).get(detail_url(inspection)).content.decode()
    assert "Освещение отремонтировано при проверке" in body


def test_the_detail_runs_a_fixed_number_of_queries(
    login, chief_x, submitted, inspector_x, django_assert_max_num_queries
):
    client = login(chief_x)
    with django_assert_max_num_queries(20) as small:
        client.get(detail_url(submitted))
    for finding in Finding.objects.filter(inspection=submitted):
        for n in range(3):
            photo = Photo.objects.create(
                inspection=submitted, file=f"p/{n}.jpg", thumbnail=f"p/{n}_t.jpg", width=1, height=1, size=1,
                original_sha256="0" * 64, original_format="JPEG", taken_by=inspector_x,
            )  # fmt: skip
            finding.photos.add(photo)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(detail_url(submitted))


def test_the_chief_approves_and_the_act_number_is_shown(login, chief_x, submitted, district_x):
    client = login(chief_x)
    response = client.post(f"/inspections/{submitted.pk}/approve/", {"comment": "Замечаний нет"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    number = submitted.act_number
    assert number.startswith(f"{district_x.code}-")
    body = client.get(detail_url(submitted)).content.decode()
    assert number in body
    assert f"/inspections/{submitted.pk}/act-ru.pdf" in body
    assert f"/inspections/{submitted.pk}/act-kk.pdf" in body
    assert "Замечаний нет" in body


@pytest.mark.parametrize("persona", ["inspector_x", "education_user", "city_supervisor"])
def test_only_the_district_chief_approves_or_returns(request, login, persona, submitted):
    client = login(request.getfixturevalue(persona))
    assert client.post(f"/inspections/{submitted.pk}/approve/").status_code == 403
    assert client.post(f"/inspections/{submitted.pk}/return/", {"comment": "x"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_approving_twice_is_a_conflict(login, chief_x, approved):
    response = login(chief_x).post(f"/inspections/{approved.pk}/approve/")
    assert response.status_code == 409


def test_returning_needs_a_comment(login, chief_x, submitted):
    client = login(chief_x)
    response = client.post(f"/inspections/{submitted.pk}/return/", {"comment": "  "})
    assert response.status_code == 200
    assert "comment" in response.context["return_form"].errors
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    response = client.post(f"/inspections/{submitted.pk}/return/", {"comment": "Нет фото журнала"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "returned"
    body = client.get(detail_url(submitted)).content.decode()
    assert "Нет фото журнала" in body


def test_a_returned_inspection_is_listed_for_rework_with_a_conduct_link(
    login, chief_x, inspector_x, submitted
):
    services.inspection_return(actor=chief_x, inspection=submitted, comment="Переделать")
    response = login(inspector_x).get("/inspections/")
    bucket, _title, rows = response.context["groups"][0]
    assert (bucket, [r.pk for r in rows]) == (selectors.BUCKET_RETURNED, [submitted.pk])
    assert f"/inspections/{submitted.pk}/conduct/" in response.content.decode()


# Amendments -------------------------------------------------------------------------------------------------


def test_the_chief_amends_an_approved_answer_with_a_reason(login, chief_x, approved):
    client = login(chief_x)
    url = f"/inspections/{approved.pk}/amend/{item('AC-1').pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"]["value"].value() == "no"
    response = client.post(url, {"value": "yes", "reason": "Приказ нашёлся в канцелярии"})
    assert response.status_code == 302
    answer = Answer.objects.get(inspection=approved, item=item("AC-1"))
    assert answer.result == "pass"
    assert not Finding.objects.filter(inspection=approved, item=item("AC-1")).exists()
    body = client.get(detail_url(approved)).content.decode()
    assert 'id="amendments"' in body
    assert "Приказ нашёлся в канцелярии" in body


def test_an_amendment_of_a_practical_test_uses_its_own_fields(login, chief_x, approved):
    url = f"/inspections/{approved.pk}/amend/{item('PA-3').pk}/"
    client = login(chief_x)
    fields = set(client.get(url).context["form"].fields)
    assert fields == {"received", "pressed_at", "acknowledged_at", "arrived_at", "reason"}
    response = client.post(
        url,
        {"received": "yes", "pressed_at": "10:00:00", "acknowledged_at": "10:00:30", "arrived_at": "10:25:00",
         "reason": "Время прибытия уточнено по журналу ЦОУ"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Answer.objects.get(inspection=approved, item=item("PA-3")).value["arrival_seconds"] == 1500


def test_a_bad_amendment_shows_errors_and_changes_nothing(login, chief_x, approved):
    client = login(chief_x)
    before = Answer.objects.get(inspection=approved, item=item("VS-1"))
    url = f"/inspections/{approved.pk}/amend/{item('VS-1').pk}/"
    cases = [
        ({"total": "5", "working": "7", "reason": "Пересчёт"}, "working"),
        ({"total": "5", "working": "5", "reason": ""}, "reason"),
        ({"total": "", "working": "", "reason": "Пересчёт"}, "__all__"),
    ]
    for data, field in cases:
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert field in response.context["form"].errors, data
    after = Answer.objects.get(pk=before.pk)
    assert (after.version, after.value) == (before.version, before.value)
    assert not InspectionEvent.objects.filter(inspection=approved, action="amended").exists()


def test_amending_needs_an_approved_inspection_and_the_right_role(login, chief_x, education_user, submitted):
    url = f"/inspections/{submitted.pk}/amend/{item('AC-1').pk}/"
    assert login(chief_x).get(url).status_code == 409
    services.inspection_approve(actor=chief_x, inspection=submitted)
    client = login(education_user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"value": "yes", "reason": "x"}).status_code == 403
    assert Answer.objects.get(inspection=submitted, item=item("AC-1")).result == "fail"


# The school's passport -------------------------------------------------------------------------------------


def test_the_passport_lists_the_schools_inspections_and_offers_a_new_one_to_police(
    login, inspector_x, school_admin_a, firm_user, approved, school_a
):
    planned = InspectionFactory(school=school_a, inspector=inspector_x)
    response = login(inspector_x).get(f"/schools/{school_a.pk}/")
    assert {i.pk for i in response.context["inspections"]} == {approved.pk, planned.pk}
    body = response.content.decode()
    assert f"/inspections/new/?school={school_a.pk}" in body
    assert approved.act_number in body

    response = login(school_admin_a).get(f"/schools/{school_a.pk}/")
    assert [i.pk for i in response.context["inspections"]] == [approved.pk]
    assert "/inspections/new/" not in response.content.decode()

    body = login(firm_user).get(f"/schools/{school_a.pk}/").content.decode()
    assert 'id="inspections"' not in body
