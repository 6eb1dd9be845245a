"""What the three reports share: the bank year, the rows granted, the formatted
columns, and the sections that more than one report shows (header, summary,
members, categories, months, bank use, findings).

Every view function computes everything and returns plain dicts and lists of
already-formatted French strings (plus the raw figures under ``*_valeur`` keys,
for the tests); the Jinja2 templates of ``templates/rapports/`` only lay them out.

Figures count adopted rows only, as the ledger charges them (``ctx.ledger``),
in the bank year that contains ``ctx.as_of`` ("since the last renewal"), decided
on or before ``ctx.as_of`` (or with no decision date). The CS and AG views never
carry a member's rate or the amount paid to one member.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

import pandas as pd

from ... import formatting as fmt
from ...account.ledger import bank_years
from ...context import Context
from ...model import AVERTISSEMENT, ERREUR, INFO, Finding, count_by_severity
from ...read.fields import BANK, CALENDAR, KINDS, MEMBERS, PLAN
from ...text import fold
from ..charts import Bar, bar_chart, line_chart


SEVERITY_LABELS = {ERREUR: "Erreur", AVERTISSEMENT: "Avertissement", INFO: "Info"}
SEVERITY_PLURALS = {ERREUR: "Erreurs", AVERTISSEMENT: "Avertissements", INFO: "Informations"}
SANS_CATEGORIE = "(catégorie absente)"

# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class BankYear:
    """The bank year containing the report's date: from its renewal to the day
    before the next one (or one year later when the bank sheet has no next one)."""

    start: dt.date
    end: dt.date      # inclusive
    hours: float      # Heures allouées
    budget: float     # Budget des fonds syndicaux ($)

    @property
    def label(self) -> str:
        return f"du {fmt.date(self.start)} au {fmt.date(self.end)}"


def _ts(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d)


def _as_date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def bank_year(ctx: Context) -> BankYear | None:
    """The bank year (as the ledger cuts them) that contains ``ctx.as_of``, or None."""
    years = bank_years(ctx.data.bank)
    hit = years[(years["debut"] <= _ts(ctx.as_of)) & (years["fin"] >= _ts(ctx.as_of))]
    if hit.empty:
        return None
    y = hit.iloc[-1]
    return BankYear(_as_date(y["debut"]), _as_date(y["fin"]), float(y["heures"]), float(y["budget"]))


def ce_meetings(ctx: Context) -> list[dt.date]:
    """Dates of the CE meetings in the calendar, sorted, without duplicates."""
    return [_as_date(pd.Timestamp(d)) for d in ctx.ce_meetings]


def next_and_previous_ce(ctx: Context) -> tuple[dt.date | None, dt.date | None]:
    """The next CE meeting is the first on or after the report's date; the previous one the last before it."""
    meetings = ce_meetings(ctx)
    nxt = next((d for d in meetings if d >= ctx.as_of), None)
    prev = next((d for d in reversed(meetings) if d < ctx.as_of), None)
    return nxt, prev


# --------------------------------------------------------------------------- column helpers


def _canonical_categories(ctx: Context, series: pd.Series) -> pd.Series:
    """Each category under the spelling of the parameters when it is a known one."""
    canon = {fold(c): c for c in ctx.params.categories_connues}
    uniq = series.dropna().unique()
    return series.map({v: canon.get(fold(v), v) for v in uniq}).fillna(SANS_CATEGORIE)


_FORM_COLS = ["matricule", "nom", "date_activite", "categorie", "description", "heures_demandees",
              "date_reception", "date_decision", "date_depot", "_file", "_sheet", "_row"]
_LEDGER_COLS = ["heures_octroyees", "taux", "valeur", "heures_banque", "heures_fonds", "montant_fonds"]


def _rows(ctx: Context, mask: pd.Series) -> pd.DataFrame:
    forms, ledger = ctx.forms, ctx.ledger
    rows = forms.loc[mask, _FORM_COLS].join(ledger.loc[mask, _LEDGER_COLS])
    for col in ("heures_octroyees", "heures_banque", "heures_fonds", "montant_fonds"):
        rows[col] = rows[col].astype(float).fillna(0.0)
    rows["categorie"] = _canonical_categories(ctx, rows["categorie"])
    return rows


