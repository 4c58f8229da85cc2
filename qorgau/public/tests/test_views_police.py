"""The police's queue of concerns: list, detail, triage."""

import pytest
from django.urls import reverse

from qorgau.core.context_processors import menu_for
from qorgau.inspections.models import Inspection
from qorgau.public import services
from qorgau.public.models import Concern, ConcernEvent
from qorgau.public.tests.conftest import report

pytestmark = pytest.mark.django_db

LIST = reverse("public:concern_list")


def detail(concern):
    return reverse("public:concern_detail", args=[concern.pk])


def action(concern, name):
    return reverse(f"public:concern_{name}", args=[concern.pk])


# The queue -------------------------------------------------------------------------------------------------


def test_the_queue_lists_the_districts_concerns_only(
    login, concern_a, concern_b, inspector_x, city_supervisor
):
    page = login(inspector_x).get(LIST).content.decode()
    assert detail(concern_a) in page and detail(concern_b) not in page
    page = login(city_supervisor).get(LIST).content.decode()
    assert detail(concern_a) in page and detail(concern_b) in page


def test_the_queue_filters_by_status(login, school_a, inspector_x):
    new = report(school_a)
    dismissed = report(school_a)
    services.concern_dismiss(actor=inspector_x, concern=dismissed, reason="Дубликат")
    client = login(inspector_x)
    page = client.get(LIST, {"status": "closed"}).content.decode()
    assert detail(dismissed) in page and detail(new) not in page
    page = client.get(LIST, {"status": "received"}).content.decode()
    assert detail(new) in page and detail(dismissed) not in page
    assert 'data-testid="new-count"' in page


