"""Load test: many users at once against the production server (`qorgau serve`: gunicorn + whitenoise) on
PostgreSQL, over loopback HTTP.

What it does:
1. creates a fresh PostgreSQL database (dropped first if it is there; `--database-url`, default
   postgres://postgres@127.0.0.1:5432/qorgau_load), migrates it and loads the demo city of Almaty;
2. prepares work that does not collide: each simulated inspector gets an unplanned inspection of its own (so
   saves never race on one answer's version), each simulated school an issued order whose open items are its
   own to report; API tokens for every simulated user;
3. starts `qorgau serve` on 127.0.0.1 and a free port with production settings (QORGAU_ENV=production, a
   random SECRET_KEY, DEBUG off, ALLOWED_HOSTS=127.0.0.1; no HTTPS redirect: there is no proxy here) and waits
   for /healthz;
4. runs `--users` users for `--duration` seconds (starting over the first 5 s), each in its own thread with a
   keep-alive connection, each pausing a random 0…2×`--think` seconds between requests:
   - inspectors (40 %): save an answer through the API (70 %), read the inspection's items (20 %) or the
     inspection (10 %);
   - school administrators (30 %): report an open item fixed with a photo (25 %, while they have open items),
     read their orders (35 %) or one order (40 %) through the API;
   - district chiefs (30 %), signed in with a session: the oversight dashboard (when the app has one), the
     orders and inspections pages, and the orders through the API;
5. prints, per request type: count, errors, p50, p95 and max in milliseconds, and the throughput.

It exits non-zero on any error: a 5xx, a connection error or timeout, or any status the request type does not
expect. A 409 on an answer save (someone saved it since) is counted apart as a conflict: it is the designed
answer to concurrent edits, but here every inspector has its own inspection, so there should be none.

    .venv/bin/python bench/load.py                          # 50 users, 60 s
    .venv/bin/python bench/load.py --users 20 --duration 15 # the short run CI makes
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from common import percentile

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qorgau_load"
TIMEOUT = 30  # seconds: a request slower than this counts as an error
SEED = 2026
RAMP_UP = 5.0  # seconds over which the users start


# The database and the server ------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"Refusing an unusual database name: {name!r}")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def server_environment(url: str, var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        QORGAU_ENV="production",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        QORGAU_VAR_DIR=var_dir,
        # Plain HTTP on loopback: no proxy terminates TLS here.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server exited with code {server.returncode} before it answered /healthz.")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("The server did not answer /healthz in time.")


# The data each simulated user works on ----------------------------------------------------------------------


@dataclass
class Actor:
    kind: str  # inspector, school or chief
    username: str
    token: str
    inspection_id: int | None = None
    items: list[dict] = field(default_factory=list)  # inspector: {id, kind}; school: {order_id, item_id}
    order_ids: list[int] = field(default_factory=list)


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), "olive").save(out, "JPEG", quality=80)
    return out.getvalue()


def prepare(users: int) -> tuple[list[Actor], dict[str, str]]:
    """Migrate, load the demo city and give every simulated user its own work. Runs in this process, through
    the services, with the same settings as the server."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.urls import NoReverseMatch, reverse

    from qorgau.accounts.models import User
    from qorgau.accounts.services import token_create
    from qorgau.core.demo import ALMATY_DISTRICTS
    from qorgau.inspections import services as inspections
    from qorgau.orders import services as orders
    from qorgau.orders.models import OrderItem
    from qorgau.registry.models import School

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=io.StringIO())
    print(f"database migrated and demo city loaded in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    codes = [code.lower() for code, *_rest in ALMATY_DISTRICTS]
    n_inspectors = max(1, round(users * 0.4))
    n_schools = max(1, round(users * 0.3))
    n_chiefs = max(1, users - n_inspectors - n_schools)
    by_name = {u.username: u for u in User.objects.select_related("organisation")}
    actors: list[Actor] = []

    for i in range(n_inspectors):
        code = codes[i % len(codes)]
        inspector = by_name[f"inspector_{code}"]
        school = School.objects.filter(district__code__iexact=code).order_by("id")[i // len(codes)]
        inspection = inspections.inspection_create(
            actor=inspector, school=school, reason="Нагрузочный тест", inspector=inspector
        )
        items = [
            {"id": item.pk, "kind": item.answer_kind}
            for item in inspections.applicable_items(inspection)
            if item.answer_kind in ("yes_no", "yes_no_na")
        ]
        _key_token, key = token_create(user=inspector, name=f"load {i}")
        actors.append(Actor("inspector", inspector.username, key, inspection_id=inspection.pk, items=items))

    # Schools: an approved inspection failing every yes/no item, its order issued; simulated users sharing a
    # login share its open items out, so no two ever report the same one.
    logins = [n for n in [f"school_{c}" for c in codes] + [f"school_{c}_2" for c in codes] if n in by_name]
    wanted = [logins[i % len(logins)] for i in range(n_schools)]
    school_items: dict[str, list[dict]] = {}
    school_orders: dict[str, list[int]] = {}
    for username in dict.fromkeys(wanted):
        head = by_name[username]
        school = head.organisation.school
        code = school.district.code.lower()
        inspector, chief = by_name[f"inspector_{code}"], by_name[f"chief_{code}"]
        inspection = inspections.inspection_create(
            actor=inspector, school=school, reason="Нагрузочный тест", inspector=inspector
        )
        for item in inspections.applicable_items(inspection):
            raw = {"value": "no"} if item.answer_kind in ("yes_no", "yes_no_na") else _passing(item)
            inspections.answer_save(
                actor=inspector, inspection=inspection, item=item, raw=raw, base_version=0
            )
        inspections.inspection_submit(actor=inspector, inspection=inspection)
        inspections.inspection_approve(actor=chief, inspection=inspection)
        order = orders.order_issue(
            actor=chief, order=orders.order_draft(actor=inspector, inspection=inspection)
        )
        school_orders[username] = list(
            head.organisation.school.orders.filter(status="issued").values_list("id", flat=True)
        )
        school_items[username] = [
            {"order_id": order.pk, "item_id": pk}
            for pk in order.items.filter(status=OrderItem.Status.OPEN)
            .order_by("position")
            .values_list("id", flat=True)
        ]
    sharing = {name: wanted.count(name) for name in set(wanted)}
    seen: dict[str, int] = defaultdict(int)
    for username in wanted:
        share, part = sharing[username], seen[username]
        seen[username] += 1
        _t, key = token_create(user=by_name[username], name="load")
        actors.append(
            Actor(
                "school", username, key, items=school_items[username][part::share],
                order_ids=school_orders[username],
            )
        )  # fmt: skip

    for i in range(n_chiefs):
        chief = by_name[f"chief_{codes[i % len(codes)]}"]
        _t, key = token_create(user=chief, name="load")
        actors.append(Actor("chief", chief.username, key))

    pages = {"orders": reverse("orders:order_list"), "inspections": reverse("inspections:inspection_list")}
    try:
        pages["dashboard"] = reverse("oversight:dashboard")
    except NoReverseMatch:
        print(
            "no oversight:dashboard in this build: chiefs read the orders and inspections pages", flush=True
        )
    pages["login"] = reverse("accounts:login")
    print(
        f"prepared {n_inspectors} inspectors, {n_schools} schools "
        f"({sum(len(a.items) for a in actors if a.kind == 'school')} open items), {n_chiefs} chiefs "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    connections.close_all()
    return actors, pages


def _passing(item) -> dict:
    import datetime as dt

    from django.utils import timezone

    values = {
        "yes_no": {"value": "yes"},
        "yes_no_na": {"value": "yes"},
        "number": {"value": "45"},
        "date": {"value": (timezone.localdate() - dt.timedelta(days=10)).isoformat()},
        "panic_test": {
            "received": "yes", "pressed_at": "10:00:00", "acknowledged_at": "10:00:20",
            "arrived_at": "10:07:00",
        },
        "camera_survey": {"total": "10", "working": "10", "zones_not_covered": []},
        "entry_test": {"stopped": "yes", "notes": ""},
        "staff_interview": {"asked": "5", "correct": "5"},
    }  # fmt: skip
    return dict(values[item.answer_kind])


# The load --------------------------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.conflicts: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []

    def record(self, name: str, ms: float, *, error: str | None = None, conflict: bool = False) -> None:
        with self.lock:
            self.times[name].append(ms)
            if conflict:
                self.conflicts[name] += 1
            if error:
                self.errors[name] += 1
                if len(self.samples) < 15:
                    self.samples.append(f"{name}: {error}")


class Session:
    """One user's keep-alive connection, with a bearer token or a session cookie."""

    def __init__(self, port: int, stats: Stats, *, token: str | None = None) -> None:
        self.port, self.stats, self.token = port, stats, token
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, name: str, method: str, path: str, *, body: bytes | None = None, content_type: str = "",
        expect: tuple[int, ...] = (200,), conflict: tuple[int, ...] = (), extra: dict | None = None,
    ) -> tuple[int, bytes]:  # fmt: skip
        headers = {"Host": f"127.0.0.1:{self.port}", **(extra or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.stats.record(
                name, (time.perf_counter() - started) * 1000, error=f"{type(exc).__name__}: {exc}"
            )
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            return 0, b""
        ms = (time.perf_counter() - started) * 1000
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                k, _sep, v = cookie.partition("=")
                self.cookies[k.strip()] = v.strip()
        if response.status in conflict:
            self.stats.record(name, ms, conflict=True)
        elif response.status not in expect:
            self.stats.record(name, ms, error=f"{method} {path} → {response.status} {data[:200]!r}")
        else:
            self.stats.record(name, ms)
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, data


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, data, ctype in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def inspector_loop(actor: Actor, port: int, stats: Stats, stop: float, think: float, rng: random.Random):
    s = Session(port, stats, token=actor.token)
    api = f"/api/v1/inspections/{actor.inspection_id}"
    versions: dict[int, int] = {}
    while time.monotonic() < stop:
        roll = rng.random()
        if roll < 0.7 and actor.items:
            item = rng.choice(actor.items)
            value = rng.choice(["yes", "no"])
            body = json.dumps({"version": versions.get(item["id"], 0), "value": {"value": value}}).encode()
            status, data = s.request(
                "inspector: save answer (API)", "PUT", f"{api}/answers/{item['id']}", body=body,
                content_type="application/json", conflict=(409,),
            )  # fmt: skip
            if status == 200:
                versions[item["id"]] = json.loads(data)["version"]
            elif status == 409:
                current = json.loads(data).get("current") or {}
                versions[item["id"]] = current.get("version", 0)
        elif roll < 0.9:
            s.request("inspector: inspection items (API)", "GET", f"{api}/items")
        else:
            s.request("inspector: inspection (API)", "GET", api)
        time.sleep(rng.uniform(0, 2 * think))


def school_loop(actor: Actor, port: int, stats: Stats, stop: float, think: float, rng: random.Random):
    s = Session(port, stats, token=actor.token)
    photo = _jpeg()
    open_items = list(actor.items)
    while time.monotonic() < stop:
        roll = rng.random()
        if roll < 0.25 and open_items:
            item = open_items.pop(0)
            body, ctype = multipart(
                {"comment": "Установили, фото прилагаем"}, [("files", "fixed.jpg", photo, "image/jpeg")]
            )
            s.request(
                "school: report a fix with a photo (API)", "POST",
                f"/api/v1/orders/{item['order_id']}/items/{item['item_id']}/reports", body=body,
                content_type=ctype, expect=(201,),
            )  # fmt: skip
        elif roll < 0.6 or not actor.order_ids:
            s.request("school: orders (API)", "GET", "/api/v1/orders")
        else:
            s.request("school: one order (API)", "GET", f"/api/v1/orders/{rng.choice(actor.order_ids)}")
        time.sleep(rng.uniform(0, 2 * think))


def login(s: Session, pages: dict[str, str], username: str, password: str) -> bool:
    s.request("chief: sign-in page", "GET", pages["login"])
    csrf = s.cookies.get("csrftoken", "")
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf}).encode()
    status, _data = s.request(
        "chief: sign in", "POST", pages["login"], body=body, content_type="application/x-www-form-urlencoded",
        expect=(302,), extra={"Referer": f"http://127.0.0.1:{s.port}{pages['login']}"},
    )  # fmt: skip
    return status == 302


def chief_loop(actor: Actor, port: int, stats: Stats, stop: float, think: float, rng: random.Random, pages):
    from qorgau.core.demo import DEMO_PASSWORD

    browser = Session(port, stats)
    api = Session(port, stats, token=actor.token)
    if not login(browser, pages, actor.username, DEMO_PASSWORD):
        return
    while time.monotonic() < stop:
        roll = rng.random()
        if roll < 0.3 and "dashboard" in pages:
            browser.request("chief: oversight dashboard (page)", "GET", pages["dashboard"])
        elif roll < 0.55:
            browser.request("chief: orders (page)", "GET", pages["orders"])
        elif roll < 0.8:
            browser.request("chief: inspections (page)", "GET", pages["inspections"])
        else:
            api.request("chief: orders (API)", "GET", "/api/v1/orders")
        time.sleep(rng.uniform(0, 2 * think))


def run_load(actors: list[Actor], pages: dict[str, str], port: int, duration: float, think: float) -> Stats:
    stats = Stats()
    stop = time.monotonic() + duration
    threads = []
    for i, actor in enumerate(actors):
        rng = random.Random(SEED + i)
        if actor.kind == "inspector":
            args = (actor, port, stats, stop, think, rng)
            target = inspector_loop
        elif actor.kind == "school":
            args = (actor, port, stats, stop, think, rng)
            target = school_loop
        else:
            args = (actor, port, stats, stop, think, rng, pages)
            target = chief_loop
        threads.append(threading.Thread(target=_guarded, args=(target, args, stats), daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + TIMEOUT + 30)
    return stats


def _guarded(target, args, stats: Stats) -> None:
    # Users arrive over the first seconds (a ramp-up), not in one burst of sign-ins.
    rng = args[5]
    time.sleep(rng.uniform(0, RAMP_UP))
    try:
        target(*args)
    except Exception as exc:  # a bug in this script must fail the run, not vanish with its thread
        stats.record("load script", 0.0, error=f"{type(exc).__name__}: {exc}")


def report(stats: Stats, duration: float) -> int:
    total = sum(len(v) for v in stats.times.values())
    print()
    print(f"{'request':<44}{'count':>7}{'errors':>8}{'409':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name in sorted(stats.times):
        times = stats.times[name]
        print(
            f"{name:<44}{len(times):>7}{stats.errors[name]:>8}{stats.conflicts[name]:>6}"
            f"{percentile(times, 50):>9.0f}{percentile(times, 95):>9.0f}{max(times):>9.0f}"
        )
    errors = sum(stats.errors.values())
    print(f"\n{total} requests in {duration:.0f} s ({total / duration:.0f}/s), {errors} errors")
    for sample in stats.samples:
        print(f"  {sample}")
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between a user's requests, s")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.users < 3:
        parser.error("--users must be at least 3: one of each kind")

    fresh_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="qorgau-load-") as var_dir:
        env = server_environment(args.database_url, var_dir)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
        sys.path.insert(0, str(ROOT))
        actors, pages = prepare(args.users)

        port = free_port()
        log_path = Path(var_dir) / "server.log"
        qorgau = Path(sys.executable).with_name("qorgau")
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [str(qorgau), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip
        try:
            wait_healthy(port, server)
            print(
                f"serving on 127.0.0.1:{port} with {args.workers} gunicorn workers; "
                f"{args.users} users for {args.duration:.0f} s (think {args.think} s)",
                flush=True,
            )
            stats = run_load(actors, pages, port, args.duration, args.think)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        errors = report(stats, args.duration)
        server_errors = [line for line in log_path.read_text().splitlines() if "Traceback" in line]
        if errors or server_errors:
            print("\nLast lines of the server log:")
            print("\n".join(log_path.read_text().splitlines()[-40:]))
    if not args.keep:
        drop_database(args.database_url)
    return 1 if errors or server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
