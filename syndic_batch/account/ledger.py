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

from .reference import ADOPTEE

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
    out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    if years.empty:
        return out
    starts = years["debut"].to_numpy(dtype="datetime64[ns]")
    ends = years["fin"].to_numpy(dtype="datetime64[ns]")
    d = dates.to_numpy(dtype="datetime64[ns]")
    pos = np.searchsorted(starts, d, side="right") - 1
    ok = ~np.isnat(d) & (pos >= 0)
    ok[ok] = d[ok] <= ends[pos[ok]]
    out[ok] = starts[pos[ok]]
    return out


def charge_order(forms: pd.DataFrame, ids: pd.Index) -> pd.Index:
    """The rows ``ids`` in the order they are charged: decision date, activity date,
    file, row (empty dates last)."""
    sub = forms.loc[ids, ["date_decision", "date_activite", "_file", "_row"]]
    return sub.sort_values(["date_decision", "date_activite", "_file", "_row"], na_position="last",
                           kind="mergesort").index


def round_cents(values: pd.Series) -> pd.Series:
    """Money rounded half up to the cent (NaN stays NaN): every dollar figure of
    the ledger is, so that the deposit, the messages and the reports add up."""
    return np.floor(values * 100 + 0.5 + 1e-7) / 100


def build_ledger(ctx) -> pd.DataFrame:
    forms = ctx.forms
    adopted = ctx.decisions == ADOPTEE
    granted = hours_granted(forms, adopted)
    rate = ctx.rates["taux"].astype(float)
    years = bank_years(ctx.data.bank)
    year = bank_year_of(forms["date_activite"], years).where(adopted)

    led = pd.DataFrame(index=forms.index)
    led["adoptee"] = adopted
    led["heures_octroyees"] = granted
    led["taux"] = rate
    led["valeur"] = round_cents(granted * rate).where(adopted, 0.0)
    led["annee_banque"] = year
    led["heures_banque"] = 0.0
    led["heures_fonds"] = 0.0
    led["montant_fonds"] = 0.0
    led["fonds_cumules"] = 0.0
    led["budget_fonds"] = np.nan
    led["depasse_banque"] = False
    led["depasse_budget"] = False
    led["majoration"] = 0.0
    led["montant_employeur"] = led["valeur"]

    charged = charge_order(forms, forms.index[(adopted & year.notna()).to_numpy()])
    if len(charged) == 0:
        return led
    c = pd.DataFrame({"annee": year[charged], "h": granted[charged], "taux": rate[charged]})
    alloc = c["annee"].map(dict(zip(years["debut"], years["heures"])))
    budget = c["annee"].map(dict(zip(years["debut"], years["budget"])))

    cum = c.groupby("annee")["h"].cumsum()
    before = cum - c["h"]
    bank_h = (alloc - before).clip(lower=0.0).clip(upper=c["h"])
    funds_h = c["h"] - bank_h
    funds_d = round_cents(funds_h * c["taux"] * ctx.params.facteur_majoration)
    fcum = funds_d.fillna(0.0).groupby(c["annee"]).cumsum()
    fbefore = fcum - funds_d.fillna(0.0)

    led.loc[charged, "heures_banque"] = bank_h
    led.loc[charged, "heures_fonds"] = funds_h
    led.loc[charged, "montant_fonds"] = funds_d
    led.loc[charged, "fonds_cumules"] = fcum
    led.loc[charged, "budget_fonds"] = budget
    led.loc[charged, "depasse_banque"] = (before <= alloc + EPS) & (cum > alloc + EPS)
    led.loc[charged, "depasse_budget"] = (fbefore <= budget + EPS) & (fcum > budget + EPS)
    # The surcharge in dollars (what the employer adds to the funds hours it bills), and what the
    # release costs in all: its value (hours × rate) plus that surcharge — the reconciliation's base.
    surcharge = (funds_d - round_cents(funds_h * c["taux"])).fillna(0.0)
    led.loc[charged, "majoration"] = surcharge
    led.loc[charged, "montant_employeur"] = round_cents(led.loc[charged, "valeur"] + surcharge)
    return led
