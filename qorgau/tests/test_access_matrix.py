"""Who gets what, from every URL: an access matrix generated from the URL conf and the API's OpenAPI schema.

Every named URL pattern (the Django admin aside: the last test) and every API operation must have a rule
here; a new view without one fails `test_every_page_has_a_rule` / `test_every_api_operation_has_a_rule` (and
its own matrix test), so whoever adds a view decides who may use it. A rule names the objects the URL (or
its query, or its body) points at, by attribute of a side of the world (`access_world.py`): side A is
district X, school A and the firm guarding it; side B is district Y, school B and another firm; each has
one object of every kind. Every persona — city supervisor, education department, chief and inspector of
district X, head of school A, the firm guarding school A, and an anonymous visitor — requests each URL
with the ids of:

- "own": side A's objects;
- "foreign": side B's;
- "mixed": side A's parent with a child of another parent (an item of another order, a photo of another
  inspection, an item of another checklist version), where the URL names a child under a parent;
- "missing": ids that belong to nothing, which must be answered exactly as foreign ones are.

Pages are requested with GET and with an empty POST (a few rules add a filled form); API operations with
their method and an empty JSON body, and, where that body is refused by the input schema before anything is
looked up (422 on every side, which reveals nothing), also with the smallest body that gets past it, so
that the scope check is reached.

The expected answer is `expected(rule, act, persona, side)`:

1. Anonymous: a page redirects to the sign-in page, the API answers 401. Rules list the few public pages
   (sign-in, language, the API's description).
2. A method the view does not take: 405, before anything is looked up.
3. A view that checks the role before it looks anything up (`policy_first`): 403 for roles without the
   right, whatever the ids.
4. Not visible to the persona: 404, as for an id of nothing. Visibility is `SEES[rule.see][side]`: district
   X users see nothing of district Y; school A's head nothing of school B, nor a draft order, nor an
   inspection of its own school before approval; the firm sees the school it guards, its firm and its
   district, and no inspection, campaign or order; notifications, tokens and uploads are their owner's
   alone. "Mixed": 404 for everyone who sees the parent (403 first where the view checks the role before it
   looks up the child: `policy_before_child`). An object named in a body (`in_body`) is answered as a wrong
   id there: 400 "no such …" from the API, the form shown again (200) on a page.
5. Visible, but the role has no right: 403. The education department and the security firm read; the
   education department is refused every write (`test_read_only_roles_are_refused_every_write`) but on its
   own account (profile, language, notifications).
6. Otherwise the rule's answer: 200 for a page, or for a form shown again with its errors; 302 where the view
   redirects by design (home, sign-in for the signed-in, an action done, an order that already exists);
   400/409/422 where the service refuses the empty request; 2xx where an API call succeeds.

Never a 500: an exception is a failure of its own. And no answer to a persona of side A may contain school
B's name (`CANARY`): lists, filters (`?school=`, `?district=`) and exports included. Each request runs in a
savepoint that is rolled back, so a write that succeeds changes nothing for the next request.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from qorgau.api import api
from qorgau.tests.access_world import (
    ANON,
    CANARY,
    CHIEF,
    CITY,
    EDU,
    FIRM,
    HEAD,
    INSPECTOR,
    ROLES,
    USERS,
    build_world,
    jpeg_bytes,
)
from qorgau.tests.factories import next_bin

pytestmark = pytest.mark.django_db

CITYWIDE = frozenset({CITY, EDU})
FIELD = frozenset({CHIEF, INSPECTOR})  # conduct inspections, draft and follow up orders
POLICE = frozenset({CITY, CHIEF, INSPECTOR})
MANAGERS = frozenset({CITY, CHIEF})  # new schools, imports, assigning inspectors
EQUIPMENT = POLICE | {HEAD}
GUARD_POSTS = EQUIPMENT | {FIRM}  # a firm keeps its guard posts current
NOBODY = frozenset()
BUDGET = frozenset({CITY, EDU, CHIEF})  # budget needs: who plans or follows the money
SIDE_A = frozenset({CHIEF, INSPECTOR, HEAD, FIRM})  # those who must never see anything of school B

# Who sees an object of each kind, by side. A kind without "foreign" has no side B (e.g. lists, checklists).
SEES: dict[str, dict[str, frozenset[str]]] = {
    "anyone": {"own": USERS},
    "before lookup": {"own": USERS, "foreign": USERS},  # the request is refused before any lookup
    "school": {"own": USERS, "foreign": CITYWIDE},
    "district": {"own": USERS, "foreign": CITYWIDE},
    "firm": {"own": USERS, "foreign": CITYWIDE | FIELD},  # the register of firms is every police office's
    "police area": {"own": CITYWIDE | FIELD},
    "inspection area": {"own": USERS - {FIRM}},
    "campaign": {"own": CITYWIDE | FIELD, "foreign": CITYWIDE},
    "approved": {"own": USERS - {FIRM}, "foreign": CITYWIDE},
    "unapproved": {"own": CITYWIDE | FIELD, "foreign": CITYWIDE},
    "issued": {"own": USERS - {FIRM}, "foreign": CITYWIDE},
    "draft": {"own": CITYWIDE | FIELD, "foreign": CITYWIDE},
    "checklist": {"own": USERS},
    "personal": {"own": USERS, "foreign": NOBODY},
    # A list filtered by an object named in the query: the same answer whatever the object, and never a
    # row the persona may not see (the canary check below).
    "filter": {"own": USERS, "foreign": USERS},
    "inspection filter": {"own": USERS - {FIRM}, "foreign": USERS - {FIRM}},
    # Public pages: a school's by its BIN, a concern's status by its reference number. Side B's school page
    # shows its name (the canary), so only side A's is asked for; a status shows no name at all.
    "public school": {"own": USERS},
    "public reference": {"own": USERS, "foreign": USERS},
    # Parents' concerns: the district police's (the city's); a school, its guards and education never.
    "concern": {"own": POLICE, "foreign": frozenset({CITY})},
}
SAME_ON_EVERY_SIDE = {"before lookup", "filter", "inspection filter"}


@dataclass(frozen=True)
class Act:
    """What a method does for the personas who see the object: `who` may, and get one of `ok`."""

    who: frozenset[str]
    ok: frozenset
    write: bool = True


def may(who, *ok) -> Act:
    return Act(frozenset(who), frozenset(ok))


def read(*ok, who=USERS) -> Act:
    """A read (a POST to such a view is treated as a GET)."""
    return Act(frozenset(who), frozenset(ok or (200,)), write=False)


READ = read()


@dataclass(frozen=True)
class Page:
    see: str  # key of SEES
    args: dict[str, str] = field(default_factory=dict)  # URL kwarg → side attribute, or "=constant"
    get: Act | None = READ  # None: the view refuses the method (405)
    post: Act | None = READ
    policy_first: bool = False
    policy_before_child: bool = False
    anon: dict[str, object] | None = None  # {"get": ..., "post": ...} for pages open to anonymous visitors
    personal: bool = False  # the user's own account or notifications: education may post
    query: dict[str, str] = field(default_factory=dict)  # query parameter → side attribute
    body: Callable | None = None  # (side) → the POST's form data; None: an empty POST
    # The object is named in the form, not the URL: one the persona does not see is not a choice the
    # form offers, so the form is shown again with the error (200), as for a wrong id.
    in_body: bool = False


def _page(see="anyone", args=None, get=READ, post=READ, **kw) -> Page:
    return Page(see, args or {}, get, post, **kw)


# Rules by URL name. A tuple is several objects for one URL (e.g. an approved and an unapproved inspection).
PAGES: dict[str, Page | tuple[Page, ...]] = {
    "core:home": _page(get=read(302), post=read(302)),
    # Health check for monitoring: public, says only whether the database answers.
    "core:healthz": _page(get=read(200), post=read(200), anon={"get": 200, "post": 200}),
    # The audit log: the city supervisor only (the education department is city-wide but may not read it).
    "core:audit_list": _page(get=read(200, who={CITY}), post=None),
    "core:audit_list_export": _page(args={"fmt": "=csv"}, get=read(200, who={CITY}), post=None),
    "accounts:login": _page(
        get=read(302), post=read(302), anon={"get": 200, "post": 200}, personal=True
    ),  # signed-in users are sent on
    "accounts:logout": _page(get=None, post=read("login"), anon={"get": 405, "post": "login"}, personal=True),
    "accounts:profile": _page(post=may(USERS, 200), personal=True),
    "accounts:language": _page(get=None, post=may(USERS, 302), anon={"get": 405, "post": 302}, personal=True),
    # Registry
    "registry:school_list": (_page(), _page("filter", query={"district": "district"})),
    "registry:school_export": _page(args={"fmt": "=csv"}),
    # The equipment list behind the dashboard's figures: every signed-in role, over what it sees.
    "registry:equipment_list": (
        _page(post=None),
        _page("filter", query={"district": "district"}, post=None),
    ),
    "registry:equipment_export": _page(args={"fmt": "=csv"}, post=None),
    "registry:school_create": _page(get=may(MANAGERS, 200), post=may(MANAGERS, 200)),
    "registry:school_detail": _page("school", {"pk": "school"}),
    "registry:school_edit": _page("school", {"pk": "school"}, may(POLICE, 200), may(POLICE, 200)),
    "registry:contract_edit": _page("school", {"pk": "school"}, may(POLICE, 200), may(POLICE, 200)),
    "registry:equipment_create": _page(
        "school", {"pk": "school", "kind": "=guard-posts"}, may(GUARD_POSTS, 200), may(GUARD_POSTS, 200)
    ),
    "registry:equipment_edit": _page(
        "school",
        {"pk": "school", "kind": "=guard-posts", "item_pk": "guard_post"},
        may(GUARD_POSTS, 200),
        may(GUARD_POSTS, 200),
    ),
    "registry:equipment_delete": _page(
        "school",
        {"pk": "school", "kind": "=guard-posts", "item_pk": "guard_post"},
        None,
        may(GUARD_POSTS, 302),
    ),
    "registry:firm_list": _page(),
    "registry:firm_export": _page(args={"fmt": "=csv"}, post=None),
    "registry:firm_create": _page(get=may({CITY}, 200), post=may({CITY}, 200)),
    "registry:firm_detail": _page("firm", {"pk": "firm"}),
    "registry:firm_edit": _page("firm", {"pk": "firm"}, may({CITY, FIRM}, 200), may({CITY, FIRM}, 200)),
    "registry:import_upload": _page(get=may(MANAGERS, 200), post=may(MANAGERS, 200)),
    "registry:import_preview": _page(
        "personal", {"token": "import_token"}, may(MANAGERS, 200), may(MANAGERS, 200, 302), policy_first=True
    ),
    "registry:import_template": _page(
        args={"kind": "=schools"}, get=read(who=MANAGERS), post=read(who=MANAGERS)
    ),
    # Checklists
    "checklists:template_list": _page(),
    "checklists:version_detail": _page("checklist", {"pk": "cl_version"}),
    "checklists:draft_create": _page("checklist", {"template_pk": "cl_template"}, None, may({CITY}, 302)),
    "checklists:version_publish": _page("checklist", {"pk": "cl_version"}, None, may({CITY}, 200)),
    "checklists:item_create": _page("checklist", {"pk": "cl_version"}, may({CITY}, 200), may({CITY}, 200)),
    "checklists:item_edit": _page(
        "checklist", {"pk": "cl_version", "item_pk": "cl_item"}, may({CITY}, 200), may({CITY}, 200)
    ),
    "checklists:item_delete": _page(
        "checklist", {"pk": "cl_version", "item_pk": "cl_item"}, None, may({CITY}, 302)
    ),
    # Campaigns and inspections
    "inspections:campaign_list": _page("police area"),
    "inspections:campaign_export": _page("police area", {"fmt": "=csv"}, post=None),
    "inspections:campaign_create": _page(get=may({CITY}, 200), post=may({CITY}, 200)),
    "inspections:campaign_detail": _page("campaign", {"pk": "campaign"}, READ, may(MANAGERS, 200)),
    "inspections:campaign_detail_export": (
        _page("campaign", {"pk": "campaign", "fmt": "=csv"}, post=None),
        _page("campaign", {"pk": "campaign", "fmt": "=csv"}, post=None, query={"district": "district"}),
    ),
    "inspections:inspection_list": (
        _page("inspection area"),
        _page("inspection filter", query={"school": "school", "campaign": "campaign"}),
    ),
    "inspections:inspection_export": (
        _page("inspection area", {"fmt": "=csv"}, post=None),
        _page(
            "inspection filter",
            {"fmt": "=csv"},
            post=None,
            query={"district": "district", "campaign": "campaign"},
        ),
    ),
    "inspections:inspection_create": (
        _page(get=may(FIELD, 200), post=may(FIELD, 200)),
        # The school's passport names the school: one the persona does not see is not found.
        _page(
            "school", get=may(FIELD, 200), post=may(FIELD, 200), policy_first=True, query={"school": "school"}
        ),
        _page(
            "school",
            get=may(FIELD, 200),
            post=may(FIELD, 302),
            policy_first=True,
            in_body=True,
            body=lambda side: {
                "school": side.school.pk,
                "kind": "adhoc",
                "reason": "Жалоба",
                "inspector": side.inspector.pk,
                "planned_on": later(3),
            },
        ),
    ),
    "inspections:inspection_detail": (
        _page("approved", {"pk": "inspection"}),
        _page("unapproved", {"pk": "inspection_open"}),
    ),
    "inspections:inspection_approve": _page(
        "unapproved", {"pk": "inspection_submitted"}, None, may({CHIEF}, 302)
    ),
    "inspections:inspection_return": _page(
        "unapproved", {"pk": "inspection_submitted"}, None, may({CHIEF}, 200)
    ),
    "inspections:answer_amend": _page(
        "approved",
        {"pk": "inspection", "item_pk": "answer_item"},
        may(FIELD, 200),
        may(FIELD, 200),
        policy_before_child=True,
    ),
    "inspections:conduct": _page("unapproved", {"pk": "inspection_open"}, READ, None),
    "inspections:answer_save": _page(
        "unapproved",
        {"pk": "inspection_open", "item_pk": "blank_item"},
        None,
        may(FIELD, 302),
        policy_before_child=True,
    ),
    "inspections:photo_upload": _page("unapproved", {"pk": "inspection_open"}, None, may(FIELD, 302)),
    "inspections:photo_file": (
        _page("approved", {"pk": "inspection", "photo_pk": "photo"}, READ, None),
        _page("unapproved", {"pk": "inspection_open", "photo_pk": "open_photo"}, READ, None),
    ),
    "inspections:photo_thumb": (
        _page("approved", {"pk": "inspection", "photo_pk": "photo"}, READ, None),
        _page("unapproved", {"pk": "inspection_open", "photo_pk": "open_photo"}, READ, None),
    ),
    "inspections:finding_add": _page("unapproved", {"pk": "inspection_open"}, None, may(FIELD, 302)),
    "inspections:finding_delete": _page(
        "unapproved",
        {"pk": "inspection_open", "finding_pk": "free_finding"},
        None,
        may(FIELD, 302),
        policy_before_child=True,
    ),
    "inspections:submit": _page("unapproved", {"pk": "inspection_open"}, None, may(FIELD, 422)),
    "inspections:act_pdf": (
        _page("approved", {"pk": "inspection", "lang": "=ru"}),
        # No act before approval: the police are told why (409); the school does not see the inspection.
        _page("unapproved", {"pk": "inspection_open", "lang": "=ru"}, read(409), read(409)),
    ),
    # Dashboards (oversight.views_dashboard): the police and the education department; schools and firms are
    # refused by role (403) before anything is looked up. A district office's `?district=` of another district
    # is ignored: it gets its own district's figures (the canary check proves no foreign row shows).
    "oversight:dashboard": (
        _page(get=read(who=CITYWIDE | FIELD), post=None, policy_first=True),
        _page(
            "filter",
            query={"district": "district"},
            get=read(who=CITYWIDE | FIELD),
            post=None,
            policy_first=True,
        ),
    ),
    "oversight:dashboard_export": _page(
        args={"fmt": "=csv"}, get=read(who=CITYWIDE | FIELD), post=None, policy_first=True
    ),
    "oversight:item_list": (
        _page(get=read(who=CITYWIDE | FIELD), post=None, policy_first=True),
        _page(
            "filter",
            query={"district": "district"},
            get=read(who=CITYWIDE | FIELD),
            post=None,
            policy_first=True,
        ),
    ),
    "oversight:item_list_export": _page(
        args={"fmt": "=csv"}, get=read(who=CITYWIDE | FIELD), post=None, policy_first=True
    ),
    # What to inspect next (oversight.views_planning): the police read the ranking, the chief and the city
    # plan a campaign from it; other roles are refused by role first. A `?district=` the persona does not see
    # is a 404 (chief X cannot rank or plan district Y), as a district that does not exist.
    "oversight:risk_list": (
        _page(get=read(who=POLICE), post=None, policy_first=True),
        _page("district", query={"district": "district"}, get=read(who=POLICE), post=None, policy_first=True),
    ),
    "oversight:risk_export": (
        _page(args={"fmt": "=csv"}, get=read(who=POLICE), post=None, policy_first=True),
        _page(
            "district",
            args={"fmt": "=xlsx"},
            query={"district": "district"},
            get=read(who=POLICE),
            post=None,
            policy_first=True,
        ),
    ),
    # Bringing the ranking's facts up to date: the police who read it, for the schools they see.
    "oversight:risk_refresh": _page(get=None, post=may(POLICE, 302), policy_first=True),
    "oversight:risk_plan": (
        _page(get=may(MANAGERS, 200), post=may(MANAGERS, 200), policy_first=True),
        _page(
            "district",
            query={"district": "district"},
            get=may(MANAGERS, 200),
            post=may(MANAGERS, 302),  # planned: the district's school with no inspection in hand
            policy_first=True,
            body=lambda side: {
                "n": 5,
                "name": "По риску",
                "starts_on": later(1),
                "ends_on": later(30),
                "inspector": side.inspector.pk,
            },
        ),
    ),
    # Budget needs (oversight.views_budget): the education department and the city, a chief the district;
    # inspectors, schools and firms are refused by role first. A foreign `?district=` is a 404.
    "oversight:budget_list": (
        _page(get=read(who=BUDGET), post=None, policy_first=True),
        _page("district", query={"district": "district"}, get=read(who=BUDGET), post=None, policy_first=True),
    ),
    "oversight:budget_export": (
        _page(args={"fmt": "=csv"}, get=read(who=BUDGET), post=None, policy_first=True),
        _page(
            "district",
            args={"fmt": "=xlsx"},
            query={"district": "district", "per": "=item"},
            get=read(who=BUDGET),
            post=None,
            policy_first=True,
        ),
    ),
    # Orders, police side
    "orders:order_list": _page(),
    "orders:overdue_list": _page(),
    "orders:verification_queue": _page(),
    "orders:order_export": _page(args={"fmt": "=csv"}, post=None),
    "orders:overdue_export": _page(args={"fmt": "=csv"}, post=None),
    "orders:verification_queue_export": _page(args={"fmt": "=csv"}, post=None),
    "orders:order_draft": (
        _page("approved", {"inspection_pk": "inspection_unordered"}, may(FIELD, 200), may(FIELD, 200)),
        # An order exists: whoever sees it is sent to it; the school, which does not see a draft, is not.
        _page("approved", {"inspection_pk": "inspection"}, read(302), read(302)),
        _page(
            "approved",
            {"inspection_pk": "inspection_drafted"},
            read(302, who=POLICE | {EDU}),
            read(302, who=POLICE | {EDU}),
        ),
    ),
    "orders:order_detail": (_page("issued", {"pk": "order"}), _page("draft", {"pk": "draft_order"})),
    "orders:order_edit": _page("draft", {"pk": "draft_order"}, may(FIELD, 200), may(FIELD, 200)),
    "orders:item_edit": _page(
        "draft", {"pk": "draft_order", "item_pk": "draft_order_item"}, may(FIELD, 200), may(FIELD, 200)
    ),
    "orders:order_issue": _page("draft", {"pk": "draft_order"}, may({CHIEF}, 200), may({CHIEF}, 302)),
    "orders:delivery_record": _page("issued", {"pk": "order"}, may(FIELD, 200), may(FIELD, 200)),
    "orders:follow_up": _page("issued", {"pk": "order"}, may(FIELD, 200), may(FIELD, 200)),
    "orders:amend": _page(
        "issued", {"pk": "order", "item_pk": "open_item"}, may(FIELD, 200), may(FIELD, 200)
    ),
    "orders:verify": _page(
        "issued", {"pk": "order", "item_pk": "open_item"}, may(FIELD, 200), may(FIELD, 200)
    ),
    "orders:refer": _page(
        "issued", {"pk": "order", "item_pk": "open_item"}, may({CHIEF}, 200), may({CHIEF}, 200)
    ),
    "orders:decide": _page(
        "issued", {"pk": "order", "report_pk": "report"}, may(FIELD, 200), may(FIELD, 200)
    ),
    "orders:order_document": (
        _page("issued", {"pk": "order", "fmt": "=pdf"}, READ, None),
        _page("issued", {"pk": "order", "fmt": "=docx"}, READ, None),
        _page("draft", {"pk": "draft_order", "fmt": "=pdf"}, read(404), None),  # a draft has no document
    ),
    "orders:amendment_document": _page("issued", {"pk": "order", "amendment_pk": "amendment"}, READ, None),
    "orders:evidence_file": _page("issued", {"pk": "order", "evidence_pk": "evidence"}, READ, None),
    # Orders, the school's side
    "orders:to_fix": _page(get=read(who={HEAD}), post=read(who={HEAD})),
    "orders:to_fix_export": _page(args={"fmt": "=csv"}, get=read(who={HEAD}), post=None),
    "orders:acknowledge": _page("issued", {"pk": "order"}, may({HEAD}, 200), may({HEAD}, 200)),
    "orders:report": _page(
        "issued", {"pk": "order", "item_pk": "open_item"}, may({HEAD}, 200), may({HEAD}, 200)
    ),
    "orders:extension": _page(
        "issued", {"pk": "order", "item_pk": "open_item"}, may({HEAD}, 200), may({HEAD}, 200)
    ),
    "orders:notifications": _page(),
    "orders:notification_read": _page(
        "personal", {"pk": "notification"}, None, may(USERS, 302), personal=True
    ),
    "orders:notification_read_all": _page(get=None, post=may(USERS, 302), personal=True),
    # Public pages, no sign-in. Sending a concern is the public's form, open to everyone signed in or not.
    "public:home": _page(get=read(200), post=None, anon={"get": 200, "post": 405}),
    "public:school": _page(
        "public school", {"bin": "school_bin"}, READ, None, anon={"get": 200, "post": 405}
    ),
    "public:concern_new": _page(
        "public school", {"bin": "school_bin"}, READ, read(200), anon={"get": 200, "post": 200}
    ),
    "public:concern_status": (
        _page(get=read(200), post=None, anon={"get": 200, "post": 405}),
        _page(
            "public reference",
            get=read(200),
            post=None,
            anon={"get": 200, "post": 405},
            query={"ref": "concern_ref"},
        ),
    ),
    # Parents' concerns, the police's queue: the role is checked first (403 for school, firm, education).
    "public:concern_list": _page(get=read(who=POLICE), post=None),
    "public:concern_export": _page(args={"fmt": "=csv"}, get=read(who=POLICE), post=None),
    "public:concern_detail": _page("concern", {"pk": "concern"}, read(who=POLICE), None, policy_first=True),
    **{
        f"public:concern_{action}": _page(
            "concern", {"pk": "concern"}, None, may(FIELD, 200), policy_first=True
        )
        for action in ("note", "dismiss", "close", "inspect")
    },
    # The API's own pages: its description is public (it holds no data); its root is nothing.
    "api:openapi-json": _page(anon={"get": 200, "post": 200}),
    "api:openapi-view": _page(anon={"get": 200, "post": 200}),
    "api:api-root": _page(get=read(404), post=read(404), anon={"get": 404, "post": 404}),
}


# API rules -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request of an API operation: the object its path names, and the body sent."""

    see: str
    args: dict[str, str]
    who: frozenset[str]
    ok: frozenset
    body: Callable | None = None  # (side) → the body; None: an empty JSON object for a write
    multipart: bool = False
    # The object is named by id in the body, not the path: one the persona does not see is answered 400,
    # "no such object", as a wrong id is.
    in_body: bool = False
    policy_first: bool = False
    anon: int = 401
    query: dict[str, str] = field(default_factory=dict)  # query parameter → side attribute


