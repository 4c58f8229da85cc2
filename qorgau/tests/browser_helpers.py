"""Helpers for the browser tests: sign in through the form, check htmx, take screenshots.

The fixtures (browser, page, phone_page, make_page) are in qorgau.tests.browser; a test module loads
them through the root conftest.py and imports these helpers directly.
"""

from pathlib import Path

from playwright.sync_api import Page, expect

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "screenshots"  # git-ignored
PASSWORD = "correct-horse-battery"  # what the factories set for every user


def login(page: Page, user, password: str = PASSWORD) -> None:
    """Sign in through the real login form and wait until the app has let the user in."""
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    expect(page.locator("#mainnav")).to_have_count(1)  # the menu is only there for a signed-in user


def htmx_loaded(page: Page) -> bool:
    return page.evaluate("typeof window.htmx") == "object"


def static_files_found() -> bool:
    from django.contrib.staticfiles import finders

    return finders.find("qorgau/vendor/htmx.min.js") is not None


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as screenshots/<name>.png at the repository root."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
