"""Answer kinds: how each one's value is checked and when it passes, fails or cannot be decided yet."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from qorgau.checklists.answers import Result, evaluate
from qorgau.checklists.models import AnswerKind, Item

TODAY = dt.date(2026, 3, 10)


def item(kind: str, **fields) -> Item:
    # `evaluate` reads only the item's kind and limits, so an unsaved item is enough.
    return Item(code="T-1", answer_kind=kind, **fields)


def check(it: Item, raw: dict, on_date: dt.date = TODAY):
    return evaluate(it, raw, on_date=on_date)


def refused(it: Item, raw: dict, on_date: dt.date = TODAY) -> dict[str, list[str]]:
    """The error messages by field, in English."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            evaluate(it, raw, on_date=on_date)
        return error.value.message_dict


# Yes / no ----------------------------------------------------------------------------------------------


def test_yes_passes_and_no_fails():
    assert check(item(AnswerKind.YES_NO), {"value": "yes"}).result == Result.PASS
    assert check(item(AnswerKind.YES_NO), {"value": "no"}).result == Result.FAIL


def test_an_empty_yes_no_answer_is_undecided():
    evaluation = check(item(AnswerKind.YES_NO), {"value": ""})
    assert evaluation.result is None
    assert evaluation.value == {"value": None}
    assert check(item(AnswerKind.YES_NO), {}).result is None


def test_not_applicable_is_refused_where_the_item_does_not_offer_it():
    errors = refused(item(AnswerKind.YES_NO), {"value": "na"})
    assert errors == {"value": ["Choose one of the offered answers."]}


def test_not_applicable_is_its_own_result_where_offered():
    evaluation = check(item(AnswerKind.YES_NO_NA), {"value": "na"})
    assert evaluation.result == Result.NA
    assert check(item(AnswerKind.YES_NO_NA), {"value": "no"}).result == Result.FAIL


def test_an_unknown_yes_no_value_is_refused():
    assert refused(item(AnswerKind.YES_NO_NA), {"value": "maybe"}) == {
        "value": ["Choose one of the offered answers."]
    }


# Number with a threshold -------------------------------------------------------------------------------


def test_a_number_at_the_threshold_passes_and_below_fails():
    archive = item(AnswerKind.NUMBER, threshold=Decimal("30"))
    assert check(archive, {"value": "30"}).result == Result.PASS
    assert check(archive, {"value": "45"}).result == Result.PASS
    assert check(archive, {"value": "29"}).result == Result.FAIL


def test_a_number_accepts_a_decimal_comma_and_says_what_was_required():
    archive = item(AnswerKind.NUMBER, threshold=Decimal("30.00"))
    with translation.override("en"):
        evaluation = check(archive, {"value": " 29,5 "})
    assert evaluation.result == Result.FAIL
    assert evaluation.value == {"value": "29.5"}
    assert evaluation.summary == "29.5 (required at least 30)"


def test_an_empty_number_is_undecided():
    assert check(item(AnswerKind.NUMBER, threshold=Decimal(30)), {"value": ""}).result is None


@pytest.mark.parametrize("bad", ["thirty", "1e9", "NaN"])
def test_a_number_that_is_not_one_is_refused(bad):
    assert refused(item(AnswerKind.NUMBER, threshold=Decimal(30)), {"value": bad}) == {
        "value": ["Enter a number."]
    }


# Date with a maximum age -------------------------------------------------------------------------------


def drill() -> Item:
    return item(AnswerKind.DATE, max_age_days=365)


def test_a_date_exactly_the_maximum_age_ago_passes():
    evaluation = check(drill(), {"value": (TODAY - dt.timedelta(days=365)).isoformat()})
    assert evaluation.result == Result.PASS
    assert evaluation.value == {"value": "2025-03-10"}


def test_a_date_one_day_older_than_the_maximum_age_fails():
    with translation.override("en"):
        evaluation = check(drill(), {"value": (TODAY - dt.timedelta(days=366)).isoformat()})
    assert evaluation.result == Result.FAIL
    assert evaluation.summary == "Last on 09.03.2025, 366 days ago (allowed 365)"


def test_today_passes():
    assert check(drill(), {"value": TODAY.isoformat()}).result == Result.PASS


