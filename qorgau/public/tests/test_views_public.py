"""The public pages: no sign-in, a school by its BIN, a concern by its reference number."""

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qorgau.inspections.models import Inspection
from qorgau.public.models import Concern
from qorgau.public.selectors import school_year_start
from qorgau.tests.factories import InspectionFactory, SchoolFactory

pytestmark = pytest.mark.django_db

HOME = reverse("public:home")
STATUS = reverse("public:concern_status")


def school_url(school):
    return reverse("public:school", args=[school.bin])


def concern_url(school):
    return reverse("public:concern_new", args=[school.bin])


FORM = {
    "what": "Калитка во двор открыта во время уроков, посторонние заходят",
    "where": "Задний двор",
    "when": "Каждое утро",
    "contact": "+7 701 123 45 67",
    "website": "",
}


# Search ----------------------------------------------------------------------------------------------------


def test_the_search_page_works_without_signing_in_and_lists_nothing_before_a_query(client, school_a):
    response = client.get(HOME)
    assert response.status_code == 200
    assert school_a.name_ru not in response.content.decode()


@pytest.mark.parametrize("q", ["школа-гимназия", "ШКОЛА-ГИМНАЗИЯ", "мектеп (А)", "№ 1 МЕКТЕП"])
def test_the_search_ignores_case_in_every_alphabet(client, school_a, school_b, q):
    page = client.get(HOME, {"q": q}).content.decode()
    assert school_url(school_a) in page
    assert school_url(school_b) not in page


def test_a_school_is_found_by_its_bin(client, school_a):
    assert school_url(school_a) in client.get(HOME, {"q": school_a.bin}).content.decode()


def test_the_results_are_paginated_at_a_fixed_number_of_queries(
    client, district_x, django_assert_max_num_queries
):
    for n in range(3):
        SchoolFactory(district=district_x, name_ru=f"Лицей № {n}", name_kk=f"№ {n} лицей")
    with django_assert_max_num_queries(4):
        small = client.get(HOME, {"q": "лицей"})
    assert small.content.decode().count('data-testid="school-result"') == 3
    for n in range(3, 45):
        SchoolFactory(district=district_x, name_ru=f"Лицей № {n}", name_kk=f"№ {n} лицей")
    with django_assert_max_num_queries(4):
        first = client.get(HOME, {"q": "лицей"})
    assert first.content.decode().count('data-testid="school-result"') == 20
    last = client.get(HOME, {"q": "лицей", "page": 3}).content.decode()
    assert last.count('data-testid="school-result"') == 5


def test_a_one_letter_query_asks_for_more(client, school_a):
    page = client.get(HOME, {"q": "ш"}).content.decode()
    assert 'data-testid="too-short"' in page and school_url(school_a) not in page


# The school's page -----------------------------------------------------------------------------------------


def test_an_unknown_bin_is_not_found(client, school_a):
    assert client.get(reverse("public:school", args=["000000000000"])).status_code == 404
    assert client.get(reverse("public:concern_new", args=["nothing"])).status_code == 404
    assert client.post(reverse("public:concern_new", args=["nothing"]), FORM).status_code == 404


def test_a_school_never_checked_says_so(client, school_a):
    page = client.get(school_url(school_a)).content.decode()
    assert 'data-testid="inspected"' in page and "fact-warn" in page


def test_a_school_checked_this_school_year_says_so_and_one_checked_last_year_does_not(
    client, school_a, school_b
):
    start = school_year_start()
    InspectionFactory(
        school=school_a, status=Inspection.Status.APPROVED,
        approved_at=timezone.make_aware(dt.datetime.combine(start, dt.time(10))),
    )  # fmt: skip
    InspectionFactory(
        school=school_b, status=Inspection.Status.APPROVED,
        approved_at=timezone.make_aware(dt.datetime.combine(start - dt.timedelta(days=1), dt.time(10))),
    )  # fmt: skip
    InspectionFactory(school=school_b, status=Inspection.Status.SUBMITTED)  # not approved: does not count
    client.cookies.load({"qorgau_language": "en"})
    a = client.get(school_url(school_a)).content.decode()
    b = client.get(school_url(school_b)).content.decode()
    assert "Yes, checked" in a and "Not checked yet" not in a
    assert "Not checked yet" in b