def granted_rows(ctx: Context, year: BankYear | None) -> pd.DataFrame:
    """The adopted rows of the bank year of ``ctx.as_of``, decided by that date."""
    forms, ledger = ctx.forms, ctx.ledger
    if year is None or forms.empty:
        return _rows(ctx, pd.Series(False, index=forms.index))
    decided = forms["date_decision"].isna() | (forms["date_decision"] <= _ts(ctx.as_of))
    mask = ledger["adoptee"].astype(bool) & decided & (ledger["annee_banque"] == _ts(year.start))
    return _rows(ctx, mask)


# --------------------------------------------------------------------------- shared sections


def _text(value: Any, default: str = "—") -> str:
    """A text cell for display: the default when it is empty (None, NaN or NA)."""
    return default if value is None or pd.isna(value) else str(value)


def plural(n: int, singular: str, plural_form: str) -> str:
    """``1 erreur``, ``2 erreurs``, ``1 234 formulaires`` (French: 0 and 1 are singular)."""
    return f"{fmt.number(n, 0)} {singular if n < 2 else plural_form}"


def _formatted(series: pd.Series, to_text) -> list[str]:
    """``to_text`` of every value of a column, computed once per distinct value
    (empty cells once too): dates and amounts repeat a lot over thousands of rows."""
    codes, uniq = pd.factorize(series, use_na_sentinel=True)
    texts = [to_text(v) for v in uniq] + [to_text(None)]
    return [texts[c] for c in codes]


def _sources(frame: pd.DataFrame) -> list[str]:
    return [_source(f, sh, int(r)) for f, sh, r in zip(frame["_file"], frame["_sheet"], frame["_row"])]


def _source(file: str, sheet: str | None, row: int | None, column: str | None = None) -> str:
    parts = [file]
    if sheet:
        parts.append(f"feuille « {sheet} »")
    if row:
        parts.append(f"ligne {row}")
    if column:
        parts.append(f"colonne « {column} »")
    return ", ".join(parts)


def _plan_rows_by_file(ctx: Context) -> dict[str, int]:
    """Rows of the action plan's grid read in each file (axis, goal, objective and action
    rows; a row counted once), since the form reader counts only its own sheets."""
    plan = ctx.data.plan
    seen: set[tuple[str, str, int]] = set()
    if plan is not None:
        for axis in plan.axes:
            seen.add((axis.cell.file, axis.cell.sheet, axis.cell.row))
            for goal in axis.goals:
                seen.add((goal.cell.file, goal.cell.sheet, goal.cell.row))
                for obj in goal.objectives:
                    seen.add((obj.cell.file, obj.cell.sheet, obj.cell.row))
                    for action in obj.actions:
                        seen.add((action.cell.file, action.cell.sheet, action.cell.row))
    counts: dict[str, int] = {}
    for file, _sheet, _row in seen:
        counts[file] = counts.get(file, 0) + 1
    return counts


def files_view(ctx: Context) -> list[dict[str, Any]]:
    """The files the report was built from, with what each held (rows of forms, register,
    bank and calendar sheets, plus the rows of the action plan's grid)."""
    out = []
    plan_rows = _plan_rows_by_file(ctx)
    for fr in sorted(ctx.data.files, key=lambda f: f.path):
        sheets = []
        for name, kind in fr.sheets.items():
            what = KINDS[kind][0] if kind in KINDS else ("plan d'action" if kind == PLAN else "non reconnue")
            sheets.append(f"{name} ({what})")
        out.append({
            "chemin": fr.path,
            "etat": "lu" if fr.readable else "illisible",
            "feuilles": ", ".join(sheets) if sheets else "—",
            "lignes": fmt.number(fr.rows + plan_rows.get(fr.path, 0), 0),
        })
    return out