def test_a_date_in_the_future_is_refused():
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert refused(drill(), {"value": tomorrow}) == {"value": ["The date cannot be in the future."]}


def test_a_date_that_is_not_one_is_refused():
    assert refused(drill(), {"value": "31.02.2026"}) == {"value": ["Enter a date."]}
    assert refused(drill(), {"value": "1985-05-01"}) == {"value": ["Enter a real date."]}


def test_never_done_fails_and_nothing_entered_is_undecided():
    with translation.override("en"):
        never = check(drill(), {"value": "", "none": "on"})
    assert never.result == Result.FAIL
    assert never.value == {"value": None, "none": True}
    assert never.summary == "Never done"
    assert check(drill(), {"value": ""}).result is None


# Panic button test -------------------------------------------------------------------------------------


def panic(limit: int | None = 420) -> Item:
    return item(AnswerKind.PANIC_TEST, threshold=Decimal(limit) if limit is not None else None)


def test_a_panic_test_measures_seconds_from_the_press():
    evaluation = check(
        panic(),
        {"received": "yes", "pressed_at": "10:00", "acknowledged_at": "10:00:20", "arrived_at": "10:07:00"},
    )
    assert evaluation.result == Result.PASS
    assert evaluation.value["ack_seconds"] == 20
    assert evaluation.value["arrival_seconds"] == 420  # exactly the limit passes
    assert evaluation.value["pressed_at"] == "10:00:00"


def test_a_panic_test_over_midnight_counts_the_seconds_into_the_next_day():
    with translation.override("en"):
        evaluation = check(
            panic(),
            {
                "received": "yes",
                "pressed_at": "23:58:00",
                "acknowledged_at": "23:58:45",
                "arrived_at": "00:03:10",
            },
        )
    assert evaluation.value["ack_seconds"] == 45
    assert evaluation.value["arrival_seconds"] == 310
    assert evaluation.result == Result.PASS
    assert evaluation.summary == "Console acknowledged in 0:45, crew arrived in 5:10"


def test_a_crew_later_than_the_limit_fails_and_the_summary_names_the_limit():
    with translation.override("en"):
        evaluation = check(
            panic(240),
            {
                "received": "yes",
                "pressed_at": "10:00:00",
                "acknowledged_at": "10:00:30",
                "arrived_at": "10:04:01",
            },
        )
    assert evaluation.result == Result.FAIL
    assert evaluation.summary.endswith("crew arrived in 4:01 (allowed 4:00)")


def test_without_a_limit_any_arrival_passes():
    raw = {"received": "yes", "pressed_at": "10:00", "acknowledged_at": "10:01", "arrived_at": "11:00"}
    assert check(panic(None), raw).result == Result.PASS


def test_a_signal_the_console_did_not_receive_fails_at_once():
    evaluation = check(panic(), {"received": "no"})
    assert evaluation.result == Result.FAIL
    assert evaluation.value["arrival_seconds"] is None


def test_a_panic_test_without_all_times_is_undecided():
    raw = {"received": "yes", "pressed_at": "10:00", "acknowledged_at": "10:00:20"}
    evaluation = check(panic(), raw)
    assert evaluation.result is None
    assert evaluation.value["ack_seconds"] == 20


def test_a_bad_time_is_refused_naming_its_field():
    raw = {"received": "yes", "pressed_at": "10:00", "acknowledged_at": "half past ten"}
    assert refused(panic(), raw) == {"acknowledged_at": ["Enter a time as HH:MM or HH:MM:SS."]}
    assert refused(panic(), {"received": "perhaps"}) == {"received": ["Choose one of the offered answers."]}


# Camera survey -----------------------------------------------------------------------------------------


def cameras() -> Item:
    return item(AnswerKind.CAMERA_SURVEY)


def test_every_camera_working_and_every_zone_covered_passes():
    evaluation = check(cameras(), {"total": "12", "working": "12", "zones_not_covered": []})
    assert evaluation.result == Result.PASS
    assert evaluation.value == {"total": 12, "working": 12, "zones_not_covered": []}


def test_a_broken_camera_fails():
    with translation.override("en"):
        evaluation = check(cameras(), {"total": "12", "working": "11"})
    assert evaluation.result == Result.FAIL
    assert evaluation.summary == "11 of 12 cameras work"


