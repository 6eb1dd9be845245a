"""The plain-Python number formatting of ``formatting.py`` gives exactly Babel's text."""
from __future__ import annotations

import math
import random

import pytest
from babel.numbers import format_currency, format_decimal

from syndic_batch import formatting as fmt


def _values() -> list[float]:
    rng = random.Random(20261125)
    values = [0.0, -0.0, 0.004, 0.005, 0.015, 0.025, 0.035, 0.045, 0.125, 0.375, 1.005, 2.675, 2.665,
              -0.001, -0.005, -0.015, -2.675, 0.5, 1.5, 2.5, -0.5, -1.5, 1e-7, -1e-7, 5e-3, 999.995,
              999.994, 999_999.995, 1234.5, -1234.5, 1000, 999, 100_000, 1_000_000, 12_345_678.125,
              -987_654_321.987, 999_999_999_999.99, -999_999_999_999.995, 123456789012345.0, 0.1 + 0.2,
              1 / 3, 2 / 3, -2 / 3, 3.5, 7.25, 24, 8.333333, 35.125, 17.135]
    for _ in range(3000):
        magnitude = 10 ** rng.randint(-4, 14)
        values.append(round(rng.uniform(-1, 1) * magnitude, rng.randint(0, 6)))
        values.append(rng.uniform(-1, 1) * magnitude)
    for cents in range(-2000, 2001):        # every half-cent and third-of-an-hour around zero
        values.append(cents / 200)
        values.append(cents / 3)
    return values


VALUES = _values()


def test_money_equals_babel_over_many_values():
    wrong = [(v, fmt.money(v), format_currency(v, "CAD", locale="fr_CA"))
             for v in VALUES if fmt.money(v) != format_currency(v, "CAD", locale="fr_CA")]
    assert wrong == []
    assert fmt.money(1234.5) == "1\xa0234,50\xa0$"
    assert fmt.money(-0.001) == "-0,00\xa0$"          # Babel keeps the sign of a negative rounded to zero
    assert fmt.money(0.025) == "0,02\xa0$"           # half-even on the decimal text of the float
    assert fmt.money(2.675) == "2,68\xa0$"


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_number_equals_babel_over_many_values(decimals):
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    wrong = [(v, fmt.number(v, decimals), format_decimal(v, format=pattern, locale="fr_CA"))
             for v in VALUES if fmt.number(v, decimals) != format_decimal(v, format=pattern, locale="fr_CA")]
    assert wrong == []


def test_hours_and_missing_and_out_of_range_values():
    assert fmt.hours(3.5) == "3,5 h"
    assert fmt.hours(1234.567) == "1\xa0234,57 h"
    assert fmt.number(1234.0) == "1\xa0234"
    for missing in (None, math.nan, float("nan")):
        assert fmt.money(missing) == "—"
        assert fmt.number(missing) == "—"
        assert fmt.hours(missing) == "—"
    assert fmt.money(math.inf) == "∞ $"
    assert fmt.money(1e26) == "1,000 × 10^26 $"
    assert fmt.number(-1e26) == "-1,000 × 10^26"
    assert fmt.money(999_999_999_999_999.0) == format_currency(999_999_999_999_999.0, "CAD", locale="fr_CA")
    assert fmt.money(1e15) == "1,000 × 10^15 $"     # beyond Babel's bound: scientific, as before


def test_memo_formats_each_value_once_and_keeps_the_sign_of_zero():
    calls = []

    def money(value):
        calls.append(value)
        return fmt.money(value)

    memo = fmt.memo(money)
    texts = [memo(v) for v in (0.0, -0.0, 0.0, -0.0, 0, 12.5, 12.5, None, None)]
    assert texts == ["0,00\xa0$", "-0,00\xa0$", "0,00\xa0$", "-0,00\xa0$", "0,00\xa0$", "12,50\xa0$", "12,50\xa0$",
                     "—", "—"]
    # 0.0, -0.0, the int 0, 12.5 and None: each formatted once
    assert len(calls) == 5 and math.copysign(1.0, calls[1]) == -1.0
    assert memo([1, 2]) == "[1, 2] $"           # an unhashable value is formatted, not cached
    assert (fmt.money(-0.0), fmt.money(0.0), fmt.number(-0.0), fmt.hours(0.0)) == ("-0,00\xa0$", "0,00\xa0$", "-0",
                                                                                  "0 h")