def scope(ctx: Context, year: BankYear | None) -> str:
    """What the bank-year figures cover, said in words (every total of the reports cites it):
    « du 1er septembre 2026 au 23 novembre 2026 (année de banque en cours) »."""
    if year is None:
        return f"au {fmt.date(ctx.as_of)} (aucune année de banque ouverte)"
    if ctx.as_of >= year.end:
        return f"du {fmt.date(year.start)} au {fmt.date(year.end)} (année de banque terminée)"
    return f"du {fmt.date(year.start)} au {fmt.date(ctx.as_of)} (année de banque en cours)"


# What a missing register, bank or calendar makes untrustworthy, per report (the CS and AG
# reports never speak of rates). Shown as a banner when the run has the finding
# ``donnees-reference-absentes`` (rules/donnees_reference.py), one line per missing kind.
_BANNER = {
    MEMBERS: {"ce": "Registre des membres absent : les montants en dollars (taux horaires, valeur des "
                    "libérations, fonds syndicaux dépensés et restants) et les noms des membres ne sont pas fiables.",
              "": "Registre des membres absent : les fonds syndicaux dépensés et restants et les noms des "
                  "membres ne sont pas fiables."},
    BANK: {"": "Banque de libérations absente : le solde de la banque, les heures imputées aux fonds "
               "syndicaux et le budget ne sont pas établis ; les heures par membre, par catégorie et par "
               "mois ne peuvent pas être rattachées à une année de banque."},
    CALENDAR: {"ce": "Calendrier des instances absent : l'ordre du jour de la prochaine réunion du Conseil "
                     "exécutif (art. 5.2) et les adoptions depuis la réunion précédente ne sont pas établis.",
               "": "Calendrier des instances absent : les chiffres de ce rapport n'en dépendent pas, mais "
                   "l'ordre du jour du Conseil exécutif ne peut pas être établi."},
}


def banner_view(ctx: Context, findings: Iterable[Finding], report: str) -> list[str]:
    """One line per missing kind of reference data (register, bank, calendar), when the
    run found them missing; empty otherwise."""
    from ...rules.donnees_reference import ABSENTES, missing_reference

    if not any(f.rule == ABSENTES for f in findings):
        return []
    return [_BANNER[kind].get(report, _BANNER[kind][""]) for kind in missing_reference(ctx.data)]


def header_view(ctx: Context, title: str, articles: str, year: BankYear | None,
                findings: Iterable[Finding] = (), report: str = "", short: str = "") -> dict[str, Any]:
    """The report's head: title, date, period, files; ``alertes`` (the banner of missing
    reference data), ``portee`` (what the year's totals cover), ``pied`` (printed footer)."""
    if year is None:
        period = (f"aucune année de la feuille « Banque » ne contient le {fmt.date(ctx.as_of)} "
                  "(date de renouvellement absente ou trop ancienne)")
    else:
        period = f"du {fmt.date(year.start)} (dernier renouvellement de la banque) au {fmt.date(ctx.as_of)}"
    return {
        "titre": title,
        "articles": articles,
        "date": fmt.date(ctx.as_of),
        "date_iso": ctx.as_of.isoformat(),
        "periode": period,
        "annee_banque": year.label if year else None,
        "fichiers": files_view(ctx),
        "portee": scope(ctx, year),
        "alertes": banner_view(ctx, findings, report),
        "pied": f"{short or title} — {fmt.date(ctx.as_of)}",
    }