def test_the_school_year_starts_on_the_first_of_september():
    assert school_year_start(dt.date(2026, 8, 31)) == dt.date(2025, 9, 1)
    assert school_year_start(dt.date(2026, 9, 1)) == dt.date(2026, 9, 1)
    assert school_year_start(dt.date(2027, 1, 15)) == dt.date(2026, 9, 1)


def test_the_school_page_costs_a_fixed_number_of_queries(client, school_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert client.get(school_url(school_a)).status_code == 200


# Reporting a concern ---------------------------------------------------------------------------------------


def test_a_parent_reports_a_concern_and_gets_a_reference_to_check_its_status(client, school_a):
    response = client.post(concern_url(school_a), FORM, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302
    reference = parse_qs(urlparse(response["Location"]).query)["ref"][0]
    concern = Concern.objects.get()
    assert concern.reference == reference and concern.school == school_a
    assert concern.what == FORM["what"] and concern.contact == FORM["contact"]
    page = client.get(response["Location"]).content.decode()
    assert reference in page and 'data-testid="received"' in page


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_written(client, school_a):
    client.cookies.load({"qorgau_language": "en"})
    response = client.post(concern_url(school_a), {"what": "короче", "where": "", "when": "x" * 101})
    assert response.status_code == 200
    errors = {name: list(errs) for name, errs in response.context["form"].errors.items()}
    assert set(errors) == {"what", "where", "when"}
    assert "at least 10 characters" in errors["what"][0]
    assert not Concern.objects.exists()


def test_a_filled_honeypot_is_refused(client, school_a):
    response = client.post(concern_url(school_a), {**FORM, "website": "http://spam.example"})
    assert response.status_code == 200 and "website" in response.context["form"].errors
    assert not Concern.objects.exists()


def test_the_form_is_protected_against_cross_site_requests(school_a):
    client = Client(enforce_csrf_checks=True)
    assert client.post(concern_url(school_a), FORM).status_code == 403
    page = client.get(concern_url(school_a))
    token = page.cookies["csrftoken"].value
    assert client.post(concern_url(school_a), {**FORM, "csrfmiddlewaretoken": token}).status_code == 302


def test_a_sixth_concern_from_one_address_within_the_hour_is_refused_with_429(client, school_a, settings):
    settings.PUBLIC_CONCERNS_PER_HOUR = 5
    for _ in range(5):
        assert client.post(concern_url(school_a), FORM, REMOTE_ADDR="192.0.2.50").status_code == 302
    refused = client.post(concern_url(school_a), FORM, REMOTE_ADDR="192.0.2.50")
    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors()
    assert Concern.objects.count() == 5
    assert client.post(concern_url(school_a), FORM, REMOTE_ADDR="192.0.2.51").status_code == 302


# The status page -------------------------------------------------------------------------------------------


def test_the_status_page_shows_the_status_and_nothing_else(client, concern_a, inspector_x):
    from qorgau.public import services

    services.concern_note(actor=inspector_x, concern=concern_a, comment="Секретная заметка инспектора")
    client.cookies.load({"qorgau_language": "en"})
    page = client.get(STATUS, {"ref": concern_a.reference.lower()}).content.decode()
    assert concern_a.reference in page and "In work" in page
    for secret in (
        concern_a.school.name_ru, concern_a.what, concern_a.where, concern_a.when, concern_a.contact,
        "Секретная заметка", inspector_x.username, inspector_x.last_name, concern_a.district.name_en,
    ):  # fmt: skip
        assert secret not in page, secret


def test_an_unknown_or_malformed_reference_is_not_found(client, concern_a):
    client.cookies.load({"qorgau_language": "en"})
    for ref in ("Q-2222-2222", "nonsense", ""):
        response = client.get(STATUS, {"ref": ref})
        assert response.status_code == 404
        assert "ref" in response.context["form"].errors


def test_the_status_form_is_shown_empty_without_a_reference(client):
    response = client.get(STATUS)
    assert response.status_code == 200 and 'data-testid="status-form"' in response.content.decode()


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_the_public_pages_switch_language_without_signing_in(client, school_a, lang):
    response = client.post(reverse("accounts:language"), {"language": lang, "next": school_url(school_a)})
    assert response.status_code == 302 and response["Location"] == school_url(school_a)
    page = client.get(school_url(school_a)).content.decode()
    assert f'<html lang="{lang}">' in page


def test_the_sign_in_page_leads_parents_to_the_public_pages(client):
    assert f'href="{HOME}"' in client.get(reverse("accounts:login")).content.decode()
