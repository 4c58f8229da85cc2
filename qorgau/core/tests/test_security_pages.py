"""Every page and every file answer, requested with the access matrix's world (one of every object)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qorgau.core.middleware import CONTENT_SECURITY_POLICY
from qorgau.core.tests.test_security import _inline_code
from qorgau.tests.access_world import ANON, CITY, HEAD
from qorgau.tests.test_access_matrix import (
    PAGE_NAMES,
    PAGES,
    _resolve,
    _restore_cookies,
    _variants,
    world,  # noqa: F401  (the module-scoped fixture)
)

pytestmark = pytest.mark.django_db


def test_every_page_sends_the_policy_and_has_no_inline_code(world):  # noqa: F811
    """Every named page, as the city supervisor, a school's head and an anonymous visitor, with side A's ids:
    the header is on every answer (pages, redirects, refusals, files) and no HTML answer has inline code."""
    problems, checked = [], 0
    for name in PAGE_NAMES:
        # A page without a rule fails the access matrix's own test; here it cannot be given ids.
        for rule in _variants(PAGES.get(name, ())):
            for role in (CITY, HEAD, ANON):
                client = world.pages[role]
                _restore_cookies(world, role, client)
                path = reverse(name, kwargs=_resolve(world, rule.args, role, "own", client))
                response = client.get(path)
                checked += 1
                if response.get("Content-Security-Policy") != CONTENT_SECURITY_POLICY:
                    problems.append(f"{role} GET {path}: {response.status_code} without the policy")
                if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
                    found = _inline_code(response.content.decode())
                    problems += [f"{role} GET {path}: {item}" for item in found]
    assert checked > 100
    assert not problems, "\n".join(problems)


FILE_VIEWS = {
    # URL name: (kwargs from side A, inline allowed)
    "inspections:act_pdf": ({"pk": "inspection", "lang": "=ru"}, False),
    "inspections:photo_file": ({"pk": "inspection", "photo_pk": "photo"}, True),
    "inspections:photo_thumb": ({"pk": "inspection", "photo_pk": "photo"}, True),
    "orders:order_document": ({"pk": "order", "fmt": "=pdf"}, False),
    "orders:evidence_file": ({"pk": "order", "evidence_pk": "evidence"}, True),
    "orders:amendment_document": ({"pk": "order", "amendment_pk": "amendment"}, False),
    "registry:school_export": ({"fmt": "=csv"}, False),
    "orders:order_export": ({"fmt": "=xlsx"}, False),
    "core:audit_list_export": ({"fmt": "=csv"}, False),
}


def test_every_file_answer_names_itself_and_cannot_be_sniffed(world):  # noqa: F811
    client = world.pages[CITY]
    problems = []
    for name, (args, inline_ok) in FILE_VIEWS.items():
        _restore_cookies(world, CITY, client)
        path = reverse(name, kwargs=_resolve(world, args, CITY, "own", client))
        response = client.get(path)
        disposition = response.get("Content-Disposition", "")
        if response.status_code != 200:
            problems.append(f"{path}: {response.status_code}")
        if not (disposition.startswith("attachment") or (inline_ok and disposition.startswith("inline"))):
            problems.append(f"{path}: Content-Disposition {disposition!r}")
        if "filename" not in disposition:
            problems.append(f"{path}: no file name")
        if response.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{path}: no X-Content-Type-Options: nosniff")
        if "html" in response.get("Content-Type", "") or "svg" in response.get("Content-Type", ""):
            problems.append(f"{path}: served as {response['Content-Type']}")
        if response.streaming:
            b"".join(response.streaming_content)
    assert not problems, "\n".join(problems)
    # Every document view of the URL conf is in the list above (a new one must be added on purpose).
    documents = {n for n in PAGE_NAMES if re.search(r"(_pdf|_file|_thumb|_document)$", n)}
    assert documents <= set(FILE_VIEWS), sorted(documents - set(FILE_VIEWS))
