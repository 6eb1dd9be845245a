"""Québec French display of numbers, money, hours and dates (Babel ``fr_CA``).

Everything a person reads goes through these helpers: ``1 234,56 $``,
``3,5 h``, ``12 mars 2026``.
"""
from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALE = "fr_CA"
# Parsed once: given the name, Babel parses it again at every call (half of a
# format_currency, three quarters of a format_date).
_LOCALE = Locale.parse(LOCALE)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value)) or (value != value)
    except (TypeError, ValueError):
        return False


# Babel formats through ``decimal`` with a bounded precision: 1e26 raises
# InvalidOperation. No amount or duration of this tool comes near this bound; a
# value beyond it (a typing error the checks flag) is shown in scientific notation.
_FORMAT_MAX = 1e15


def _unformattable(value: Any) -> str | None:
    """The text for a value Babel cannot format (infinite or beyond ``_FORMAT_MAX``), else None."""
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        return str(value)
    if math.isinf(f):
        return "∞" if f > 0 else "-∞"
    if abs(f) >= _FORMAT_MAX:
        mantissa, exponent = f"{f:.3e}".split("e")
        return f"{mantissa.replace('.', ',')} × 10^{int(exponent)}"
    return None


def money(value: Any) -> str:
    """``1234.5`` → ``1 234,50 $``."""
    if _is_missing(value):
        return "—"
    odd = _unformattable(value)
    if odd is not None:
        return f"{odd} $"
    return _currency(float(value))


# A report shows the same few amounts and durations many times: each distinct value is
# formatted once (0 is never cached: -0.0 == 0.0, but Babel writes « -0 »).
@lru_cache(maxsize=16384)
def _cached_currency(f: float) -> str:
    return format_currency(f, "CAD", locale=_LOCALE)


def _currency(f: float) -> str:
    return _cached_currency(f) if f else format_currency(f, "CAD", locale=_LOCALE)


@lru_cache(maxsize=16384)
def _cached_decimal(f: float, decimals: int) -> str:
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(f, format=pattern, locale=_LOCALE)


def number(value: Any, decimals: int = 2) -> str:
    """``1234.5`` → ``1 234,5`` (at most ``decimals`` decimals, no trailing zeros)."""
    if _is_missing(value):
        return "—"
    odd = _unformattable(value)
    if odd is not None:
        return odd
    f = float(value)
    if f:
        return _cached_decimal(f, decimals)
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(f, format=pattern, locale=_LOCALE)


def hours(value: Any) -> str:
    """``3.5`` → ``3,5 h``."""
    if _is_missing(value):
        return "—"
    return f"{number(value)} h"


def km(value: Any) -> str:
    return "—" if _is_missing(value) else f"{number(value, 1)} km"


def _as_date(value: Any) -> dt.date:
    """date, datetime or pandas Timestamp → date."""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value.date() if isinstance(value, dt.datetime) else value


def date(value: Any) -> str:
    """A date → ``12 mars 2026``. Accepts date, datetime and pandas Timestamp."""
    if _is_missing(value):
        return "—"
    value = _as_date(value)
    text = format_date(value, format="d MMMM y", locale=_LOCALE)
    return "1er" + text[1:] if value.day == 1 else text  # Québec usage: « 1er mai 2026 »


def month(value: Any) -> str:
    """A date → ``mars 2026``."""
    if _is_missing(value):
        return "—"
    return format_date(_as_date(value), format="LLLL y", locale=_LOCALE)


def percent(value: Any) -> str:
    if _is_missing(value):
        return "—"
    return f"{number(float(value) * 100, 0)} %"
