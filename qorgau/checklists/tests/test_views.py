"""Checklist pages: everyone signed in reads; only the city supervisor edits a draft; published stays put."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from qorgau.checklists import services
from qorgau.checklists.models import Item, TemplateVersion
from qorgau.core.context_processors import menu_for
from qorgau.tests.factories import default_version

pytestmark = pytest.mark.django_db

READERS = ["city_supervisor", "chief_x", "inspector_x", "education_user", "school_admin_a", "firm_user"]
NOT_MANAGERS = ["chief_x", "inspector_x", "education_user", "school_admin_a"]


def speak_english(*users):
    """These tests read the English wording; a user sees pages in their own language (Russian by default)."""
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def v1():
    return default_version()


@pytest.fixture
def draft(v1, city_supervisor):
    return services.draft_create(actor=city_supervisor, template=v1.template)


def form_data(item: Item, **changes) -> dict:
    data = {
        "section": item.section_id,
        "code": item.code,
        "order": item.order,
        "text_ru": item.text_ru,
        "text_kk": item.text_kk,
        "text_en": item.text_en,
        "legal_ref": item.legal_ref,
        "severity": item.severity,
        "answer_kind": item.answer_kind,
        "threshold": item.threshold if item.threshold is not None else "",
        "max_age_days": item.max_age_days or "",
        "tiers": item.tier_list,
        "prefill": item.prefill,
        "remedy_ru": item.remedy_ru,
        "remedy_kk": item.remedy_kk,
        "fix_kind": item.fix_kind,
    }
    data.update(changes)
    return data


def page_urls(version, item) -> list[str]:
    return [
        "/checklists/",
        f"/checklists/versions/{version.pk}/",
        f"/checklists/versions/{version.pk}/items/new/",
        f"/checklists/versions/{version.pk}/items/{item.pk}/edit/",
    ]


def post_urls(version, item) -> list[str]:
    return [
        f"/checklists/{version.template_id}/draft/",
        f"/checklists/versions/{version.pk}/publish/",
        f"/checklists/versions/{version.pk}/items/new/",
        f"/checklists/versions/{version.pk}/items/{item.pk}/edit/",
        f"/checklists/versions/{version.pk}/items/{item.pk}/delete/",
    ]


# Who may see and who may change ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, draft):
    item = draft.items.first()
    for url in page_urls(draft, item) + post_urls(draft, item):
        response = client.post(url) if url in post_urls(draft, item) else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    assert TemplateVersion.objects.filter(template=draft.template).count() == 2


@pytest.mark.parametrize("persona", READERS)
def test_everyone_signed_in_reads_the_templates_and_their_versions(request, login, v1, persona):
    client = login(request.getfixturevalue(persona))
    listing = client.get("/checklists/")
    assert listing.status_code == 200
    assert f'href="/checklists/versions/{v1.pk}/"' in listing.content.decode()
    page = client.get(f"/checklists/versions/{v1.pk}/")
    assert page.status_code == 200
    assert 'data-testid="item-PA-1"' in page.content.decode()


@pytest.mark.parametrize("persona", NOT_MANAGERS)
def test_others_see_no_editing_controls_and_are_refused_every_change(request, login, draft, persona):
    client = login(request.getfixturevalue(persona))
    item = draft.items.get(code="PA-1")
    for url in (f"/checklists/versions/{draft.pk}/", "/checklists/"):
        html = client.get(url).content.decode()
        assert "/items/new/" not in html and "/publish/" not in html and "/draft/" not in html, url
    for url in page_urls(draft, item)[2:]:
        assert client.get(url).status_code == 403, url
    for url in post_urls(draft, item):
        assert (
            client.post(url, form_data(item, text_ru="Чужая правка") | {"notes": "x"}).status_code == 403
        ), url
    item.refresh_from_db()
    draft.refresh_from_db()
    assert item.text_ru != "Чужая правка"
    assert draft.is_draft
    assert TemplateVersion.objects.filter(template=draft.template).count() == 2


def test_only_police_and_education_get_the_menu_entry_after_the_firms(
    city_supervisor, chief_x, inspector_x, education_user, school_admin_a, firm_user
):
    for user in (city_supervisor, chief_x, inspector_x, education_user):
        keys = [key for key, _label, _url in menu_for(user)]
        assert keys.index("checklists") == keys.index("firms") + 1
    for user in (school_admin_a, firm_user):
        assert "checklists" not in [key for key, _label, _url in menu_for(user)]


def test_unknown_ids_are_404(login, city_supervisor, v1, draft):
    client = login(city_supervisor)
    other = v1.items.get(code="PA-1")  # an item, but of another version than the URL's
    assert client.get("/checklists/versions/999999/").status_code == 404
    assert client.get("/checklists/versions/999999/items/new/").status_code == 404
    assert client.get(f"/checklists/versions/{draft.pk}/items/999999/edit/").status_code == 404
    assert client.get(f"/checklists/versions/{draft.pk}/items/{other.pk}/edit/").status_code == 404
    assert client.post(f"/checklists/versions/{draft.pk}/items/{other.pk}/delete/").status_code == 404
    assert client.post("/checklists/999999/draft/").status_code == 404
    assert client.post("/checklists/versions/999999/publish/", {"notes": "x"}).status_code == 404
    assert v1.items.filter(pk=other.pk).exists()


def test_changes_are_posts_only(login, city_supervisor, draft):
    client = login(city_supervisor)
    item = draft.items.first()
    assert client.get(f"/checklists/{draft.template_id}/draft/").status_code == 405
    assert client.get(f"/checklists/versions/{draft.pk}/publish/").status_code == 405
    assert client.get(f"/checklists/versions/{draft.pk}/items/{item.pk}/delete/").status_code == 405


# Reading -----------------------------------------------------------------------------------------------


def test_the_list_shows_each_version_with_its_status_publisher_and_item_count(login, inspector_x, v1, draft):
    speak_english(inspector_x)
    with translation.override("en"):
        html = login(inspector_x).get("/checklists/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/checklists/versions/{v1.pk}/"' in html
    assert f'href="/checklists/versions/{draft.pk}/"' in html
    assert html.count("31 items") == 2


def test_the_version_page_shows_items_in_order_with_their_details(login, inspector_x, v1):
    html = login(inspector_x).get(f"/checklists/versions/{v1.pk}/").content.decode()
    codes = list(v1.items.order_by("section__order", "order").values_list("code", flat=True))
    positions = [html.index(f'data-testid="item-{code}"') for code in codes]
    assert positions == sorted(positions)
    pa1 = v1.items.get(code="PA-1")
    assert pa1.text_ru in html and pa1.text_kk in html  # the other language behind "show"
    assert pa1.legal_ref in html
    assert 'class="badge sev-G"' in html
    assert '<abbr class="chip" title="' in html
    assert pa1.remedy_ru in html


def test_the_page_speaks_the_users_language(login, inspector_x, v1):
    inspector_x.language = "kk"
    inspector_x.save()
    client = login(inspector_x)
    client.post("/accounts/language/", {"language": "kk", "next": "/checklists/"})
    html = client.get(f"/checklists/versions/{v1.pk}/").content.decode()
    pa1 = v1.items.get(code="PA-1")
    assert f'<p class="item-text" data-testid="item-text">{pa1.text_kk}</p>' in html
    assert f'<dd lang="ru">{pa1.text_ru}' in html  # the Russian text on demand
    assert '<dd lang="kk">' not in html  # not the page's own language again


def test_the_version_page_runs_as_many_queries_for_many_items_as_for_few(login, city_supervisor, draft):
    client = login(city_supervisor)
    url = f"/checklists/versions/{draft.pk}/"
    client.get(url)  # warm the session and user
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    section = draft.sections.get(code="DO")
    for n in range(4, 10):
        data = {"section": section, "code": f"DO-{n}", "text_ru": "Текст", "text_kk": "Мәтін"}
        data |= {"severity": "M", "answer_kind": "yes_no", "tiers": "T1,T2,T3"}
        services.item_save(actor=city_supervisor, version=draft, data=data)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).content.decode().count('class="item-card"') == 37
    assert len(many) == len(few) <= 12


# The city supervisor edits a draft ---------------------------------------------------------------------


def test_the_supervisor_makes_a_draft_and_is_taken_to_it(login, city_supervisor, v1):
    client = login(city_supervisor)
    response = client.post(f"/checklists/{v1.template_id}/draft/")
    draft = TemplateVersion.objects.get(template=v1.template, status="draft")
    assert response.status_code == 302
    assert response["Location"] == f"/checklists/versions/{draft.pk}/"
    assert (draft.number, draft.based_on_id, draft.items.count()) == (2, v1.pk, 31)


def test_a_second_draft_attempt_says_so_and_goes_to_the_existing_draft(login, city_supervisor, draft):
    speak_english(city_supervisor)
    client = login(city_supervisor)
    with translation.override("en"):
        response = client.post(f"/checklists/{draft.template_id}/draft/", follow=True)
    assert response.redirect_chain == [(f"/checklists/versions/{draft.pk}/", 302)]
    messages = [str(m) for m in response.context["messages"]]
    assert any("already has a draft (version 2)" in m for m in messages)
    assert TemplateVersion.objects.filter(template=draft.template).count() == 2


def test_the_supervisor_edits_an_item_of_the_draft(login, city_supervisor, draft):
    client = login(city_supervisor)
    item = draft.items.get(code="PA-3")
    form = client.get(f"/checklists/versions/{draft.pk}/items/{item.pk}/edit/")
    assert form.status_code == 200
    checked = re.findall(r'value="(T\d)" class="tier-choice" id="id_tiers_\d" checked', form.content.decode())
    assert checked == item.tier_list == ["T2", "T3"]
    response = client.post(
        f"/checklists/versions/{draft.pk}/items/{item.pk}/edit/",
        form_data(item, text_ru="Контрольное нажатие КТС", tiers=["T2", "T3"], threshold="600"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/checklists/versions/{draft.pk}/#item-{item.pk}"
    item.refresh_from_db()
    assert (item.text_ru, item.tiers, str(item.threshold)) == ("Контрольное нажатие КТС", "T2,T3", "600.00")


def test_the_section_list_offers_only_the_drafts_sections(login, city_supervisor, v1, draft):
    html = login(city_supervisor).get(f"/checklists/versions/{draft.pk}/items/new/").content.decode()
    for section in draft.sections.all():
        assert f'value="{section.pk}"' in html
    for section in v1.sections.all():
        assert f'value="{section.pk}"' not in html


def test_the_supervisor_adds_an_item_at_the_end_of_a_section(login, city_supervisor, draft):
    client = login(city_supervisor)
    section = draft.sections.get(code="PE")
    data = form_data(
        draft.items.get(code="PE-1"),
        code="PE-4",
        order="",
        text_ru="Калитки закрыты",
        text_kk="Қақпалар жабық",
    )
    data["section"] = section.pk
    response = client.post(f"/checklists/versions/{draft.pk}/items/new/", data)
    assert response.status_code == 302
    item = draft.items.get(code="PE-4")
    assert item.section == section
    assert (
        item.order
        == max(draft.items.filter(section=section).exclude(pk=item.pk).values_list("order", flat=True)) + 1
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "PA-1"}, "code", "Item PA-1 already exists in this version; choose another code."),
        ({"tiers": []}, "tiers", "Give one or more of T1, T2, T3."),
        ({"answer_kind": "number", "threshold": ""}, "threshold", "A number answer needs a threshold."),
        ({"answer_kind": "date", "max_age_days": ""}, "max_age_days", "A date answer needs a maximum age."),
    ],
)
def test_bad_item_input_is_shown_on_its_field(login, city_supervisor, draft, changes, field, message):
    speak_english(city_supervisor)
    client = login(city_supervisor)
    item = draft.items.get(code="PA-2")
    with translation.override("en"):
        response = client.post(
            f"/checklists/versions/{draft.pk}/items/{item.pk}/edit/", form_data(item, **changes)
        )
        assert response.status_code == 200
        assert response.context["form"].errors[field] == [message]
    item.refresh_from_db()
    assert item.code == "PA-2"


def test_the_supervisor_deletes_an_item_of_the_draft(login, city_supervisor, draft):
    client = login(city_supervisor)
    item = draft.items.get(code="PE-2")
    response = client.post(f"/checklists/versions/{draft.pk}/items/{item.pk}/delete/")
    assert response.status_code == 302
    assert not draft.items.filter(code="PE-2").exists()


def test_publishing_needs_notes_and_then_freezes_the_draft(login, city_supervisor, draft):
    speak_english(city_supervisor)
    client = login(city_supervisor)
    with translation.override("en"):
        response = client.post(f"/checklists/versions/{draft.pk}/publish/", {"notes": "  "})
        assert response.status_code == 200
        assert response.context["publish_form"].errors["notes"] == ["Say what changed in this version."]
    draft.refresh_from_db()
    assert draft.is_draft

    response = client.post(f"/checklists/versions/{draft.pk}/publish/", {"notes": "PA-3: новое время"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.notes, draft.published_by) == (
        "published",
        "PA-3: новое время",
        city_supervisor,
    )
    html = client.get(f"/checklists/versions/{draft.pk}/").content.decode()
    assert "PA-3: новое время" in html
    assert "/items/new/" not in html and "/edit/" not in html


# A published version never changes ---------------------------------------------------------------------


def test_the_edit_pages_of_a_published_version_send_the_supervisor_back(login, city_supervisor, v1):
    speak_english(city_supervisor)
    client = login(city_supervisor)
    item = v1.items.get(code="PA-1")
    text = item.text_ru
    back = f"/checklists/versions/{v1.pk}/"
    for response in (
        client.get(f"/checklists/versions/{v1.pk}/items/new/"),
        client.get(f"/checklists/versions/{v1.pk}/items/{item.pk}/edit/"),
        client.post(f"/checklists/versions/{v1.pk}/items/{item.pk}/edit/", form_data(item, text_ru="Другое")),
        client.post(f"/checklists/versions/{v1.pk}/items/new/", form_data(item, code="PA-9")),
        client.post(f"/checklists/versions/{v1.pk}/items/{item.pk}/delete/"),
        client.post(f"/checklists/versions/{v1.pk}/publish/", {"notes": "ещё раз"}),
    ):
        assert response.status_code == 302
        assert response["Location"] == back
    item.refresh_from_db()
    assert item.text_ru == text
    assert v1.items.count() == 31
    v1.refresh_from_db()
    assert v1.notes != "ещё раз"
    with translation.override("en"):
        followed = client.get(f"/checklists/versions/{v1.pk}/items/new/", follow=True)
    assert (
        "A published checklist version cannot be changed" in [str(m) for m in followed.context["messages"]][0]
    )


def test_an_edit_form_posted_after_the_draft_was_published_is_not_applied(login, city_supervisor, draft):
    client = login(city_supervisor)
    item = draft.items.get(code="PA-1")
    services.version_publish(actor=city_supervisor, version=draft, notes="Готово")
    response = client.post(
        f"/checklists/versions/{draft.pk}/items/{item.pk}/edit/", form_data(item, text_ru="Поздняя правка")
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.text_ru != "Поздняя правка"
