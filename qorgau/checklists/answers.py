"""Answer kinds: what each kind's value holds, how it is checked, and whether it passes.

Each kind decides pass/fail itself from the value; an inspector may override the result with a reason
(kept on the answer). `evaluate` returns the cleaned value, the result and a one-line summary of what was
found, which becomes the text of a finding when the item fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qorgau.checklists.models import AnswerKind, Item
from qorgau.registry.models import CameraZone


class Result:
    PASS = "pass"
    FAIL = "fail"
    NA = "na"

    CHOICES = (("pass", "pass"), ("fail", "fail"), ("na", "na"))


@dataclass
class Evaluation:
    value: dict
    result: str | None  # None: not answered enough to decide
    summary: str


def _yes_no(raw, field: str, *, allow_na: bool = False) -> str | None:
    if raw in (None, ""):
        return None
    allowed = ("yes", "no", "na") if allow_na else ("yes", "no")
    if raw not in allowed:
        raise ValidationError({field: _("Choose one of the offered answers.")})
    return raw


def _int(raw, field: str, *, minimum: int = 0, maximum: int = 100000) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if not minimum <= value <= maximum:
        raise ValidationError(
            {field: _("Enter a number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum}}
        )
    return value


def _decimal(raw, field: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", ".").strip())
    except InvalidOperation:
        raise ValidationError({field: _("Enter a number.")}) from None
    if not value.is_finite() or abs(value) > 10**7:
        raise ValidationError({field: _("Enter a number.")})
    return value


def _date(raw, field: str, today: dt.date) -> dt.date | None:
    if raw in (None, ""):
        return None
    try:
        value = dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationError({field: _("Enter a date.")}) from None
    if value > today:
        raise ValidationError({field: _("The date cannot be in the future.")})
    if value.year < 1990:
        raise ValidationError({field: _("Enter a real date.")})
    return value


def _time(raw, field: str) -> dt.time | None:
    if raw in (None, ""):
        return None
    try:
        return dt.time.fromisoformat(str(raw))
    except ValueError:
        raise ValidationError({field: _("Enter a time as HH:MM or HH:MM:SS.")}) from None


def _seconds_between(start: dt.time, end: dt.time) -> int:
    """Seconds from start to end on the inspection day; an end before the start means it passed midnight."""
    a = start.hour * 3600 + start.minute * 60 + start.second
    b = end.hour * 3600 + end.minute * 60 + end.second
    return b - a if b >= a else b + 24 * 3600 - a


def format_seconds(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}"


def evaluate(item: Item, raw: dict, *, on_date: dt.date) -> Evaluation:
    """Check a raw answer for an item and decide its result. Raises ValidationError naming the bad field."""
    kind = item.answer_kind
    raw = raw or {}
    if kind in (AnswerKind.YES_NO, AnswerKind.YES_NO_NA):
        value = _yes_no(raw.get("value"), "value", allow_na=kind == AnswerKind.YES_NO_NA)
        result = {"yes": Result.PASS, "no": Result.FAIL, "na": Result.NA}.get(value)
        summary = {"yes": _("Yes"), "no": _("No"), "na": _("Not applicable")}.get(value, "")
        return Evaluation({"value": value}, result, str(summary))

    if kind == AnswerKind.NUMBER:
        value = _decimal(raw.get("value"), "value")
        if value is None:
            return Evaluation({"value": None}, None, "")
        threshold = item.threshold or Decimal(0)
        result = Result.PASS if value >= threshold else Result.FAIL
        shown = f"{value.normalize():f}"
        summary = _("%(value)s (required at least %(threshold)s)") % {
            "value": shown, "threshold": f"{threshold.normalize():f}",
        }  # fmt: skip
        return Evaluation({"value": shown}, result, summary)

    if kind == AnswerKind.DATE:
        value = _date(raw.get("value"), "value", on_date)
        if value is None:
            none_done = raw.get("none") in (True, "true", "on", "1", "yes")
            if none_done:
                return Evaluation({"value": None, "none": True}, Result.FAIL, _("Never done"))
            return Evaluation({"value": None}, None, "")
        age = (on_date - value).days
        result = Result.PASS if age <= (item.max_age_days or 0) else Result.FAIL
        summary = _("Last on %(date)s, %(days)d days ago (allowed %(max)d)") % {
            "date": value.strftime("%d.%m.%Y"), "days": age, "max": item.max_age_days or 0,
        }  # fmt: skip
        return Evaluation({"value": value.isoformat()}, result, summary)

    if kind == AnswerKind.PANIC_TEST:
        received = _yes_no(raw.get("received"), "received")
        pressed = _time(raw.get("pressed_at"), "pressed_at")
        acknowledged = _time(raw.get("acknowledged_at"), "acknowledged_at")
        arrived = _time(raw.get("arrived_at"), "arrived_at")
        value = {
            "received": received,
            "pressed_at": pressed.isoformat() if pressed else None,
            "acknowledged_at": acknowledged.isoformat() if acknowledged else None,
            "arrived_at": arrived.isoformat() if arrived else None,
            "ack_seconds": None,
            "arrival_seconds": None,
        }
        if received == "no":
            return Evaluation(value, Result.FAIL, _("The console did not receive the test signal"))
        if pressed and acknowledged:
            value["ack_seconds"] = _seconds_between(pressed, acknowledged)
        if pressed and arrived:
            value["arrival_seconds"] = _seconds_between(pressed, arrived)
        if received is None or value["ack_seconds"] is None or value["arrival_seconds"] is None:
            return Evaluation(value, None, "")
        limit = int(item.threshold) if item.threshold else None
        late = limit is not None and value["arrival_seconds"] > limit
        summary = _("Console acknowledged in %(ack)s, crew arrived in %(arr)s") % {
            "ack": format_seconds(value["ack_seconds"]), "arr": format_seconds(value["arrival_seconds"]),
        }  # fmt: skip
        if late:
            summary += " " + _("(allowed %(limit)s)") % {"limit": format_seconds(limit)}
        return Evaluation(value, Result.FAIL if late else Result.PASS, summary)

    if kind == AnswerKind.CAMERA_SURVEY:
        total = _int(raw.get("total"), "total", maximum=5000)
        working = _int(raw.get("working"), "working", maximum=5000)
        zones = raw.get("zones_not_covered") or []
        if isinstance(zones, str):
            zones = [z for z in zones.split(",") if z]
        unknown = set(zones) - set(CameraZone.values)
        if unknown:
            raise ValidationError({"zones_not_covered": _("Choose zones from the list.")})
        if total is not None and working is not None and working > total:
            raise ValidationError({"working": _("Working cameras cannot be more than cameras in total.")})
        value = {"total": total, "working": working, "zones_not_covered": sorted(zones)}
        if total is None or working is None:
            return Evaluation(value, None, "")
        labels = dict(CameraZone.choices)
        summary = _("%(working)d of %(total)d cameras work") % {"working": working, "total": total}
        if zones:
            summary += "; " + _("not covered: %(zones)s") % {
                "zones": ", ".join(str(labels[z]) for z in zones)
            }
        passed = total > 0 and working == total and not zones
        return Evaluation(value, Result.PASS if passed else Result.FAIL, summary)

    if kind == AnswerKind.ENTRY_TEST:
        stopped = _yes_no(raw.get("stopped"), "stopped")
        notes = str(raw.get("notes") or "")[:1000]
        value = {"stopped": stopped, "notes": notes}
        if stopped is None:
            return Evaluation(value, None, "")
        summary = (
            _("The attempt was stopped")
            if stopped == "yes"
            else _("The attempt to enter without a pass succeeded")
        )
        if notes:
            summary = f"{summary}: {notes}"
        return Evaluation(value, Result.PASS if stopped == "yes" else Result.FAIL, str(summary))

    if kind == AnswerKind.STAFF_INTERVIEW:
        asked = _int(raw.get("asked"), "asked", maximum=500)
        correct = _int(raw.get("correct"), "correct", maximum=500)
        if asked is not None and correct is not None and correct > asked:
            raise ValidationError({"correct": _("Correct answers cannot be more than staff asked.")})
        value = {"asked": asked, "correct": correct}
        if not asked or correct is None:
            return Evaluation(value, None, "")
        share = Decimal(correct * 100) / Decimal(asked)
        needed = item.threshold if item.threshold is not None else Decimal(100)
        summary = _("%(correct)d of %(asked)d staff answered correctly") % {
            "correct": correct,
            "asked": asked,
        }
        return Evaluation(value, Result.PASS if share >= needed else Result.FAIL, summary)

    raise ValidationError({"kind": _("Unknown answer kind.")})