def call(see, args=None, who=USERS, ok=(200,), **kw) -> Call:
    return Call(see, args or {}, frozenset(who), frozenset(ok), **kw)


def refused(args=None) -> Call:
    """An empty body the operation's input schema refuses, before anything is looked up: 422 on both sides."""
    return call("before lookup" if args else "anyone", args, ok=(422,))


def later(days=20) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def school_body(side):
    return {
        "district_id": side.district.pk, "name_ru": "Школа № 99", "name_kk": "№ 99 мектеп", "bin": next_bin(),
        "address": "ул. Сатпаева, 1", "latitude": "43.2", "longitude": "76.9", "pupils": 400, "shifts": 1,
        "head_name": "Иванова А. Б.", "head_phone": "+7 727 000 00 01",
    }  # fmt: skip


def firm_body(side):
    return {
        "name": "ТОО «Новая охрана»", "bin": next_bin(), "licence_no": "ЛИЦ-999",
        "licence_expiry": later(400), "phone": "+7 727 000 00 02", "address": "ул. Абая, 2",
        "rapid_response_teams": 1,
    }  # fmt: skip


def jpeg_upload(name="photo.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


SCHOOL = {"school_id": "school"}
OPEN = {"inspection_id": "inspection_open"}
SUBMITTED = {"inspection_id": "inspection_submitted"}
APPROVED = {"inspection_id": "inspection"}
ORDER = {"order_id": "order"}
DRAFT = {"order_id": "draft_order"}
OPEN_ITEM = {"order_id": "order", "item_id": "open_item"}

API: dict[str, Call | tuple[Call, ...]] = {
    "POST /auth/token": call("anyone", ok=(422,), anon=422),
    "DELETE /auth/tokens/{token_id}": call("personal", {"token_id": "token"}, ok=(204,)),
    "GET /auth/me": call("anyone"),
    # Registry
    "GET /districts": call("anyone"),
    "GET /districts/{district_id}": call("district", {"district_id": "district"}),
    "GET /schools": (call("anyone"), call("filter", query={"district": "district"})),
    "POST /schools": (refused(), call("district", who=MANAGERS, ok=(201,), body=school_body, in_body=True)),
    "GET /schools/{school_id}": call("school", SCHOOL),
    "PATCH /schools/{school_id}": call("school", SCHOOL, POLICE),
    "GET /schools/{school_id}/contract": call("school", SCHOOL),
    "PUT /schools/{school_id}/contract": (
        call("school", SCHOOL, POLICE, ok=(400,)),
        call("school", SCHOOL, POLICE, body=lambda side: {"in_house": True}),
    ),
    "GET /firms": call("anyone"),
    "POST /firms": (refused(), call("anyone", who={CITY}, ok=(201,), body=firm_body)),
    "GET /firms/{firm_id}": call("firm", {"firm_id": "firm"}),
    "PATCH /firms/{firm_id}": call("firm", {"firm_id": "firm"}, {CITY, FIRM}),
    # Checklists
    "GET /checklists": call("anyone"),
    "GET /checklists/versions/{version_id}": call("checklist", {"version_id": "cl_version"}),
    # Campaigns and inspections
    "GET /campaigns": call("anyone"),
    "POST /campaigns": (
        refused(),
        call(
            "district",
            who={CITY},
            ok=(201,),
            in_body=True,
            body=lambda side: {
                "name": "Весна",
                "starts_on": later(1),
                "ends_on": later(30),
                "district_ids": [side.district.pk],
            },
        ),
    ),
    "GET /campaigns/{campaign_id}": call("campaign", {"campaign_id": "campaign"}),
    "GET /inspections": (call("anyone"), call("filter", query={"school": "school", "campaign": "campaign"})),
    "POST /inspections": (
        refused(),
        call(
            "school",
            who=FIELD,
            ok=(201,),
            in_body=True,
            policy_first=True,
            body=lambda side: {
                "school_id": side.school.pk,
                "reason": "Жалоба",
                "inspector_id": side.inspector.pk,
            },
        ),
    ),
    "POST /inspections/assign": (
        refused(),
        call(
            "unapproved",
            who=MANAGERS,
            in_body=True,
            policy_first=True,
            body=lambda side: {"ids": [side.planned.pk], "inspector_id": side.inspector.pk},
        ),
    ),
    "GET /inspections/{inspection_id}": (call("approved", APPROVED), call("unapproved", OPEN)),
    "GET /inspections/{inspection_id}/items": (call("approved", APPROVED), call("unapproved", OPEN)),
    "PUT /inspections/{inspection_id}/answers/{item_id}": (
        refused({**OPEN, "item_id": "blank_item"}),
        call(
            "unapproved",
            {**OPEN, "item_id": "blank_item"},
            FIELD,
            body=lambda side: {"version": 0, "value": {"value": "yes"}},
        ),
    ),
    "POST /inspections/{inspection_id}/photos": (
        refused(OPEN),
        call(
            "unapproved", OPEN, FIELD, ok=(201,), multipart=True, body=lambda side: {"photo": jpeg_upload()}
        ),
    ),
    "GET /inspections/{inspection_id}/findings": (call("approved", APPROVED), call("unapproved", OPEN)),
    "POST /inspections/{inspection_id}/findings": (
        refused(OPEN),
        call(
            "unapproved", OPEN, FIELD, ok=(201,), body=lambda side: {"severity": "S", "text": "Нет журнала"}
        ),
    ),
    "POST /inspections/{inspection_id}/submit": call("unapproved", OPEN, FIELD, ok=(400,)),
    "POST /inspections/{inspection_id}/approve": call("unapproved", SUBMITTED, {CHIEF}),
    "POST /inspections/{inspection_id}/return": (
        call("unapproved", SUBMITTED, {CHIEF}, ok=(400,)),
        call("unapproved", SUBMITTED, {CHIEF}, body=lambda side: {"comment": "Переделать раздел А"}),
    ),
    "GET /inspections/{inspection_id}/events": (call("approved", APPROVED), call("unapproved", OPEN)),
    # Orders
    "GET /orders": (call("anyone"), call("filter", query={"school": "school"})),
    "GET /orders/overdue": call("anyone"),
    "POST /inspections/{inspection_id}/order": (
        call("approved", {"inspection_id": "inspection_unordered"}, FIELD, ok=(201,)),
        call("approved", APPROVED, FIELD, ok=(200,)),  # drafting again returns the order
    ),
    "GET /orders/{order_id}": (call("issued", ORDER), call("draft", DRAFT)),
    "PATCH /orders/{order_id}": call("draft", DRAFT, FIELD),
    "PATCH /orders/{order_id}/items/{item_id}": call(
        "draft", {**DRAFT, "item_id": "draft_order_item"}, FIELD
    ),
    "POST /orders/{order_id}/issue": call("draft", DRAFT, {CHIEF}),
    "POST /orders/{order_id}/acknowledge": (
        call("issued", ORDER, {HEAD}, ok=(400,)),
        call("issued", ORDER, {HEAD}, body=lambda side: {"name": "Ахметова Г. С."}),
    ),
    "POST /orders/{order_id}/delivery": (
        call("issued", ORDER, FIELD, ok=(400,)),
        call(
            "issued",
            ORDER,
            FIELD,
            body=lambda side: {"kind": "paper", "received_by_name": "Ахметова", "delivered_on": later(0)},
        ),
    ),
    "POST /orders/{order_id}/follow-up": (
        refused(ORDER),
        call("issued", ORDER, FIELD, ok=(201,), body=lambda side: {"planned_on": later(5)}),
    ),
    "POST /orders/{order_id}/items/{item_id}/reports": (
        call("issued", OPEN_ITEM, {HEAD}, ok=(400,)),
        call(
            "issued",
            OPEN_ITEM,
            {HEAD},
            ok=(201,),
            multipart=True,
            body=lambda side: {"comment": "Сделано", "files": [jpeg_upload()]},
        ),
    ),
    "POST /orders/{order_id}/items/{item_id}/extension": (
        call("issued", OPEN_ITEM, {HEAD}, ok=(400,)),
        call(
            "issued",
            OPEN_ITEM,
            {HEAD},
            ok=(201,),
            body=lambda side: {"requested_deadline": later(40), "reason": "Подрядчик"},
        ),
    ),
    "POST /orders/{order_id}/reports/{report_id}/decide": (
        refused({**ORDER, "report_id": "report"}),
        call(
            "issued",
            {**ORDER, "report_id": "report"},
            FIELD,
            body=lambda side: {"accept": False, "reason": "Нет фото"},
        ),
    ),
    "POST /orders/{order_id}/items/{item_id}/verify": (
        refused(OPEN_ITEM),
        call("issued", OPEN_ITEM, FIELD, body=lambda side: {"done": False, "reason": "Не сделано"}),
    ),
    "POST /orders/{order_id}/items/{item_id}/amendments": (
        call("issued", OPEN_ITEM, FIELD, ok=(400,)),
        call(
            "issued", OPEN_ITEM, FIELD, ok=(201,), body=lambda side: {"kind": "withdraw", "reason": "Ошибка"}
        ),
    ),
    "POST /orders/{order_id}/items/{item_id}/refer": call("issued", OPEN_ITEM, {CHIEF}),
    # Parents' concerns (public.api). The public operations need no token and answer everyone alike, as the
    # public pages do: a school by its BIN, a concern's status by its reference number.
    "GET /public/schools": call("filter", anon=200, query={"q": "=Школа-гимназия"}),
    "GET /public/schools/{bin}": call("public school", {"bin": "school_bin"}, anon=200),
    "POST /public/schools/{bin}/concerns": (
        call("public school", {"bin": "school_bin"}, ok=(400,), anon=400),
        call(
            "public school",
            {"bin": "school_bin"},
            ok=(201,),
            anon=201,
            body=lambda side: {"what": "Калитка открыта во время уроков", "where": "Двор", "when": "Утром"},
        ),
    ),
    "GET /public/concerns/{reference}": call("public reference", {"reference": "concern_ref"}, anon=200),
    # The police's queue, as on its pages: the role first (403 for school, firm, education), then the scope.
    "GET /concerns": (
        call("anyone", who=POLICE, policy_first=True),
        call("filter", who=POLICE, policy_first=True, query={"status": "=received"}),
    ),
    "GET /concerns/{concern_id}": call("concern", {"concern_id": "concern"}, POLICE, policy_first=True),
    **{
        f"POST /concerns/{{concern_id}}/{action}": (
            call("concern", {"concern_id": "concern"}, FIELD, ok=(400,), policy_first=True),
            call(
                "concern",
                {"concern_id": "concern"},
                FIELD,
                ok=(ok,),
                policy_first=True,
                body=lambda side, text=text: {text: "Проверено на месте"},
            ),
        )
        for action, text, ok in (
            ("note", "comment", 200),
            ("dismiss", "reason", 200),
            ("close", "comment", 200),
            ("inspection", "reason", 201),
        )
    },
    "GET /notifications": call("anyone"),
    "POST /notifications/{notification_id}/read": call("personal", {"notification_id": "notification"}),
    # Oversight (oversight.api): the pages' role checks first (403 whatever the query names), then a district
    # or campaign of the query that the persona does not see is 404, as one of nothing. Unlike the dashboard
    # page, which ignores a district office's `?district=`, the API never answers with figures of a district
    # other than the one asked for.
    "GET /dashboard": (
        call("anyone", who=CITYWIDE | FIELD, policy_first=True),
        call("district", who=CITYWIDE | FIELD, policy_first=True, query={"district": "district"}),
        call("campaign", who=CITYWIDE | FIELD, policy_first=True, query={"campaign": "campaign"}),
    ),
    "GET /dashboard/items": (
        call("anyone", who=CITYWIDE | FIELD, policy_first=True),
        call("district", who=CITYWIDE | FIELD, policy_first=True, query={"district": "district"}),
        call("campaign", who=CITYWIDE | FIELD, policy_first=True, query={"campaign": "campaign"}),
    ),
    "GET /planning/next": (
        call("anyone", who=POLICE, policy_first=True),
        call("district", who=POLICE, policy_first=True, query={"district": "district"}),
    ),
    # The plan takes the district's school with no inspection in hand (`unplanned_school`).
    "POST /planning/next/campaign": (
        refused(),
        call(
            "district",
            who=MANAGERS,
            ok=(201,),
            policy_first=True,
            query={"district": "district"},
            body=lambda side: {
                "n": 5,
                "name": "По риску",
                "starts_on": later(1),
                "ends_on": later(30),
                "inspector_id": side.inspector.pk,
            },
        ),
    ),
    "GET /budget": (
        call("anyone", who=BUDGET, policy_first=True),
        call("district", who=BUDGET, policy_first=True, query={"district": "district"}),
    ),
}


def _equipment_body(kind: str) -> Callable:
    extra = {"zone": "entrance"} if kind == "cameras" else {}
    return lambda side: {"location": "Холл, 2 этаж", **extra}


EQUIPMENT_ATTRS = {
    "panic-buttons": "panic_button", "cameras": "camera", "access-points": "access_point",
    "guard-posts": "guard_post",
}  # fmt: skip
for _kind, _attr in EQUIPMENT_ATTRS.items():
    _who = GUARD_POSTS if _kind == "guard-posts" else EQUIPMENT
    _item = {**SCHOOL, "item_id": _attr}
    API.update(
        {
            f"GET /schools/{{school_id}}/{_kind}": call("school", SCHOOL),
            f"POST /schools/{{school_id}}/{_kind}": (
                refused(SCHOOL),
                call("school", SCHOOL, _who, ok=(201,), body=_equipment_body(_kind)),
            ),
            f"GET /schools/{{school_id}}/{_kind}/{{item_id}}": call("school", _item),
            f"PATCH /schools/{{school_id}}/{_kind}/{{item_id}}": call("school", _item, _who),
            f"DELETE /schools/{{school_id}}/{_kind}/{{item_id}}": call("school", _item, _who, ok=(204,)),
        }
    )


# What the URL conf and the schema hold ----------------------------------------------------------------------


def _api_paths() -> set[str]:
    return set(api.get_openapi_schema()["paths"])


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, prefix + str(pattern.pattern)


def url_names() -> list[str]:
    """Every named page of the URL conf, but the admin (tested below) and the API operations (by schema)."""
    operations = {re.sub(r"\{(\w+)\}", r"<\1>", path).lstrip("/") for path in _api_paths()}
    names = []
    for namespace, name, route in _walk(get_resolver().url_patterns):
        if namespace.split(":")[0] == "admin" or route in operations:
            continue
        names.append(f"{namespace}:{name}" if namespace else str(name))
    return sorted(set(names))


def api_operations() -> list[str]:
    prefix = "/api/v1"
    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path.removeprefix(prefix)}"
        for path, ops in schema["paths"].items()
        for method in ops
    )