def test_an_uncovered_zone_fails_and_is_named():
    with translation.override("en"):
        evaluation = check(
            cameras(), {"total": "10", "working": "10", "zones_not_covered": ["entrance", "canteen"]}
        )
    assert evaluation.result == Result.FAIL
    assert evaluation.value["zones_not_covered"] == ["canteen", "entrance"]
    assert evaluation.summary == "10 of 10 cameras work; not covered: Entrance, Canteen"  # in the order given


def test_zones_may_come_as_a_comma_separated_text():
    evaluation = check(cameras(), {"total": "4", "working": "4", "zones_not_covered": "yard,perimeter"})
    assert evaluation.value["zones_not_covered"] == ["perimeter", "yard"]
    assert evaluation.result == Result.FAIL


def test_a_school_without_cameras_fails():
    assert check(cameras(), {"total": "0", "working": "0"}).result == Result.FAIL


def test_an_unknown_zone_is_refused():
    raw = {"total": "4", "working": "4", "zones_not_covered": ["roof"]}
    assert refused(cameras(), raw) == {"zones_not_covered": ["Choose zones from the list."]}


def test_more_working_cameras_than_cameras_is_refused():
    assert refused(cameras(), {"total": "3", "working": "4"}) == {
        "working": ["Working cameras cannot be more than cameras in total."]
    }


def test_camera_counts_must_be_whole_numbers_in_range():
    assert refused(cameras(), {"total": "3.5", "working": "3"}) == {"total": ["Enter a whole number."]}
    assert refused(cameras(), {"total": "6000", "working": "3"}) == {
        "total": ["Enter a number from 0 to 5000."]
    }


def test_a_survey_without_both_counts_is_undecided():
    assert check(cameras(), {"total": "5"}).result is None


# Entry without a pass ----------------------------------------------------------------------------------


def test_a_stopped_attempt_passes_and_a_successful_one_fails_with_the_notes():
    entry = item(AnswerKind.ENTRY_TEST)
    assert check(entry, {"stopped": "yes"}).result == Result.PASS
    with translation.override("en"):
        evaluation = check(entry, {"stopped": "no", "notes": "Guard was away from the post"})
    assert evaluation.result == Result.FAIL
    assert evaluation.summary == "The attempt to enter without a pass succeeded: Guard was away from the post"


def test_an_entry_test_without_an_outcome_is_undecided_and_a_bad_one_refused():
    entry = item(AnswerKind.ENTRY_TEST)
    assert check(entry, {"notes": "not tried yet"}).result is None
    assert refused(entry, {"stopped": "sometimes"}) == {"stopped": ["Choose one of the offered answers."]}


# Staff interview ---------------------------------------------------------------------------------------


def interview(threshold: str | None = "80") -> Item:
    return item(AnswerKind.STAFF_INTERVIEW, threshold=Decimal(threshold) if threshold else None)


def test_a_share_of_correct_answers_at_the_threshold_passes():
    assert check(interview(), {"asked": "5", "correct": "4"}).result == Result.PASS  # 80 %
    assert check(interview(), {"asked": "5", "correct": "3"}).result == Result.FAIL  # 60 %


def test_without_a_threshold_every_answer_must_be_correct():
    assert check(interview(None), {"asked": "5", "correct": "5"}).result == Result.PASS
    with translation.override("en"):
        evaluation = check(interview(None), {"asked": "5", "correct": "4"})
    assert evaluation.result == Result.FAIL
    assert evaluation.summary == "4 of 5 staff answered correctly"


def test_an_interview_with_nobody_asked_is_undecided():
    assert check(interview(), {"asked": "0", "correct": "0"}).result is None
    assert check(interview(), {"asked": "4"}).result is None


def test_more_correct_answers_than_staff_asked_is_refused():
    assert refused(interview(), {"asked": "3", "correct": "4"}) == {
        "correct": ["Correct answers cannot be more than staff asked."]
    }
    assert refused(interview(), {"asked": "three", "correct": "1"}) == {"asked": ["Enter a whole number."]}


def test_an_unknown_answer_kind_is_refused():
    assert refused(item("telepathy"), {"value": "yes"}) == {"kind": ["Unknown answer kind."]}
