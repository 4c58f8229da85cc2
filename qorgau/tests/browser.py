"""Playwright fixtures for the browser tests (pytest -m browser).

The root conftest.py loads them with ``pytest_plugins``; test modules import the helpers (login, shot) from
qorgau.tests.browser_helpers. (Were the helpers here, importing them would load this plugin before pytest
could, and pytest would warn that it cannot rewrite it.)

One headless Chromium runs for the whole session; every test gets a fresh context (own cookies) and page
on pytest-django's ``live_server``. Requesting ``live_server`` makes pytest-django give the test a
transactional database, so the persona fixtures in the root conftest.py (which ask for ``db``) work
unchanged. pytest-django runs transactional tests last, so their flushing the database (which also
removes the districts loaded by a migration) cannot disturb the other tests.

The browser is the system Chromium (``CHROMIUM_PATH``, /usr/bin/chromium by default): never run
``playwright install``. The flags keep Chromium from trying to reach the network on its own.
"""

import os
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}

expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        headless=True,
        args=CHROMIUM_ARGS,
    )
    yield browser
    browser.close()


@pytest.fixture
def make_page(browser: Browser, live_server) -> Iterator[Callable[[str], Page]]:
    """Open a page on the live server at a viewport ("phone" or "desktop").

    The browser asks for Russian, like the city's computers. At the end of the test no page may have
    logged a JavaScript error or a failed resource (a missing htmx would show up here).
    """
    contexts = []
    problems: list[str] = []

    def _make(viewport: str = "desktop") -> Page:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            base_url=live_server.url,
            locale="ru-RU",
            timezone_id="Asia/Almaty",
            device_scale_factor=1,
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
                source = message.location.get("url") or page.url
                problems.append(f"console error ({source}): {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"page error on {page.url}: {error}"))
        return page

    yield _make
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(make_page) -> Page:
    """A desktop page (1280×800)."""
    return make_page("desktop")


@pytest.fixture
def phone_page(make_page) -> Page:
    """A phone page (390×844)."""
    return make_page("phone")
