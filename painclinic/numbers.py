"""One safe reader for numbers typed by people or sent in files (issue: hardening, security.md F).

``str.isdigit()`` accepts "²" and "٣", which ``int()`` refuses or reads as 3; ``int()`` refuses a
digit string over 4,300 characters (CPython's int_max_str_digits); ``float()`` reads "1e309" as
inf and "NaN" as nan. Every answer, score, measurement and baseline is read here instead, so the
same input gives the same plain refusal (``None``) on every path: forms, services, the patient's
link, the CLI and CSV import. Pure: no Django.
"""

from __future__ import annotations

import math
import re

# No questionnaire code, score, session number or measurement needs more digits; longer input is
# refused before it reaches int()/float(), so the 4,300-digit limit is never hit.
MAX_DIGITS = 15
_INT = re.compile(r"[+-]?[0-9]{1,15}", re.ASCII)
# Floats: up to 30 digits on each side of the point (repr of a float needs at most 17
# significant digits), a 3-digit exponent; overflow to inf is refused after float().
_FLOAT = re.compile(
    r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,3})?", re.ASCII
)


def parse_int(value: object) -> int | None:
    """A whole number written with ASCII digits (optional sign, surrounding spaces), else None.

    A Python int passes through when it has at most MAX_DIGITS digits; bool is not a number.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**MAX_DIGITS else None
    if isinstance(value, float):
        return (
            int(value)
            if math.isfinite(value) and value.is_integer() and abs(value) < 1e15
            else None
        )
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _INT.fullmatch(text):
        return None
    return int(text)


def parse_float(value: object) -> float | None:
    """A finite decimal number written with ASCII digits (``1``, ``-2.5``, ``3e2``), else None.

    NaN, infinities, overflow to infinity (``1e309``), non-ASCII digits and over-long strings are
    refused; ``-0`` reads as 0.0.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) < 10**MAX_DIGITS else None
    if isinstance(value, float):
        return value + 0.0 if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _FLOAT.fullmatch(text):
        return None
    number = float(text)
    if not math.isfinite(number):
        return None
    return number + 0.0  # -0.0 -> 0.0


def is_int_text(value: object) -> bool:
    """True when ``parse_int`` reads ``value`` (a drop-in for the unsafe ``str.isdigit()`` test)."""
    return parse_int(value) is not None
