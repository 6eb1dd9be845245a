"""Art. 3: adopted hours charged to the bank, then to the union funds.

3.1 releases go through the bank of the *bank year* containing the activity
    date (a year runs from one renewal date to the day before the next; the
    last one runs one year);
3.2 beyond the bank, the union funds pay, within the year's budget.

Adopted rows are charged in the order of decision date, then activity date
(then file and row, for stability). The row whose hours go past the bank is
split (part bank, part funds) and flagged ``depasse_banque``; later rows go to
the funds entirely. Funds dollars = funds hours × rate × (1 + surcharge), the
surcharge being ``remboursement.majoration_pct`` (the employer bills the union for
the hours beyond the bank with its social charges and administration costs; the
hours of the bank are the employer's own and carry none). The row whose dollars
take the funds past the budget is flagged ``depasse_budget``.

Decisions (docs/decisions.md): hours granted below 0 count as 0; an adopted row
with no hours at all counts 0 h; a row with no rate is charged to the bank in
hours but its funds dollars are NaN (unknown) and do not count towards the
budget; an adopted row whose activity date is in no bank year is charged to
nothing (``annee_banque`` NaT, bank and funds 0) and art. 3 flags it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta


LEDGER_COLUMNS = ("adoptee", "heures_octroyees", "taux", "valeur", "annee_banque", "heures_banque",
                  "heures_fonds", "montant_fonds", "fonds_cumules", "budget_fonds", "depasse_banque",
                  "depasse_budget", "majoration", "montant_employeur")
EPS = 1e-9


def hours_granted(forms: pd.DataFrame, adopted: pd.Series) -> pd.Series:
    """Heures accordées, or Heures demandées when an adopted row has none; 0 when not adopted."""
    h = forms["heures_accordees"].fillna(forms["heures_demandees"]).fillna(0.0).clip(lower=0.0)
    return h.where(adopted, 0.0).astype(float)


def bank_years(bank: pd.DataFrame) -> pd.DataFrame:
    """One row per bank year, sorted: ``debut``, ``fin`` (inclusive), ``heures`` and ``budget``.
    Two rows with the same renewal date: the first one read is kept. Missing hours or
    budget count as 0."""
    b = (bank.loc[bank["date_renouvellement"].notna()]
         .drop_duplicates("date_renouvellement", keep="first")
         .sort_values("date_renouvellement"))
    starts = list(b["date_renouvellement"])
    ends = [nxt - pd.Timedelta(days=1) for nxt in starts[1:]]
    if starts:
        ends.append(starts[-1] + relativedelta(years=1) - pd.Timedelta(days=1))
    return pd.DataFrame({
        "debut": pd.to_datetime(pd.Series(starts, dtype="datetime64[ns]")),
        "fin": pd.to_datetime(pd.Series(ends, dtype="datetime64[ns]")),
        "heures": b["heures_allouees"].fillna(0.0).to_numpy(dtype=float),
        "budget": b["budget_fonds"].fillna(0.0).to_numpy(dtype=float),
    })


def bank_year_of(dates: pd.Series, years: pd.DataFrame) -> pd.Series:
    """The renewal date of the bank year containing each date (NaT if none)."""
    pos = year_positions(dates.to_numpy(dtype="datetime64[ns]"), years)
    starts = years["debut"].to_numpy(dtype="datetime64[ns]")
    out = np.full(len(pos), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[pos >= 0] = starts[pos[pos >= 0]]
    return pd.Series(out, index=dates.index, dtype="datetime64[ns]")


def year_positions(d: np.ndarray, years: pd.DataFrame) -> np.ndarray:
    """Per date (datetime64): the position in ``years`` of the bank year containing it, -1 if none."""
    pos = np.full(len(d), -1, dtype=np.intp)
    if years.empty:
        return pos
    starts = years["debut"].to_numpy(dtype="datetime64[ns]")
    ends = years["fin"].to_numpy(dtype="datetime64[ns]")
    at = np.searchsorted(starts, d, side="right") - 1
    ok = ~np.isnat(d) & (at >= 0)
    ok[ok] = d[ok] <= ends[at[ok]]
    pos[ok] = at[ok]
    return pos


_LAST = np.iinfo(np.int64).max


def date_sort_key(values: np.ndarray) -> np.ndarray:
    """A date column as int64 sort keys, empty dates last."""
    d = values.astype("datetime64[ns]", copy=False).view("i8")
    return np.where(d == np.iinfo(np.int64).min, _LAST, d)


def sort_rank(values: np.ndarray) -> np.ndarray:
    """Per value, its rank among the distinct values sorted (equal values, equal ranks):
    a sort key for a text column, each distinct text sorted once (few files, many rows)."""
    codes, uniques = pd.factorize(values)
    order = sorted(range(len(uniques)), key=uniques.__getitem__)
    rank = np.empty(len(uniques) + 1, dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    rank[-1] = len(uniques)  # a missing value: last
    return rank[codes]


def charge_positions(forms: pd.DataFrame, pos: np.ndarray, file_rank: np.ndarray | None = None) -> np.ndarray:
    """The rows at positions ``pos`` in the order they are charged: decision date,
    activity date, file, row (empty dates last; a stable sort). ``file_rank``: the
    files' ``sort_rank`` of every row, when already made."""
    pos = np.asarray(pos, dtype=np.intp)
    if len(pos) == 0:
        return pos
    files = file_rank[pos] if file_rank is not None else sort_rank(forms["_file"].to_numpy(dtype=object)[pos])
    o = np.lexsort((forms["_row"].to_numpy()[pos], files,
                    date_sort_key(forms["date_activite"].to_numpy()[pos]),
                    date_sort_key(forms["date_decision"].to_numpy()[pos])))
    return pos[o]


