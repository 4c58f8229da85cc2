"""The inspection form in a real Chromium on a phone: a whole checklist, the panic test, a photo, a dropped
connection in the middle, submit and approval; a conflict between two people; screenshots."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from qorgau.inspections.models import Answer, Inspection, Photo
from qorgau.registry.models import EquipmentStatus
from qorgau.tests.browser_helpers import SCREENSHOTS, login, shot
from qorgau.tests.factories import CameraFactory, InspectionFactory, default_version

pytestmark = pytest.mark.browser

SCHOOL_GPS = {"latitude": 43.238949, "longitude": 76.889709, "accuracy": 15}
# A refused save is answered 409 or 422 on purpose; Chromium logs every 4xx answer as a console error.
EXPECTED_CONSOLE = re.compile(r"the server responded with a status of (409|422) ")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def inspection(school_a, inspector_x):
    default_version()  # browser tests flush the database, and with it the migration's checklist
    CameraFactory.create_batch(3, school=school_a, archive_days=30)
    CameraFactory(school=school_a, archive_days=14, status=EquipmentStatus.FAULTY)
    return InspectionFactory(school=school_a, inspector=inspector_x)


@pytest.fixture
def make_tolerant_page(browser, live_server):
    """Like make_page, except that the 409 or 422 of a refused save is expected in the console."""
    contexts, problems = [], []

    def _make(viewport: str) -> Page:
        phone = viewport == "phone"
        context = browser.new_context(
            viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 800},
            base_url=live_server.url, locale="ru-RU", timezone_id="Asia/Almaty", device_scale_factor=1,
            is_mobile=phone, has_touch=phone,
        )  # fmt: skip
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                problems.append(m.text) if m.type == "error" and not EXPECTED_CONSOLE.search(m.text) else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    yield _make
    for context in contexts:
        context.close()
    assert not problems, problems


def view_shot(page: Page, name: str, element=None) -> None:
    """What the phone's screen shows, with the element (e.g. an item card) at its top."""
    if element is not None:
        element.evaluate("e => e.scrollIntoView({block: 'start'})")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")


def small_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def wait_saved(page: Page) -> None:
    """Until nothing is waiting or on its way."""
    expect(page.locator("#conduct")).to_have_attribute("data-pending", "0")
    expect(page.locator("[data-saving-badge]:visible")).to_have_count(0)


def answer_item(page: Page, card, kind: str) -> None:
    """Answer an item so that it passes, as an inspector would on the phone."""
    if kind in ("yes_no", "yes_no_na"):
        card.locator(".cf-opt.opt-yes").click()
    elif kind == "number":
        card.locator("input[name=value]").fill("45")
        card.locator("input[name=value]").press("Tab")
    elif kind == "date":
        card.locator("input[name=value]").fill((timezone.localdate() - dt.timedelta(days=20)).isoformat())
        card.locator("input[name=value]").press("Tab")
    elif kind == "panic_test":
        card.get_by_test_id("press-now").click()
        expect(card.locator("[data-panic-timer]")).to_be_visible()
        card.get_by_test_id("acknowledged").click()
        card.get_by_test_id("arrived").click()
        card.locator(".cf-opt.opt-yes").click()
    elif kind == "camera_survey":
        # The registry's numbers are there to start from; the inspector counts and corrects them.
        expect(card.locator("input[name=total]")).to_have_value("4")
        expect(card.locator("input[name=working]")).to_have_value("3")
        card.locator("input[name=working]").fill("4")
        card.locator("input[name=working]").press("Tab")
    elif kind == "entry_test":
        card.locator(".cf-opt.opt-yes").click()
        card.locator("textarea[name=notes]").fill("Охранник остановил и проверил документы")
    elif kind == "staff_interview":
        card.locator("input[name=asked]").fill("5")
        card.locator("input[name=correct]").fill("5")
        card.locator("input[name=correct]").press("Tab")
    else:
        raise AssertionError(kind)


def answer_step(page: Page, skip: tuple[str, ...] = ()) -> list[str]:
    step = page.locator(".cf-step:visible")
    codes = []
    for card in step.locator(".cf-item").all():
        code = card.get_attribute("data-code")
        if code in skip:
            continue
        answer_item(page, card, card.locator("form[data-answer-form]").get_attribute("data-kind"))
        codes.append(code)
    wait_saved(page)
    for code in codes:
        expect(
            step.locator(f'.cf-item[data-code="{code}"] [data-testid=result] .badge.result-pass')
        ).to_be_visible()
    return codes