PAGE_NAMES = url_names()
API_OPERATIONS = api_operations()


def test_every_page_has_a_rule():
    missing = sorted(set(PAGE_NAMES) - set(PAGES))
    stale = sorted(set(PAGES) - set(PAGE_NAMES))
    assert not missing, f"URL names without an access rule in PAGES: {missing}"
    assert not stale, f"PAGES names URLs that no longer exist: {stale}"


def test_every_api_operation_has_a_rule():
    missing = sorted(set(API_OPERATIONS) - set(API))
    stale = sorted(set(API) - set(API_OPERATIONS))
    assert not missing, f"API operations without an access rule in API: {missing}"
    assert not stale, f"API names operations that no longer exist: {stale}"


def _variants(rule) -> tuple:
    return rule if isinstance(rule, tuple) else (rule,)


def test_read_only_roles_are_refused_every_write():
    """The education department reads everything and changes nothing but its own account."""
    for name, rule in PAGES.items():
        for page in _variants(rule):
            if page.post is not None and page.post.write and not page.personal:
                assert EDU not in page.post.who, name
    for name, rule in API.items():
        method = name.split()[0]
        for request in _variants(rule):
            if request.anon != 401:
                continue  # open to the public without a token (a parent's concern): everyone's, as the page
            if method != "GET" and request.see not in ("personal", "before lookup") and 422 not in request.ok:
                assert EDU not in request.who, name