def summary_view(year: BankYear | None, rows: pd.DataFrame) -> dict[str, Any] | None:
    """The bank's balance in hours, union funds spent and left in dollars (totals only)."""
    if year is None:
        return None
    used = float(rows["heures_banque"].sum())
    in_funds = float(rows["heures_fonds"].sum())
    spent = float(rows["montant_fonds"].sum())
    granted = float(rows["heures_octroyees"].sum())
    balance = year.hours - used
    left = year.budget - spent
    return {
        "annee": year.label,
        "heures_allouees": fmt.hours(year.hours),
        "heures_banque": fmt.hours(used),
        "solde_heures": fmt.hours(balance),
        "solde_heures_valeur": balance,
        "part_utilisee": fmt.percent(used / year.hours) if year.hours > 0 else "—",
        "heures_octroyees": fmt.hours(granted),
        "heures_octroyees_valeur": granted,
        "heures_fonds": fmt.hours(in_funds),
        "heures_fonds_valeur": in_funds,
        "budget": fmt.money(year.budget),
        "fonds_depenses": fmt.money(spent),
        "fonds_depenses_valeur": spent,
        "fonds_restants": fmt.money(left),
        "fonds_restants_valeur": left,
        "budget_depasse": bool(left < 0),
        "lignes": len(rows),
    }


def members_view(rows: pd.DataFrame, names: dict[str, str], with_money: bool) -> dict[str, Any]:
    """Hours granted to each member (and, for the CE only, what they are worth)."""
    keys = rows["matricule"].fillna("—")
    g = rows.assign(_m=keys).groupby("_m", sort=False).agg(
        heures=("heures_octroyees", "sum"), lignes=("heures_octroyees", "size"), valeur=("valeur", "sum"))
    items = []
    for matricule, r in g.iterrows():
        item = {
            "matricule": matricule,
            "nom": names.get(matricule, "—"),
            "heures": fmt.hours(r["heures"]),
            "heures_valeur": float(r["heures"]),
            "lignes": int(r["lignes"]),
        }
        if with_money:
            item["montant"] = fmt.money(r["valeur"])
            item["montant_valeur"] = float(r["valeur"])
        items.append(item)
    items.sort(key=lambda i: (fold(i["nom"]), i["matricule"]))
    total = {"heures": fmt.hours(rows["heures_octroyees"].sum()),
             "heures_valeur": float(rows["heures_octroyees"].sum()), "lignes": len(rows)}
    if with_money:
        total["montant"] = fmt.money(rows["valeur"].sum())
        total["montant_valeur"] = float(rows["valeur"].sum())
    return {"lignes": items, "total": total}


def hours_total(rows: pd.DataFrame) -> dict[str, Any]:
    """The total line of an hours table: every row granted, its hours."""
    total = float(rows["heures_octroyees"].sum())
    return {"heures": fmt.hours(total), "heures_valeur": total, "lignes": len(rows)}


def categories_view(rows: pd.DataFrame, chart_id: str) -> dict[str, Any]:
    g = rows.groupby("categorie", sort=False).agg(heures=("heures_octroyees", "sum"),
                                                  lignes=("heures_octroyees", "size"))
    g = g.sort_values("heures", ascending=False, kind="stable")
    items = [{"categorie": c, "heures": fmt.hours(r["heures"]), "heures_valeur": float(r["heures"]),
              "lignes": int(r["lignes"])} for c, r in g.iterrows()]
    chart = bar_chart(chart_id, "Heures accordées par catégorie d'activité",
                      "Barres horizontales, une par catégorie, de la plus grande à la plus petite. "
                      "Le tableau qui suit donne les mêmes chiffres.",
                      [Bar(i["categorie"], i["heures_valeur"], i["heures"]) for i in items])
    return {"lignes": items, "graphique": chart, "total": hours_total(rows)}


def _months(start: dt.date, end: dt.date) -> list[pd.Period]:
    if end < start:
        end = start
    return list(pd.period_range(pd.Period(start, "M"), pd.Period(end, "M"), freq="M"))


