"""The reports' fast paths give exactly what the plain pandas computations give.

The reports (issue 11: start-up; issue 8: a large second run) compute their sections
once for the three reports (``shared.Shared``), take rows as numpy columns
(``shared.Rows``), sum by group and sort in plain Python on a few hundred rows and with
pandas or numpy on many, and print through a Jinja2 code generator that looks the
views' dict keys up directly. Each fast path is checked here against the pandas
computation it replaces (bit for bit for sums), and both sides of each size threshold
against each other on the real example inbox.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from builders import D, context_for, form
from syndic_batch.account.ledger import bank_years
from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.write import reports
from syndic_batch.write.reports import (BUILDERS, build_ag_view, build_ce_view, build_cs_view, environment,
                                        render_report, write_reports)
from syndic_batch.write.reports import shared

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "inbox"
AS_OF = D(2026, 11, 23)


@pytest.fixture(scope="module")
def checked():
    """The committed example inbox read and checked: 125 form rows, a plan, a statement."""
    from syndic_batch.context import Context
    from syndic_batch.pipeline import check_stage, read_stage

    ctx = Context(read_stage(EXAMPLES, DEFAULT_PARAMS), DEFAULT_PARAMS, AS_OF)
    return ctx, check_stage(ctx)


# ---------------------------------------------------------------- sums by group


def _random_columns(n: int, seed: int):
    rng = np.random.default_rng(seed)
    keys = [None if rng.random() < 0.05 else f"k{rng.integers(0, 40)}" for _ in range(n)]
    hours = rng.choice([0.25, 3.5, 7.0, 0.1, -0.0, np.nan], size=n) * rng.integers(1, 9, size=n)
    money = rng.random(n) * rng.choice([34.10, 41.25, 36.75, 1e9], size=n)
    money[rng.random(n) < 0.05] = np.nan
    if n > 10:
        money[3] = np.inf
    return keys, hours, money


@pytest.mark.parametrize("n", [0, 1, 60, 5000])
@pytest.mark.parametrize("small", [True, False])
def test_group_sums_are_pandas_groupby_sums_bit_for_bit(monkeypatch, n, small):
    monkeypatch.setattr(shared, "SMALL_GROUPS", 10 ** 9 if small else 0)
    keys, hours, money = _random_columns(n, seed=n)
    got = shared.group_sums(keys, [hours, money])
    frame = pd.DataFrame({"k": pd.Series(keys, dtype=object), "h": hours, "m": money})
    expected = frame.groupby("k", sort=False).agg(h=("h", "sum"), m=("m", "sum"), n=("h", "size"))
    assert list(got) == list(expected.index)             # first-row order, None dropped
    for key, row in expected.iterrows():
        count, (h, m) = got[key]
        assert count == row["n"]
        assert repr(h) == repr(float(row["h"])) and repr(m) == repr(float(row["m"]))


def test_sum_is_series_sum_bit_for_bit():
    rng = np.random.default_rng(7)
    for n in (0, 1, 7, 130, 4000):
        values = rng.normal(size=n) * 1e4
        values[rng.random(n) < 0.1] = np.nan
        assert repr(shared._sum(values)) == repr(float(pd.Series(values).sum()))


# ---------------------------------------------------------------- the bank year


def test_bank_year_cuts_the_years_as_the_ledger(tmp_path):
    bank = [
        {"date_renouvellement": D(2025, 9, 1), "heures_allouees": 300.0, "budget_fonds": 1000.0},
        {"date_renouvellement": D(2026, 9, 1), "heures_allouees": 350.0, "budget_fonds": 1200.0},
        # the same renewal again: the first row read wins
        {"date_renouvellement": D(2026, 9, 1), "heures_allouees": 999.0, "budget_fonds": 9999.0},
        # no date: not a year; no hours: 0
        {"date_renouvellement": None, "heures_allouees": 10.0, "budget_fonds": 10.0},
        {"date_renouvellement": D(2024, 2, 29), "heures_allouees": None, "budget_fonds": 500.0},
        {"date_renouvellement": D(2028, 2, 29), "heures_allouees": 400.0, "budget_fonds": 1500.0},
    ]
    ctx = context_for(tmp_path, [form()], bank=bank)
    years = bank_years(ctx.data.bank)

    def by_ledger(day):
        hit = years[(years["debut"] <= pd.Timestamp(day)) & (years["fin"] >= pd.Timestamp(day))]
        if hit.empty:
            return None
        y = hit.iloc[-1]
        return shared.BankYear(y["debut"].date(), y["fin"].date(), float(y["heures"]), float(y["budget"]))

    for day in pd.date_range("2024-01-01", "2029-12-31", freq="6D").date.tolist() + [D(2026, 8, 31), D(2026, 9, 1)]:
        ctx.as_of = day
        assert shared.bank_year(ctx) == by_ledger(day), day
    ctx.as_of = D(2026, 11, 23)
    assert shared.bank_year(ctx) == shared.BankYear(D(2026, 9, 1), D(2028, 2, 28), 350.0, 1200.0)
    ctx.as_of = D(2025, 1, 10)   # up to the day before the next renewal; no hours: 0
    assert shared.bank_year(ctx) == shared.BankYear(D(2024, 2, 29), D(2025, 8, 31), 0.0, 500.0)
    ctx.as_of = D(2029, 2, 27)   # the last renewal, 29 February, plus one year (28 February), less a day
    assert shared.bank_year(ctx) == shared.BankYear(D(2028, 2, 29), D(2029, 2, 27), 400.0, 1500.0)
    ctx.as_of = D(2029, 2, 28)
    assert shared.bank_year(ctx) is None
    ctx.as_of = D(2023, 1, 1)
    assert shared.bank_year(ctx) is None


# ---------------------------------------------------------------- rows, sorting, formatting


def test_rows_are_the_frame_of_granted_rows(checked):
    ctx, _ = checked
    year = shared.bank_year(ctx)
    frame = shared.granted_rows(ctx, year)
    rows = shared.granted(ctx, year)
    assert len(rows) == len(frame) > 50
    assert list(rows.index) == list(frame.index)
    for col in shared._FORM_COLS + shared._LEDGER_COLS:
        assert pd.Series(rows[col], dtype=frame[col].dtype).equals(frame[col].reset_index(drop=True)), col
    # the category as typed stays available (the agenda shows it as typed)
    assert list(rows["categorie_saisie"]) == ctx.forms.loc[frame.index, "categorie"].tolist()


@pytest.mark.parametrize("cols", [["date_reception", "_file", "_row"],
                                  ["date_decision", "date_activite", "_file", "_row"],
                                  ["matricule", "heures_demandees", "_row"]])
def test_sorted_rows_is_sort_values_on_both_paths(checked, monkeypatch, cols):
    ctx, _ = checked
    rng = np.random.default_rng(len(cols))
    positions = rng.permutation(len(ctx.forms))
    expected = ctx.forms.iloc[positions][cols].sort_values(cols, kind="stable").index.tolist()
    for threshold in (10 ** 9, 0):    # the plain sort, numpy's lexsort
        monkeypatch.setattr(shared, "FACTORIZE_FROM", threshold)
        got = shared.sorted_rows(shared.Rows(ctx, positions), cols)
        assert list(got.index) == expected
    # the agenda's order has undecided rows (empty decision dates) among others
    assert ctx.forms["date_decision"].isna().any()


def test_formatted_on_both_paths(checked, monkeypatch):
    ctx, _ = checked
    from syndic_batch import formatting as fmt

    cases = [("date_decision", fmt.date), ("heures_demandees", fmt.hours), ("matricule", shared._text),
             ("description", lambda v: shared._text(v, ""))]
    for col, to_text in cases:
        values = ctx.forms[col].to_numpy()
        monkeypatch.setattr(shared, "FACTORIZE_FROM", 10 ** 9)
        plain = shared._formatted(values, to_text)
        monkeypatch.setattr(shared, "FACTORIZE_FROM", 0)
        assert shared._formatted(values, to_text) == plain
        assert plain == [to_text(None) if pd.isna(v) else to_text(v) for v in ctx.forms[col]]
    assert "—" in shared._formatted(ctx.forms["date_decision"].to_numpy(), fmt.date)   # undecided rows


def test_the_views_are_the_same_on_both_sides_of_every_threshold(checked, monkeypatch):
    ctx, findings = checked
    small = {name: build(ctx, findings) for name, build in BUILDERS.items()}
    monkeypatch.setattr(shared, "SMALL_GROUPS", 0)
    monkeypatch.setattr(shared, "FACTORIZE_FROM", 0)
    large = {name: build(ctx, findings) for name, build in BUILDERS.items()}
    assert repr(small) == repr(large)        # repr: every float to its last digit, NaN equal to NaN
    assert small["ce"]["ordre_du_jour"]["formulaires"] and small["ag"]["mois"]["lignes"]


# ---------------------------------------------------------------- computed once for the three reports


def test_shared_sections_never_carry_money_into_cs_and_ag(checked, tmp_path):
    ctx, findings = checked
    paths = write_reports(ctx, findings, tmp_path)
    written = {p.stem: p.read_text(encoding="utf-8") for p in paths}
    # each report as if built alone: the shared computations change nothing
    alone = {"ce": render_report("ce", build_ce_view(ctx, findings)),
             "cs": render_report("cs", build_cs_view(ctx, findings)),
             "ag": render_report("ag", build_ag_view(ctx, findings))}
    assert written == alone
    base = shared.Shared(ctx, findings)
    ce_members = base.members(with_money=True)["lignes"]
    assert all("montant" in m for m in ce_members)
    for name in ("cs", "ag"):
        view = BUILDERS[name](ctx, findings, base)
        assert all("montant" not in m and "montant_valeur" not in m for m in view["membres"]["lignes"])
        for m in ce_members:
            assert m["montant"] not in written[name] or m["montant"] == "0,00 $"
    assert any(m["montant"] in written["ce"] for m in ce_members)


# ---------------------------------------------------------------- the templates' code generator


def test_dict_keys_objects_and_escaping_print_as_jinja_would():
    env = environment()

    class Thing:
        nom = "<b>objet</b>"

    template = env.from_string("{{ d.nom }}|{{ o.nom }}|{{ d.items is defined }}|{{ s }}|{{ m }}|{{ n }}"
                               "{% for x in xs %}|{{ loop.index }}:{{ x.v }}{% endfor %}")
    text = template.render(d={"nom": "Gagné & fils <x> 'a' \"b\""}, o=Thing(), s="texte simple",
                           m=Markup("<i>sûr</i>"), n=12, xs=[{"v": 1.5}, {"v": None}])
    assert text == ("Gagné &amp; fils &lt;x&gt; &#39;a&#39; &#34;b&#34;|&lt;b&gt;objet&lt;/b&gt;|True|"
                    "texte simple|<i>sûr</i>|12|1:1.5|2:None")
    with pytest.raises(UndefinedError):       # a key the view lacks is still an error
        env.from_string("{{ d.absent }}").render(d={"nom": "x"})
    assert math.isclose(len(env.from_string("{{ d.nom|bdi }}").render(d={"nom": "é"})), len("<bdi>é</bdi>"))
