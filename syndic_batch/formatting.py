"""Québec French display of numbers, money, hours and dates (Babel ``fr_CA``).

Everything a person reads goes through these helpers: ``1 234,56 $``,
``3,5 h``, ``12 mars 2026``.
"""
from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
import re
from typing import Any, Callable

from babel import Locale
from babel.dates import format_date

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


class _NumberFormat:
    """One Babel number pattern of ``LOCALE``, applied with plain Python.

    Babel's ``format_currency``/``format_decimal`` look the locale's symbols, pattern
    and currency up again on every call (~150 µs); a report formats tens of thousands of
    amounts. This reads them from Babel once and applies the same steps as Babel's
    ``NumberPattern.apply``: ``Decimal(str(value))``, the sign apart, ``quantize`` to the
    maximum number of decimals in the current decimal context (half-even, as Babel),
    trailing zeros dropped down to the minimum, groups of the pattern's size.
    ``tests/test_formatting.py`` proves the equality with Babel over many values. A
    pattern this class does not cover (scientific, significant digits, uneven groups)
    keeps Babel's own formatting."""

    def __init__(self, pattern: str | None, decimals: tuple[int, int] | None = None,
                 currency: str | None = None):
        from babel.numbers import (get_currency_precision, get_currency_symbol, get_decimal_symbol,
                                   get_group_symbol, parse_pattern)

        locale = _LOCALE
        self.babel_pattern = parse_pattern(pattern) if pattern else locale.currency_formats["standard"]
        p = self.babel_pattern
        self.currency = currency
        if currency is not None:
            self.frac = (get_currency_precision(currency),) * 2
        else:
            self.frac = decimals or p.frac_prec
        self.decimal = get_decimal_symbol(locale)
        self.group = get_group_symbol(locale)
        self.int_min = p.int_prec[0]
        self.quantum = decimal.Decimal(1).scaleb(-self.frac[1])
        self.grouping = p.grouping
        affixes = []
        for sign in (0, 1):
            text = p.prefix[sign] + "\0" + p.suffix[sign]
            if "¤" in text and currency is not None:
                text = text.replace("¤¤", currency.upper()).replace("¤", get_currency_symbol(currency, locale))
            affixes.append(re.sub(r"'([^']*)'", lambda m: m.group(1) or "'", text).split("\0"))
        self.affixes = affixes
        self.plain = not (p.exp_prec or "@" in p.pattern or "¤¤¤" in p.prefix[0] + p.suffix[0]
                          or "¤¤¤" in p.prefix[1] + p.suffix[1] or self.grouping[0] <= 0)

    def _babel(self, value: float) -> str:
        from babel.numbers import format_currency, format_decimal

        if self.currency is not None:
            return format_currency(value, self.currency, locale=_LOCALE)
        return format_decimal(value, format=self.babel_pattern.pattern, locale=_LOCALE)

    def __call__(self, value: float) -> str:
        if not self.plain:
            return self._babel(value)
        d = decimal.Decimal(str(value))
        prefix, suffix = self.affixes[int(d.is_signed())]
        a, _, b = f"{abs(d).quantize(self.quantum):f}".partition(".")
        if len(a) < self.int_min:
            a = "0" * (self.int_min - len(a)) + a
        size = self.grouping[0]
        if len(a) > size:
            head, groups = a[:-size], [a[-size:]]
            size = self.grouping[1]
            while len(head) > size:
                groups.append(head[-size:])
                head = head[:-size]
            a = self.group.join([head, *reversed(groups)])
        low, high = self.frac
        b = b or "0"
        if len(b) < low:
            b += "0" * (low - len(b))
        if high == 0 or (low == 0 and int(b) == 0):
            return f"{prefix}{a}{suffix}"
        while len(b) > low and b[-1] == "0":
            b = b[:-1]
        return f"{prefix}{a}{self.decimal}{b}{suffix}"


@functools.cache
def _money_format() -> _NumberFormat:
    return _NumberFormat(None, currency="CAD")


@functools.cache
def _number_format(decimals: int) -> _NumberFormat:
    return _NumberFormat("#,##0" + ("." + "#" * decimals if decimals else ""))


# A report shows the same few amounts and durations many times: each distinct value is
# formatted once. Zero is cached by its sign (-0.0 == 0.0, but Babel writes « -0 »).
@functools.lru_cache(maxsize=16384)
def _cached_currency(f: float) -> str:
    return _money_format()(f)


@functools.lru_cache(maxsize=16384)
def _cached_decimal(f: float, decimals: int) -> str:
    return _number_format(decimals)(f)


@functools.lru_cache(maxsize=None)
def _zero_currency(sign: float) -> str:
    return _money_format()(sign * 0.0)


@functools.lru_cache(maxsize=None)
def _zero_decimal(sign: float, decimals: int) -> str:
    return _number_format(decimals)(sign * 0.0)


def money(value: Any) -> str:
    """``1234.5`` → ``1 234,50 $``."""
    if _is_missing(value):
        return "—"
    odd = _unformattable(value)
    if odd is not None:
        return f"{odd} $"
    f = float(value)
    return _cached_currency(f) if f else _zero_currency(math.copysign(1.0, f))


def number(value: Any, decimals: int = 2) -> str:
    """``1234.5`` → ``1 234,5`` (at most ``decimals`` decimals, no trailing zeros)."""
    if _is_missing(value):
        return "—"
    odd = _unformattable(value)
    if odd is not None:
        return odd
    f = float(value)
    return _cached_decimal(f, decimals) if f else _zero_decimal(math.copysign(1.0, f), decimals)


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


# Dates repeat (a report shows thousands of rows over a few hundred days), and Babel's
# ``format_date`` costs ~100 µs: each distinct day is formatted once.
@functools.lru_cache(maxsize=8192)
def _date_text(value: dt.date) -> str:
    text = format_date(value, format="d MMMM y", locale=_LOCALE)
    return "1er" + text[1:] if value.day == 1 else text  # Québec usage: « 1er mai 2026 »


@functools.lru_cache(maxsize=1024)
def _month_text(value: dt.date) -> str:
    return format_date(value, format="LLLL y", locale=_LOCALE)


def _day(value: Any) -> dt.date:
    """The calendar day of a date, datetime or Timestamp, as a plain ``date`` (cache key)."""
    value = _as_date(value)
    return dt.date(value.year, value.month, value.day)


def date(value: Any) -> str:
    """A date → ``12 mars 2026``. Accepts date, datetime and pandas Timestamp."""
    if _is_missing(value):
        return "—"
    return _date_text(_day(value))


def month(value: Any) -> str:
    """A date → ``mars 2026``."""
    if _is_missing(value):
        return "—"
    return _month_text(_day(value))


def percent(value: Any) -> str:
    if _is_missing(value):
        return "—"
    return f"{number(float(value) * 100, 0)} %"


def memo(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    """``fn`` (a formatting function) computed once per distinct value: thousands of
    findings and statement lines repeat the same hours, amounts and dates. Zero is cached
    by its sign (``-0.0`` equals ``0.0`` but may format differently); an unhashable value
    is not cached."""
    cache: dict[Any, str] = {}

    def call(value: Any) -> str:
        try:
            k = (type(value), value) if value != 0 else (type(value), math.copysign(1.0, value), 0)
            hit = cache.get(k)
            if hit is None:
                hit = cache[k] = fn(value)
            return hit
        except TypeError:
            return fn(value)
    return call