def charge_order(forms: pd.DataFrame, ids: pd.Index) -> pd.Index:
    """The rows ``ids`` in the order they are charged: decision date, activity date,
    file, row (empty dates last)."""
    pos = forms.index.get_indexer(ids)
    return forms.index[charge_positions(forms, pos)]


def round_cents(values):
    """Money rounded half up to the cent (NaN stays NaN): every dollar figure of
    the ledger is, so that the deposit, the messages and the reports add up."""
    return np.floor(values * 100 + 0.5 + 1e-7) / 100


def build_ledger(ctx) -> pd.DataFrame:
    """In numpy over positions (one frame built at the end): a pandas operation costs
    more than the arithmetic on a small inbox, and the values are the same."""
    forms = ctx.forms
    n = len(forms)
    adopted = ctx.adopted
    accorded = forms["heures_accordees"].to_numpy(dtype=float)
    h = np.where(np.isnan(accorded), forms["heures_demandees"].to_numpy(dtype=float), accorded)
    h = np.where(np.isnan(h), 0.0, h)
    h = np.where(h < 0.0, 0.0, h)
    granted = np.where(adopted, h, 0.0)
    rate = ctx.rates["taux"].to_numpy(dtype=float)
    years = bank_years(ctx.data.bank)
    ypos = np.where(adopted, year_positions(forms["date_activite"].to_numpy(dtype="datetime64[ns]"), years), -1)
    starts = years["debut"].to_numpy(dtype="datetime64[ns]")
    year = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    year[ypos >= 0] = starts[ypos[ypos >= 0]]

    valeur = np.where(adopted, round_cents(granted * rate), 0.0)
    cols = {
        "adoptee": adopted.copy(), "heures_octroyees": granted, "taux": rate.copy(), "valeur": valeur,
        "annee_banque": year,
        "heures_banque": np.zeros(n), "heures_fonds": np.zeros(n), "montant_fonds": np.zeros(n),
        "fonds_cumules": np.zeros(n), "budget_fonds": np.full(n, np.nan),
        "depasse_banque": np.zeros(n, dtype=bool), "depasse_budget": np.zeros(n, dtype=bool),
        "majoration": np.zeros(n), "montant_employeur": valeur.copy(),
    }
    charged = charge_positions(forms, np.flatnonzero(ypos >= 0), ctx.sort_rank("_file"))
    if len(charged):
        c_year, c_h, c_rate = ypos[charged], granted[charged], rate[charged]
        alloc = years["heures"].to_numpy(dtype=float)[c_year]
        budget = years["budget"].to_numpy(dtype=float)[c_year]
        # pandas' grouped cumsum (compensated summation): the figures stay those it gave
        cum = pd.Series(c_h).groupby(c_year).cumsum().to_numpy()
        before = cum - c_h
        bank_h = np.minimum(np.maximum(alloc - before, 0.0), c_h)
        funds_h = c_h - bank_h
        funds_d = round_cents(funds_h * c_rate * ctx.params.facteur_majoration)
        funds_0 = np.where(np.isnan(funds_d), 0.0, funds_d)
        fcum = pd.Series(funds_0).groupby(c_year).cumsum().to_numpy()
        fbefore = fcum - funds_0
        cols["heures_banque"][charged] = bank_h
        cols["heures_fonds"][charged] = funds_h
        cols["montant_fonds"][charged] = funds_d
        cols["fonds_cumules"][charged] = fcum
        cols["budget_fonds"][charged] = budget
        cols["depasse_banque"][charged] = (before <= alloc + EPS) & (cum > alloc + EPS)
        cols["depasse_budget"][charged] = (fbefore <= budget + EPS) & (fcum > budget + EPS)
        # The surcharge in dollars (what the employer adds to the funds hours it bills), and what the
        # release costs in all: its value (hours × rate) plus that surcharge — the reconciliation's base.
        surcharge = funds_d - round_cents(funds_h * c_rate)
        surcharge = np.where(np.isnan(surcharge), 0.0, surcharge)
        cols["majoration"][charged] = surcharge
        cols["montant_employeur"][charged] = round_cents(valeur[charged] + surcharge)
    # copy=False: one block per column, as column assignments made it (a 2-D block would be a
    # copy of the whole ledger: 100 MB at a million rows)
    return pd.DataFrame(cols, index=forms.index, copy=False)
