"""Art. 3: the bank of releases and the union funds (figures from ``ctx.ledger``).

3.1 (info) every adopted row charged, at least partly, to the union funds: the
    row that goes past the bank says how its hours are split, later rows say
    that the bank is exhausted;
3.1 (erreur) an adopted row whose activity date is in no bank year;
3.2 (erreur) the row whose dollars take the funds past the year's budget, and
    every later row charged to the funds that year (the budget is already spent).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import formatting as fmt
from ..account.ledger import EPS, bank_years, charge_positions
from ..context import Context
from ..model import ERREUR, INFO, Finding
from .base import dates, form_findings

BANQUE_DEPASSEE = "banque-depassee"
AUCUNE_BANQUE = "aucune-banque"
BUDGET_DEPASSE = "budget-depasse"


def hours_cell_findings(ctx: Context, flagged, article: str, rule: str, severity: str,
                        message: pd.Series | list) -> list[Finding]:
    """Findings on the cell that holds the hours granted: Heures accordées, or
    Heures demandées on a row where the CE left Heures accordées empty. ``flagged``: a
    boolean mask (numpy by position, or a Series); ``message``: a Series indexed like the
    forms, or a list with one text per flagged row in order."""
    flagged = flagged.to_numpy(dtype=bool) if isinstance(flagged, pd.Series) else flagged
    granted_given = ctx.present("heures_accordees")
    if isinstance(message, list):
        given = granted_given[flagged]
        return (form_findings(ctx, flagged & granted_given, "heures_accordees", article, rule, severity,
                              [m for m, g in zip(message, given) if g])
                + form_findings(ctx, flagged & ~granted_given, "heures_demandees", article, rule, severity,
                                [m for m, g in zip(message, given) if not g]))
    return (form_findings(ctx, flagged & granted_given, "heures_accordees", article, rule, severity, message)
            + form_findings(ctx, flagged & ~granted_given, "heures_demandees", article, rule, severity, message))


def _year_labels(ctx: Context) -> dict:
    """Renewal date → « l'année du 1 janvier 2026 au 31 décembre 2026 »."""
    years = bank_years(ctx.data.bank)
    return {d: f"l'année du {fmt.date(d)} au {fmt.date(f)}"
            for d, f in zip(dates(years["debut"].to_numpy()), dates(years["fin"].to_numpy()))}


def _surcharge(ctx: Context) -> str:
    """« , majoration de 15 % comprise » when the employer adds a surcharge to the funds hours."""
    pct = ctx.params.majoration_pct
    return f", majoration de l'Employeur de {fmt.number(pct)} % comprise" if pct > 0 else ""


def _ledger(ctx: Context, *columns: str) -> list[np.ndarray]:
    led = ctx.ledger
    return [led[c].to_numpy() for c in columns]


def regle_3_1_banque_depassee(ctx: Context) -> list[Finding]:
    funds_h, = _ledger(ctx, "heures_fonds")
    flagged = funds_h > EPS
    if not flagged.any():
        return []
    labels = _year_labels(ctx)
    bank_h, funds_d, year = _ledger(ctx, "heures_banque", "montant_fonds", "annee_banque")
    messages = []
    surcharge = _surcharge(ctx)
    money, hours = fmt.memo(fmt.money), fmt.memo(fmt.hours)
    for bank_h, funds_h, funds_d, year in zip(bank_h[flagged].tolist(), funds_h[flagged].tolist(),
                                              funds_d[flagged].tolist(), dates(year[flagged])):
        dollars = (money(funds_d) + surcharge) if funds_d == funds_d else "montant inconnu faute de taux horaire"
        if bank_h > EPS:
            messages.append(
                f"Cette libération dépasse la banque de {labels[year]} (art. 3.1) : {hours(bank_h)} "
                f"sont imputées à la banque et {hours(funds_h)} aux fonds syndicaux ({dollars}, art. 3.2).")
        else:
            messages.append(
                f"La banque de {labels[year]} est épuisée (art. 3.1) : les {hours(funds_h)} de cette "
                f"libération sont imputées aux fonds syndicaux ({dollars}, art. 3.2).")
    return hours_cell_findings(ctx, flagged, "3.1", BANQUE_DEPASSEE, INFO, messages)


def regle_3_1_aucune_banque(ctx: Context) -> list[Finding]:
    from .donnees_reference import missing_reference
    from ..read.fields import BANK

    if BANK in missing_reference(ctx.data):  # one donnees-reference-absentes instead of one per row
        return []
    year, = _ledger(ctx, "annee_banque")
    flagged = ctx.adopted & ctx.present("date_activite") & np.isnat(year)
    if not flagged.any():
        return []
    years = bank_years(ctx.data.bank)
    if years.empty:
        msg: str | list = ("Aucune banque de libérations n'a été lue (art. 3.1 ; feuille « Banque » : date "
                           "de renouvellement, heures allouées, budget) ; cette libération adoptée ne peut "
                           "être imputée à aucune banque.")
    else:
        span = f"du {fmt.date(years['debut'].iloc[0])} au {fmt.date(years['fin'].iloc[-1])}"
        msg = [f"Aucune banque pour cette date (art. 3.1) : le {fmt.date(d)} n'est compris dans aucune "
               f"année de la banque de libérations (années lues {span}). Ajoutez l'année à la "
               "feuille « Banque » ou corrigez la date." for d in dates(ctx.values("date_activite")[flagged])]
    return form_findings(ctx, flagged, "date_activite", "3.1", AUCUNE_BANQUE, ERREUR, msg)


def regle_3_2_budget_depasse(ctx: Context) -> list[Finding]:
    funds_d, total, limit = _ledger(ctx, "montant_fonds", "fonds_cumules", "budget_fonds")
    over = (funds_d > EPS) & (total > limit + EPS)
    if not over.any():
        return []
    rows = charge_positions(ctx.forms, np.flatnonzero(over), ctx.sort_rank("_file"))
    crossing, year = _ledger(ctx, "depasse_budget", "annee_banque")
    labels = _year_labels(ctx)
    messages = {}
    surcharge = _surcharge(ctx)
    money = fmt.memo(fmt.money)
    for i, crossing, year, dollars, total, limit in zip(rows.tolist(), crossing[rows].tolist(), dates(year[rows]),
                                                        funds_d[rows].tolist(), total[rows].tolist(),
                                                        limit[rows].tolist()):
        if crossing:
            messages[i] = (
                f"Avec les {money(dollars)} de cette libération{surcharge}, les fonds syndicaux de "
                f"{labels[year]} atteignent {money(total)}, au-delà du budget de {money(limit)} "
                f"(dépassement de {money(total - limit)}, art. 3.2). Le CE doit réduire les heures ou faire "
                "modifier le budget.")
        else:
            messages[i] = (
                f"Le budget des fonds syndicaux de {labels[year]} ({money(limit)}) est déjà "
                f"dépassé (art. 3.2) : les {money(dollars)} de cette libération ne sont pas budgétés.")
    # the findings in form order, each with its message
    return hours_cell_findings(ctx, over, "3.2", BUDGET_DEPASSE, ERREUR,
                               [messages[i] for i in np.flatnonzero(over).tolist()])


RULES = [regle_3_1_banque_depassee, regle_3_1_aucune_banque, regle_3_2_budget_depasse]