def months_view(rows: pd.DataFrame, year: BankYear | None, as_of: dt.date, chart_id: str) -> dict[str, Any]:
    """Hours granted by month of activity, every month of the period (zero included)."""
    if year is None:
        return {"lignes": [], "graphique": None, "total": None}
    last = as_of
    if rows["date_activite"].notna().any():
        last = max(last, _as_date(rows["date_activite"].max()))
    months = _months(year.start, min(last, year.end))
    per = rows.groupby(rows["date_activite"].dt.to_period("M"))["heures_octroyees"].agg(["sum", "size"])
    items = []
    for m in months:
        h = float(per["sum"].get(m, 0.0))
        items.append({"mois": fmt.month(m.to_timestamp()), "heures": fmt.hours(h), "heures_valeur": h,
                      "lignes": int(per["size"].get(m, 0))})
    chart = None
    if rows["heures_octroyees"].sum() > 0:
        chart = bar_chart(chart_id, "Heures accordées par mois d'activité",
                          "Barres horizontales, une par mois de la période, dans l'ordre du calendrier. "
                          "Le tableau qui suit donne les mêmes chiffres.",
                          [Bar(i["mois"], i["heures_valeur"], i["heures"]) for i in items])
    return {"lignes": items, "graphique": chart, "total": hours_total(rows)}


def bank_use_view(rows: pd.DataFrame, year: BankYear | None, as_of: dt.date, chart_id: str) -> dict[str, Any]:
    """The bank and union funds month by month (by decision date, the order the ledger
    charges them; the activity date when a row has no decision date), with cumulative totals."""
    if year is None:
        return {"lignes": [], "graphique": None, "total": None}
    when = rows["date_decision"].fillna(rows["date_activite"])
    first, last = year.start, min(as_of, year.end)
    if when.notna().any():  # a row decided before the renewal or after the year's end keeps its month
        first, last = min(first, _as_date(when.min())), max(last, _as_date(when.max()))
    months = _months(first, last)
    per = rows.groupby(when.dt.to_period("M"))[["heures_octroyees", "heures_banque", "montant_fonds"]].sum()
    items, cum_h, cum_bank, cum_funds = [], 0.0, 0.0, 0.0
    for m in months:
        h = float(per["heures_octroyees"].get(m, 0.0))
        cum_h += h
        cum_bank += float(per["heures_banque"].get(m, 0.0))
        cum_funds += float(per["montant_fonds"].get(m, 0.0))
        items.append({
            "mois": fmt.month(m.to_timestamp()),
            "heures": fmt.hours(h), "heures_valeur": h,
            "cumul": fmt.hours(cum_h), "cumul_valeur": cum_h,
            "solde": fmt.hours(year.hours - cum_bank), "solde_valeur": year.hours - cum_bank,
            "fonds_depenses": fmt.money(cum_funds), "fonds_depenses_valeur": cum_funds,
        })
    chart = line_chart(
        chart_id, "Utilisation de la banque au fil de l'année",
        f"Courbe du cumul des heures accordées à la fin de chaque mois, de {items[0]['mois']} "
        f"à {items[-1]['mois']}, comparée à la taille de la banque ({fmt.hours(year.hours)}, ligne "
        "pointillée). Au-delà de cette ligne, les heures sont payées par les fonds syndicaux. "
        "Le tableau qui suit donne les mêmes chiffres.",
        [i["mois"] for i in items], [i["cumul_valeur"] for i in items],
        year.hours if year.hours == year.hours else None, f"Banque : {fmt.hours(year.hours)}",
        fmt.hours, "Cumul des heures accordées",
    )
    total = float(rows["heures_octroyees"].sum())
    return {"lignes": items, "graphique": chart,
            "total": {"heures": fmt.hours(total), "heures_valeur": total,
                      "solde": items[-1]["solde"] if items else fmt.hours(year.hours),
                      "fonds_depenses": items[-1]["fonds_depenses"] if items else fmt.money(0)}}


def _finding_view(f: Finding) -> dict[str, Any]:
    return {
        "severite": f.severity,
        "libelle": SEVERITY_LABELS[f.severity],
        "article": f"art. {f.article}" if f.article else "",
        "regle": f.rule,
        "message": f.message,
        "source": _source(f.file, f.sheet, f.row, f.column),
    }


def severity_counts(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    counts = count_by_severity(list(findings))
    return [{"severite": s, "libelle": SEVERITY_PLURALS[s], "nombre": n, "nombre_texte": fmt.number(n, 0)}
            for s, n in counts.items()]
