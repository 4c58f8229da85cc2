"""Kazakhstan's business identification number (БИН): 12 digits, the last one a check digit."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def bin_check_digit(first11: str) -> int | None:
    """The check digit for 11 digits, or None when no digit is valid (such numbers are never issued)."""
    digits = [int(c) for c in first11]
    check = sum(d * w for d, w in zip(digits, _WEIGHTS_1, strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, _WEIGHTS_2, strict=True)) % 11
        if check == 10:
            return None
    return check


def bin_problem(value: str) -> str | None:
    """What is wrong with a BIN, in words, or None when it is valid."""
    if not value.isdigit() or not value.isascii():
        return str(_("BIN must contain digits only."))
    if len(value) != 12:
        return str(_("BIN must have 12 digits, not %(n)d.") % {"n": len(value)})
    check = bin_check_digit(value[:11])
    if check is None or check != int(value[11]):
        return str(_("BIN check digit is wrong: please check the number."))
    return None


def validate_bin(value: str) -> None:
    problem = bin_problem(value or "")
    if problem:
        raise ValidationError(problem, code="invalid_bin")


def make_bin(first11: str) -> str | None:
    """Complete 11 digits into a valid BIN (used by the demo data), or None if impossible."""
    check = bin_check_digit(first11)
    return None if check is None else first11 + str(check)