def test_an_inspector_completes_the_checklist_on_a_phone_through_a_dropped_connection(
    make_page, inspection, inspector_x, chief_x
):
    page = make_page("phone")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(SCHOOL_GPS)
    login(page, inspector_x)
    page.goto(f"/inspections/{inspection.pk}/conduct/")
    expect(page.get_by_test_id("progress")).to_have_text("0/31")
    shot(page, "conduct-390")

    # Panic alarm: the test press with the three timing buttons.
    answer_step(page)
    panic = page.locator('.cf-item[data-code="PA-3"]')
    expect(panic.locator("[data-testid=result]")).to_contain_text(re.compile(r"0:0\d"))
    assert Answer.objects.get(inspection=inspection, item__code="PA-3").value["received"] == "yes"
    view_shot(page, "conduct-panic-result-390", panic)
    page.get_by_test_id("next").locator("visible=true").click()

    # CCTV: the camera survey starts from the registry, and a photo from the phone camera.
    expect(page.locator('.cf-item[data-code="VS-1"] [data-testid=fact]')).to_contain_text("4")
    answer_step(page)
    card = page.locator('.cf-item[data-code="VS-1"]')
    card.get_by_test_id("photo-input").set_input_files(
        {"name": "camera.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}
    )
    expect(card.locator(".cf-thumbs img")).to_have_count(1)
    card.locator(".cf-thumbs img").evaluate("img => img.decode()")  # served through the scoped view
    photo = Photo.objects.get(inspection=inspection)
    assert (photo.item.code, photo.taken_by_id) == ("VS-1", inspector_x.pk)
    assert round(float(photo.latitude), 4) == 43.2389
    page.get_by_test_id("next").locator("visible=true").click()

    # Access control: the connection drops after the first answers.
    step = page.locator(".cf-step:visible")
    answer_step(page, skip=("AC-2", "AC-3"))
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    for code in ("AC-2", "AC-3"):
        step.locator(f'.cf-item[data-code="{code}"] .cf-opt.opt-yes').click()
        expect(step.locator(f'.cf-item[data-code="{code}"] [data-pending-badge]')).to_be_visible()
    banner = page.get_by_test_id("sync-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("2")
    assert not Answer.objects.filter(inspection=inspection, item__code__in=["AC-2", "AC-3"]).exists()
    view_shot(page, "conduct-offline-390", step.locator('.cf-item[data-code="AC-2"]'))

    page.context.set_offline(False)
    wait_saved(page)
    expect(banner).to_be_hidden()
    expect(step.locator("[data-pending-badge]:visible")).to_have_count(0)
    saved = Answer.objects.filter(inspection=inspection, item__code__in=["AC-2", "AC-3"])
    assert sorted(saved.values_list("result", flat=True)) == ["pass", "pass"]

    # The other sections, through the step chips and the next buttons.
    for _ in range(4):
        page.get_by_test_id("next").locator("visible=true").click()
        answer_step(page)
    expect(page.get_by_test_id("progress")).to_have_text("31/31")
    page.get_by_test_id("next").locator("visible=true").click()
    expect(page.locator("[data-todo]:visible")).to_have_count(0)
    expect(page.locator("[data-todo-done]")).to_be_visible()

    # A finding that no item covers, with a photo.
    finding = page.locator(".cf-finding-form")
    finding.locator(".cf-opt.opt-sev-M").click()
    finding.locator("textarea[name=text]").fill("Разбито окно в спортзале")
    finding.locator("input[name=location]").fill("Спортзал, 1 этаж")
    finding.locator("input[name=photos]").set_input_files(
        {"name": "window.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}
    )
    finding.locator("button[type=submit]").click()
    expect(page.get_by_test_id("free-findings").locator(".thumbs img")).to_have_count(1)
    expect(page.get_by_test_id("free-findings")).to_contain_text("Разбито окно в спортзале")
    page.get_by_test_id("free-findings").locator(".thumbs img").evaluate("img => img.decode()")
    shot(page, "conduct-finish-390")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(rf"/inspections/{inspection.pk}/$"))
    assert Inspection.objects.get(pk=inspection.pk).status == "submitted"

    # The district chief approves the results on the review page.
    chief = make_page("phone")
    login(chief, chief_x)
    chief.goto(f"/inspections/{inspection.pk}/")
    chief.get_by_test_id("approve").click()
    expect(chief.get_by_test_id("status")).to_have_text(re.compile(r"\S"))
    inspection.refresh_from_db()
    assert inspection.status == "approved" and inspection.act_seq == 1

    page.goto(f"/inspections/{inspection.pk}/conduct/")
    expect(page.get_by_test_id("readonly")).to_be_visible()
    expect(page.locator("form[data-answer-form]")).to_have_count(0)
    view_shot(page, "conduct-readonly-390")


def test_answers_typed_offline_survive_closing_the_page(make_page, inspection, inspector_x):
    page = make_page("phone")
    login(page, inspector_x)
    page.goto(f"/inspections/{inspection.pk}/conduct/?section=DO")
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    card = page.locator('.cf-item[data-code="DO-1"]')
    card.locator(".cf-opt.opt-no").click()
    card.locator("textarea[name=comment]").fill("Паспорт не согласован с полицией")
    expect(card.locator("[data-pending-badge]")).to_be_visible()
    context = page.context
    page.close()  # the phone's browser is closed before the connection comes back
    assert not Answer.objects.filter(inspection=inspection).exists()

    held, reopened = [], {}  # the new page's save is held on its way, to see the answer put back first

    def hold(route):
        # A closed page's renderer may live on for a moment and hear the network come back; what it sends then
        # is dropped, as it would be on a phone whose browser was closed.
        if route.request.frame.page is reopened.get("page"):
            held.append(route)
        else:
            route.abort()

    context.route(re.compile(r"/answers/\d+/$"), hold)
    context.set_offline(False)
    page = reopened["page"] = context.new_page()
    page.goto(f"/inspections/{inspection.pk}/conduct/?section=DO")
    card = page.locator('.cf-item[data-code="DO-1"]')
    expect(card.locator("input[name=value][value=no]")).to_be_checked()
    expect(card.locator("textarea[name=comment]")).to_have_value("Паспорт не согласован с полицией")
    expect(card.locator("[data-saving-badge]")).to_be_visible()
    expect(page.get_by_test_id("sync-banner")).to_be_visible()
    page.wait_for_timeout(100)
    assert len(held) == 1
    held[0].continue_()
    wait_saved(page)
    answer = Answer.objects.get(inspection=inspection, item__code="DO-1")
    assert (answer.result, answer.comment) == ("fail", "Паспорт не согласован с полицией")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_late_save_shows_the_other_persons_answer(
    make_tolerant_page, viewport, inspection, inspector_x, chief_x
):
    chief_x.first_name, chief_x.last_name = "Ерлан", "Сапаров"
    chief_x.save()
    mine, theirs = make_tolerant_page(viewport), make_tolerant_page(viewport)
    login(mine, inspector_x)
    login(theirs, chief_x)
    url = f"/inspections/{inspection.pk}/conduct/?section=VS"
    mine.goto(url)
    theirs.goto(url)

    other = theirs.locator('.cf-item[data-code="VS-2"]')
    other.locator("input[name=value]").fill("14")
    other.locator("input[name=value]").press("Tab")
    wait_saved(theirs)

    card = mine.locator('.cf-item[data-code="VS-2"]')
    card.locator("input[name=value]").fill("30")
    card.locator("input[name=value]").press("Tab")
    conflict = card.get_by_test_id("conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Ерлан Сапаров")
    expect(card.locator("input[name=value]")).to_have_value("14")
    assert Answer.objects.get(inspection=inspection).value == {"value": "14"}
    width = mine.viewport_size["width"]
    view_shot(mine, f"conduct-conflict-{width}", card)

    # Entered again over the answer now shown, it is saved.
    card.locator("input[name=value]").fill("30")
    card.locator("input[name=value]").press("Tab")
    wait_saved(mine)
    expect(card.get_by_test_id("conflict")).to_have_count(0)
    assert Answer.objects.get(inspection=inspection).value == {"value": "30"}
    overflow = mine.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the form is {overflow}px wider than the screen"
    if viewport == "desktop":
        mine.goto(f"/inspections/{inspection.pk}/conduct/?section=PA")
        shot(mine, "conduct-1280")


def test_a_refused_value_or_file_is_explained_on_the_item(make_tolerant_page, inspection, inspector_x):
    page = make_tolerant_page("phone")
    login(page, inspector_x)
    page.goto(f"/inspections/{inspection.pk}/conduct/?section=VS")
    card = page.locator('.cf-item[data-code="VS-1"]')
    card.locator("input[name=working]").fill("9")
    card.locator("input[name=working]").press("Tab")
    expect(card.locator(".field-error")).to_be_visible()
    expect(card.locator("input[name=working]")).to_have_value("9")  # what was typed stays to be corrected
    assert not Answer.objects.exists()

    card.get_by_test_id("photo-input").set_input_files(
        {
            "name": "photo.jpg",
            "mimeType": "image/jpeg",
            "buffer": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        }
    )
    expect(card.get_by_test_id("photo-error")).to_be_visible()
    assert not Photo.objects.exists()
    view_shot(page, "conduct-errors-390", card)
