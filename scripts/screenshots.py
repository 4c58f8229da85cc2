"""Screenshots of the running app for review and for the README.

Usage: .venv/bin/python scripts/screenshots.py [BASE_URL] — against a server with the demo city
(`make run`). Saves screenshots/<page>-<width>.png and docs/screenshot.png (passport, phone + desktop).
"""

import os
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots" / "demo"
BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
PASSWORD = "qorgau-demo-2026"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def login(page, username):
    page.goto(BASE + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    pages = {
        "login": (None, "/accounts/login/"),
        "schools": ("chief_aue", "/schools/"),
        "schools-filtered": ("city", "/schools/?missing=cameras_unlinked"),
        "passport": ("school_alt", "/"),
        "firms": ("city", "/firms/"),
        "import": ("city", "/import/"),
        "profile": ("inspector_aue", "/accounts/profile/"),
    }
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=ARGS
        )
        for width, height in ((390, 844), (1280, 800)):
            for name, (user, path) in pages.items():
                context = browser.new_context(viewport={"width": width, "height": height}, locale="ru-RU")
                page = context.new_page()
                if user:
                    login(page, user)
                page.goto(BASE + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=name != "passport")
                if name == "passport":
                    page.screenshot(path=str(OUT / f"{name}-{width}-full.png"), full_page=True)
                context.close()
        browser.close()
    phone = Image.open(OUT / "passport-390.png")
    desktop = Image.open(OUT / "passport-1280.png")
    gap = 24
    canvas = Image.new(
        "RGB", (desktop.width + phone.width + gap, max(desktop.height, phone.height)), "#e8ecf1"
    )
    canvas.paste(desktop, (0, 0))
    canvas.paste(phone, (desktop.width + gap, 0))
    (ROOT / "docs").mkdir(exist_ok=True)
    canvas.save(ROOT / "docs" / "screenshot.png", optimize=True)
    print("saved", OUT, "and docs/screenshot.png")


if __name__ == "__main__":
    main()