# The world, once per module ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, inside a transaction rolled back at the end of the module; each test runs in a savepoint
    of it (pytest-django's `db`), and each request in a savepoint of its own, rolled back too."""
    import sys
    import types

    import qorgau.orders
    from qorgau.inspections import documents as inspection_documents

    # Real PDF rendering is test_documents.py's subject; here a document only has to exist.
    fake = types.ModuleType("qorgau.orders.documents")
    fake.order_documents = lambda *, order: (b"%PDF-1.7 order", b"PK docx")
    fake.amendment_pdf = lambda *, amendment: b"%PDF-1.7 amendment"
    root = tmp_path_factory.mktemp("access-matrix")
    settings = override_settings(
        MEDIA_ROOT=root / "files", VAR_DIR=root / "var",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch, settings, django_db_blocker.unblock():
        patch.setitem(sys.modules, "qorgau.orders.documents", fake)
        patch.setattr(qorgau.orders, "documents", fake, raising=False)
        patch.setattr(inspection_documents, "act_pdf", lambda *, inspection, lang: b"%PDF-1.7 act")
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# Requests ---------------------------------------------------------------------------------------------------

LOGIN = "login"  # a redirect to the sign-in page


def _observed(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return LOGIN
    return response.status_code


def _send(client, method: str, path: str, **kwargs) -> tuple[object, str, bytes]:
    """(what came back, a short description, the body); the request's writes are rolled back."""
    try:
        with transaction.atomic():
            response = getattr(client, method)(path, **kwargs)
            # Reading a streamed body to its end closes it (and its file), as the test client arranges.
            body = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
    except Exception as error:  # the test client re-raises what would have been a 500
        return 500, f"{type(error).__name__}: {error}", b""
    observed = _observed(response)
    if response.status_code in (301, 302):
        detail = response["Location"]
    elif response.get("Content-Type", "").startswith("application/json") and body:
        detail = json.dumps(json.loads(body), ensure_ascii=False)[:300]
    else:
        detail = ""
    return observed, detail, body


def _check(client, method: str, path: str, want: frozenset, role: str, case: str, **kwargs) -> list[str]:
    """The failures of one request: an answer the rules do not allow, or school B shown to side A."""
    got, detail, body = _send(client, method, path, **kwargs)
    failures = []
    if got not in want:
        failures.append(
            f"{case} {method.upper()} {path}: got {got} {detail}, expected {sorted(map(str, want))}"
        )
    if role in SIDE_A and CANARY.encode() in body:
        failures.append(f"{case} {method.upper()} {path}: shows school B to {role}")
    return failures


def _restore_cookies(world, role: str, client) -> None:
    """Each request starts from the persona's signed-in session alone (no messages, no logout left over)."""
    client.cookies = SimpleCookie()
    morsel = world.sessions[role]
    if morsel is not None:
        client.cookies[morsel.key] = morsel.value


MISSING_ID = 987654321  # no object has it


class _Nowhere:
    """The "missing" side for bodies: every object it names has an id nothing has."""

    def __getattr__(self, name):
        return SimpleNamespace(pk=MISSING_ID)


NOWHERE = _Nowhere()


def _home(world, side: str):
    """Where a request's body takes its objects from."""
    return {"own": world.a, "foreign": world.b, "mixed": world.a, "missing": NOWHERE}[side]


def _object_args(args: dict[str, str]) -> list[str]:
    return [key for key, attr in args.items() if not attr.startswith("=")]


def _sides(rule) -> list[str]:
    """own; foreign where side B is something else; mixed for a child under a parent; missing: ids of
    nothing at all, which must be answered as the foreign ones are."""
    named = _object_args(rule.args) + list(rule.query) + (["body"] if getattr(rule, "in_body", False) else [])
    sides = ["own"]
    if "foreign" in SEES[rule.see] and named:
        sides.append("foreign")
    if len(_object_args(rule.args)) > 1:
        sides.append("mixed")
    if named:
        sides.append("missing")
    return sides


def _path(path: str, world, rule, role: str, side: str) -> str:
    if not rule.query:
        return path
    return path + "?" + urlencode(_resolve(world, rule.query, role, side))


def _import_token(world, role: str, side: str, client) -> str:
    """An uploaded import file: side "own" in this persona's session, "foreign" someone else's."""
    from qorgau.registry import importing
    from qorgau.registry.import_views import SESSION_KEY, _imports_dir

    token = str(uuid.uuid4())
    _imports_dir().mkdir(parents=True, exist_ok=True)
    (_imports_dir() / token).write_text(importing.template_csv(importing.SCHOOLS), encoding="utf-8")
    if side == "own" and role != ANON:
        session = client.session
        session[SESSION_KEY] = {token: {"user_id": world.users[role].pk, "filename": "schools.csv"}}
        session.save()
    return token


def _value(world, role: str, obj) -> object:
    if isinstance(obj, dict):  # per persona: its own notification, its own token
        obj = obj[role if role != ANON else CITY]
    return obj.pk if hasattr(obj, "pk") else obj


def _resolve(world, args: dict[str, str], role: str, side: str, client=None) -> dict:
    home = world.b if side == "foreign" else world.a
    objects = _object_args(args)
    kwargs = {}
    for key, attr in args.items():
        if attr.startswith("="):
            kwargs[key] = attr[1:]
        elif side == "missing":
            kwargs[key] = uuid.uuid4() if attr == "import_token" else MISSING_ID
        elif attr == "import_token":
            kwargs[key] = _import_token(world, role, side, client)
        elif side == "mixed" and key == objects[-1]:
            kwargs[key] = _value(world, role, world.stray.get(attr) or getattr(world.b, attr))
        else:
            kwargs[key] = _value(world, role, getattr(home, attr))
    return kwargs


def expected(rule, act_or_none, role: str, side: str, method: str) -> frozenset:
    """The answers the rules above allow. `rule` is a Page or a Call; for a Call, act_or_none is the Call."""
    if role == ANON:
        if isinstance(rule, Page):
            if rule.anon and side == "missing" and rule.anon[method] != 405:
                return frozenset({404})  # a public page answers an id of nothing as not found
            return frozenset({rule.anon[method]} if rule.anon else {LOGIN})
        if rule.anon not in (401, 422) and side == "missing" and rule.see not in SAME_ON_EVERY_SIDE:
            return frozenset({404})  # a public operation answers an id of nothing as not found
        return frozenset({rule.anon})
    if act_or_none is None:
        return frozenset({405})
    who, ok = act_or_none.who, act_or_none.ok
    hidden = 404
    if getattr(rule, "in_body", False):
        hidden = 200 if isinstance(rule, Page) else 400
    if rule.policy_first and role not in who:
        return frozenset({403})
    if rule.see in SAME_ON_EVERY_SIDE:
        side = "own"
    if side == "missing":
        return frozenset({hidden})
    if side == "mixed":
        if role not in SEES[rule.see]["own"]:
            return frozenset({hidden})
        if getattr(rule, "policy_before_child", False) and role not in who:
            return frozenset({403})
        return frozenset({404})
    if role not in SEES[rule.see][side]:
        return frozenset({hidden})
    if role not in who:
        return frozenset({403})
    return ok


def _report(name: str, failures: list[str], checked: int) -> str:
    return f"{name}: {len(failures)} of {checked} cases differ from the rules:\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_access(world, name):
    assert name in PAGES, f"{name} has no access rule: add one to PAGES, deciding who may use it"
    failures, checked = [], 0
    for number, page in enumerate(_variants(PAGES[name]), start=1):
        for role in ROLES:
            client = world.pages[role]
            for side in _sides(page):
                for method, act in (("get", page.get), ("post", page.post)):
                    _restore_cookies(world, role, client)
                    path = reverse(name, kwargs=_resolve(world, page.args, role, side, client))
                    path = _path(path, world, page, role, side)
                    data = page.body(_home(world, side)) if page.body and method == "post" else {}
                    want = expected(page, act, role, side, method)
                    failures += _check(
                        client, method, path, want, role, f"[{number}] {role} {side}", data=data
                    )
                    checked += 1
    assert not failures, _report(name, failures, checked)


@pytest.mark.parametrize("operation", API_OPERATIONS)
def test_api_access(world, operation):
    assert operation in API, f"{operation} has no access rule: add one to API, deciding who may use it"
    method, template = operation.split(" ", 1)
    failures, checked = [], 0
    for number, request in enumerate(_variants(API[operation]), start=1):
        for role in ROLES:
            client = world.api[role]
            for side in _sides(request):
                path = "/api/v1" + template.format(**_resolve(world, request.args, role, side))
                path = _path(path, world, request, role, side)
                kwargs = {}
                if method != "GET":
                    body = request.body(_home(world, side)) if request.body else {}
                    if request.multipart:
                        kwargs = {"data": body}
                    else:
                        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
                want = expected(request, request, role, side, method.lower())
                failures += _check(
                    client, method.lower(), path, want, role, f"[{number}] {role} {side}", **kwargs
                )
                checked += 1
    assert not failures, _report(operation, failures, checked)


@pytest.mark.parametrize("path", ["/admin/", "/admin/registry/school/", "/admin/orders/order/"])
def test_only_the_city_supervisor_gets_into_the_admin(world, path):
    failures = []
    for role in ROLES:
        client = world.pages[role]
        _restore_cookies(world, role, client)
        got, detail, _body = _send(client, "get", path)
        if role == CITY:
            if got != 200:
                failures.append(f"{role}: got {got} {detail}, expected 200")
        elif got != 302 or not detail.startswith("/admin/login/"):
            failures.append(f"{role}: got {got} {detail}, expected a redirect to the admin's sign-in")
    assert not failures, "\n".join(failures)