@pytest.mark.parametrize("persona", ["school_admin_a", "firm_user", "education_user"])
def test_the_school_its_guards_and_education_have_no_queue(request, login, concern_a, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(detail(concern_a)).status_code == 403
    assert "concerns" not in [key for key, _label, _url in menu_for(request.getfixturevalue(persona))]


@pytest.mark.parametrize("persona", ["city_supervisor", "chief_x", "inspector_x"])
def test_the_police_have_the_queue_in_the_menu(request, persona):
    assert "concerns" in [key for key, _label, _url in menu_for(request.getfixturevalue(persona))]


def test_the_queue_costs_a_fixed_number_of_queries(login, school_a, school_b, inspector_x, city_supervisor,
                                                   django_assert_max_num_queries):  # fmt: skip
    for _ in range(3):
        report(school_a, ip=None)
    counts = {}
    for user in (inspector_x, city_supervisor):
        client = login(user)
        client.get(LIST)  # warm the session
        with django_assert_max_num_queries(12) as small:
            assert client.get(LIST).status_code == 200
        counts[user.username] = len(small.captured_queries)
    for n in range(40):
        concern = report(school_a if n % 2 else school_b, ip=None)
        if concern.school_id == school_a.pk and n % 3 == 0:  # linked inspections must not cost a query each
            services.concern_start_inspection(actor=inspector_x, concern=concern, reason="Проверка")
    for user in (inspector_x, city_supervisor):
        client = login(user)
        client.get(LIST)  # warm the session, as above
        with django_assert_max_num_queries(counts[user.username]):
            assert client.get(LIST).status_code == 200


# The detail ------------------------------------------------------------------------------------------------


def test_an_inspector_of_another_district_gets_404(login, concern_a, inspector_y):
    client = login(inspector_y)
    assert client.get(detail(concern_a)).status_code == 404
    assert client.post(action(concern_a, "dismiss"), {"reason": "Чужое"}).status_code == 404
    concern_a.refresh_from_db()
    assert concern_a.status == Concern.Status.RECEIVED


def test_an_unknown_concern_is_not_found(login, inspector_x):
    assert login(inspector_x).get(reverse("public:concern_detail", args=[987654])).status_code == 404


def test_the_reporters_contact_is_shown_to_the_districts_police_only(
    login, concern_a, inspector_x, chief_x, city_supervisor
):
    for user in (inspector_x, chief_x):
        assert concern_a.contact in login(user).get(detail(concern_a)).content.decode()
    page = login(city_supervisor).get(detail(concern_a)).content.decode()
    assert concern_a.what in page and concern_a.contact not in page
    assert 'data-testid="triage"' not in page  # the city reads, the district decides


def test_the_detail_costs_a_fixed_number_of_queries(
    login, concern_a, inspector_x, django_assert_max_num_queries
):
    for n in range(10):
        services.concern_note(actor=inspector_x, concern=concern_a, comment=f"Заметка {n}")
    client = login(inspector_x)
    client.get(detail(concern_a))
    with django_assert_max_num_queries(12):
        assert client.get(detail(concern_a)).status_code == 200


# Triage ----------------------------------------------------------------------------------------------------


def test_dismissing_without_a_reason_shows_the_error_on_the_field(login, concern_a, inspector_x):
    inspector_x.language = "en"
    inspector_x.save()
    response = login(inspector_x).post(action(concern_a, "dismiss"), {"reason": " "})
    assert response.status_code == 200
    assert response.context["forms"]["dismiss"].errors["reason"]
    assert response.context["open_form"] == "dismiss"
    concern_a.refresh_from_db()
    assert concern_a.status == Concern.Status.RECEIVED


def test_dismissing_with_a_reason_closes_the_concern_and_records_who(login, concern_a, chief_x):
    response = login(chief_x).post(action(concern_a, "dismiss"), {"reason": "Не относится к безопасности"})
    assert response.status_code == 302 and response["Location"] == detail(concern_a)
    concern_a.refresh_from_db()
    assert concern_a.status == Concern.Status.CLOSED
    event = concern_a.events.last()
    assert (event.action, event.actor, event.comment) == ("dismissed", chief_x, "Не относится к безопасности")
    page = login(chief_x).get(detail(concern_a)).content.decode()
    assert "Не относится к безопасности" in page and 'data-testid="submit-dismiss"' not in page


def test_a_note_is_added(login, concern_a, inspector_x):
    assert login(inspector_x).post(action(concern_a, "note"), {"comment": "Позвонил"}).status_code == 302
    assert concern_a.events.filter(action=ConcernEvent.Action.NOTE, actor=inspector_x).exists()


def test_starting_an_inspection_creates_an_adhoc_one_linked_to_the_concern(login, concern_a, inspector_x):
    client = login(inspector_x)
    form = client.get(detail(concern_a)).context["forms"]["inspect"]
    assert concern_a.reference in form.initial["reason"]  # prefilled, without the reporter's details
    response = client.post(action(concern_a, "inspect"), {"reason": form.initial["reason"], "planned_on": ""})
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:inspection_detail", args=[inspection.pk])
    concern_a.refresh_from_db()
    assert concern_a.inspection == inspection and inspection.kind == Inspection.Kind.ADHOC
    page = client.get(detail(concern_a)).content.decode()
    assert 'data-testid="inspection-link"' in page and 'data-testid="open-inspect"' not in page


def test_an_inspection_in_the_past_is_refused_on_the_field(login, concern_a, inspector_x):
    response = login(inspector_x).post(
        action(concern_a, "inspect"), {"reason": "Проверка", "planned_on": "2001-01-01"}
    )
    assert response.status_code == 200 and "planned_on" in response.context["forms"]["inspect"].errors
    assert not Inspection.objects.exists()


def test_the_city_supervisor_reads_but_may_not_triage(login, concern_a, city_supervisor):
    client = login(city_supervisor)
    assert client.post(action(concern_a, "note"), {"comment": "Заметка"}).status_code == 403
    assert client.get(action(concern_a, "note")).status_code == 405


def test_the_queue_exports_its_rows_with_the_contact_for_the_district_only(
    login, chief_x, city_supervisor, school_a, school_b
):
    from qorgau.tests.exports import column, csv_table, xlsx_table

    for who in (chief_x, city_supervisor):
        who.language = "en"
        who.save(update_fields=["language"])
    mine = services.concern_report(
        school=school_a, what="Калитка не закрывается", where="Задний двор", when="Вечером",
        contact="+7 701 000 00 00", ip="10.0.0.1",
    )  # fmt: skip
    services.concern_report(school=school_b, what="Нет охраны", where="Вход", when="Утром", ip="10.0.0.2")
    client = login(chief_x)
    shown = [c.reference for c in client.get(reverse("public:concern_list")).context["page"].object_list]
    table = xlsx_table(client.get(reverse("public:concern_export", args=["xlsx"])))
    assert column(table, "Reference number") == shown == [mine.reference]
    assert column(table, "Reporter's contact") == ["+7 701 000 00 00"]
    table = csv_table(
        login(city_supervisor).get(reverse("public:concern_export", args=["csv"]), {"status": "received"})
    )
    assert len(column(table, "Reference number")) == 2
    assert set(column(table, "Reporter's contact")) == {""}  # the city reads, the district calls back
