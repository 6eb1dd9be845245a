"""The HTML reports: ``ce.html`` (art. 6.1 and 5.2), ``cs.html`` (6.2), ``ag.html`` (6.3).

Each report has a ``build_*_view(ctx, findings)`` that computes everything and
returns plain dicts and lists of already-formatted French strings (plus the raw
figures under ``*_valeur`` keys, for the tests); the Jinja2 templates of
``templates/rapports/`` only lay them out. ``write_reports`` renders the three
files, each self-contained (inline CSS and SVG, no script, a Content-Security-Policy).

Figures count adopted rows only, as the ledger charges them (``ctx.ledger``),
in the bank year that contains ``ctx.as_of`` ("since the last renewal"), decided
on or before ``ctx.as_of`` (or with no decision date). The CS and AG views never
carry a member's rate or the amount paid to one member.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .. import formatting as fmt
from ..account.ledger import bank_years
from ..account.reference import ADOPTEE, EN_DEPOT, INCONNUE, NON_DECIDEE, REFUSEE
from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, INFO, Finding, count_by_severity, sort_findings
from ..read.fields import KINDS, PLAN
from ..resources import templates_dir
from ..text import fold
from .atomic import write_text_atomic
from .charts import Bar, bar_chart, line_chart

REPORT_NAMES = ("ce", "cs", "ag")
CSS_FILE = "rapport.css"
# Articles whose avertissement asks the CE for a decision (4.2 exception, 4.4 top-up, 4.5 overtime).
DECISION_ARTICLES = ("4.2", "4.4", "4.5")
# The CE report lists at most this many errors per article; constats.json has them all.
MAX_ERREURS_PAR_ARTICLE = 300

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


def files_view(ctx: Context) -> list[dict[str, Any]]:
    """The files the report was built from, with what each held."""
    out = []
    for fr in sorted(ctx.data.files, key=lambda f: f.path):
        sheets = []
        for name, kind in fr.sheets.items():
            what = KINDS[kind][0] if kind in KINDS else ("plan d'action" if kind == PLAN else "non reconnue")
            sheets.append(f"{name} ({what})")
        out.append({
            "chemin": fr.path,
            "etat": "lu" if fr.readable else "illisible",
            "feuilles": ", ".join(sheets) if sheets else "—",
            "lignes": fmt.number(fr.rows, 0),
        })
    return out


def header_view(ctx: Context, title: str, articles: str, year: BankYear | None) -> dict[str, Any]:
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


def categories_view(rows: pd.DataFrame, chart_id: str) -> dict[str, Any]:
    g = rows.groupby("categorie", sort=False).agg(heures=("heures_octroyees", "sum"),
                                                  lignes=("heures_octroyees", "size"))
    g = g.sort_values("heures", ascending=False, kind="stable")
    items = [{"categorie": c, "heures": fmt.hours(r["heures"]), "heures_valeur": float(r["heures"]),
              "lignes": int(r["lignes"])} for c, r in g.iterrows()]
    chart = bar_chart(chart_id, "Heures octroyées par catégorie d'activité",
                      "Barres horizontales, une par catégorie, de la plus grande à la plus petite. "
                      "Le tableau qui suit donne les mêmes chiffres.",
                      [Bar(i["categorie"], i["heures_valeur"], i["heures"]) for i in items])
    return {"lignes": items, "graphique": chart}


def _months(start: dt.date, end: dt.date) -> list[pd.Period]:
    if end < start:
        end = start
    return list(pd.period_range(pd.Period(start, "M"), pd.Period(end, "M"), freq="M"))


def months_view(rows: pd.DataFrame, year: BankYear | None, as_of: dt.date, chart_id: str) -> dict[str, Any]:
    """Hours granted by month of activity, every month of the period (zero included)."""
    if year is None:
        return {"lignes": [], "graphique": None}
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
        chart = bar_chart(chart_id, "Heures octroyées par mois d'activité",
                          "Barres horizontales, une par mois de la période, dans l'ordre du calendrier. "
                          "Le tableau qui suit donne les mêmes chiffres.",
                          [Bar(i["mois"], i["heures_valeur"], i["heures"]) for i in items])
    return {"lignes": items, "graphique": chart}


def bank_use_view(rows: pd.DataFrame, year: BankYear | None, as_of: dt.date, chart_id: str) -> dict[str, Any]:
    """The bank and union funds month by month (by decision date, the order the ledger
    charges them; the activity date when a row has no decision date), with cumulative totals."""
    if year is None:
        return {"lignes": [], "graphique": None}
    when = rows["date_decision"].fillna(rows["date_activite"])
    last = as_of
    if when.notna().any():
        last = max(last, _as_date(when.max()))
    months = _months(year.start, min(last, year.end))
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
        f"Courbe du cumul des heures octroyées à la fin de chaque mois, de {items[0]['mois']} "
        f"à {items[-1]['mois']}, comparée à la taille de la banque ({fmt.hours(year.hours)}, ligne "
        "pointillée). Au-delà de cette ligne, les heures sont payées par les fonds syndicaux. "
        "Le tableau qui suit donne les mêmes chiffres.",
        [i["mois"] for i in items], [i["cumul_valeur"] for i in items],
        year.hours if year.hours == year.hours else None, f"Banque : {fmt.hours(year.hours)}",
        fmt.hours, "Cumul des heures octroyées",
    )
    return {"lignes": items, "graphique": chart}


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


# --------------------------------------------------------------------------- CE sections


_STATE_LABELS = {NON_DECIDEE: "Non décidé", EN_DEPOT: "En dépôt", ADOPTEE: "Adoptée",
                 REFUSEE: "Refusée", INCONNUE: "Décision illisible"}


def _form_items(ctx: Context, ids: list[int], names: dict[str, str], state: pd.Series,
                findings_by_form: dict[int, list[Finding]]) -> list[dict[str, Any]]:
    """One dict per form row: what it asks, where it is, what the checks found (CE only: value)."""
    if not ids:
        return []
    forms = ctx.forms.loc[ids]
    asked = forms["heures_demandees"].astype(float)
    cols = {
        "id": [int(i) for i in ids],
        "source": _sources(forms),
        "matricule": _formatted(forms["matricule"], _text),
        "nom": [names.get(m, _text(n)) for m, n in zip(forms["matricule"], forms["nom"])],
        "date_activite": _formatted(forms["date_activite"], fmt.date),
        "categorie": _formatted(forms["categorie"], lambda v: _text(v, SANS_CATEGORIE)),
        "description": _formatted(forms["description"], lambda v: _text(v, "")),
        "heures_demandees": _formatted(asked, fmt.hours),
        "heures_demandees_valeur": asked.tolist(),
        "valeur_demandee": _formatted(asked * ctx.ledger.loc[ids, "taux"], fmt.money),
        "date_reception": _formatted(forms["date_reception"], fmt.date),
        "etat": state.loc[ids].map(_STATE_LABELS).tolist(),
    }
    items = [dict(zip(cols, values)) for values in zip(*cols.values())]
    for item in items:
        item["constats"] = [_finding_view(f) for f in sort_findings(findings_by_form.get(item["id"], []))]
    return items


def _order(ctx: Context, mask: pd.Series) -> list[int]:
    sub = ctx.forms.loc[mask, ["date_reception", "_file", "_row"]]
    return [int(i) for i in sub.sort_values(["date_reception", "_file", "_row"], kind="stable").index]


def agenda_view(ctx: Context, next_ce: dt.date | None, names: dict[str, str], state: pd.Series,
                findings_by_form: dict[int, list[Finding]]) -> dict[str, Any]:
    """Art. 5.2: forms not yet decided (or put *en dépôt*) received before the next CE meeting.
    A form whose reception date cannot be read is listed too: the CE has to see it."""
    forms = ctx.forms
    pending = state.isin([NON_DECIDEE, EN_DEPOT])
    if next_ce is None:
        ids = _order(ctx, pending)
        note = ("Le calendrier ne contient aucune réunion du Conseil exécutif à partir du "
                f"{fmt.date(ctx.as_of)}. Voici tous les formulaires en attente d'une décision.")
    else:
        received = forms["date_reception"].isna() | (forms["date_reception"] < _ts(next_ce))
        ids = _order(ctx, pending & received)
        note = None
    items = _form_items(ctx, ids, names, state, findings_by_form)
    total = float(sum(i["heures_demandees_valeur"] for i in items if i["heures_demandees_valeur"] == i["heures_demandees_valeur"]))
    return {
        "reunion": fmt.date(next_ce) if next_ce else None,
        "reunion_iso": next_ce.isoformat() if next_ce else None,
        "note": note,
        "formulaires": items,
        "nombre_texte": plural(len(items), "formulaire", "formulaires"),
        "heures_demandees": fmt.hours(total),
    }


def decisions_view(ctx: Context, findings: list[Finding], names: dict[str, str], state: pd.Series,
                   findings_by_form: dict[int, list[Finding]]) -> list[dict[str, Any]]:
    """Undecided (or *en dépôt*) forms with an avertissement of art. 4.2, 4.4 or 4.5."""
    pending = set(state.index[state.isin([NON_DECIDEE, EN_DEPOT]).to_numpy()])
    reasons: dict[int, list[Finding]] = {}
    for f in findings:
        if (f.severity == AVERTISSEMENT and f.article in DECISION_ARTICLES
                and f.form_id is not None and f.form_id in pending):
            reasons.setdefault(f.form_id, []).append(f)
    ids = [i for i in _order(ctx, ctx.forms.index.isin(list(reasons))) if i in reasons]
    items = _form_items(ctx, ids, names, state, findings_by_form)
    for item in items:
        item["motifs"] = [_finding_view(f) for f in sort_findings(reasons[item["id"]])]
    return items


def _article_key(article: str | None) -> tuple:
    if article is None:
        return (1, ())
    return (0, tuple(int(p) if p.isdigit() else 0 for p in article.replace("–", ".").split(".")))


def errors_view(findings: list[Finding]) -> list[dict[str, Any]]:
    """The erreurs grouped by article (the checks without an article last), each pointing to its cell."""
    groups: dict[str | None, list[Finding]] = {}
    for f in findings:
        if f.severity == ERREUR:
            groups.setdefault(f.article, []).append(f)
    out = []
    for article in sorted(groups, key=_article_key):
        items = sort_findings(groups[article])
        shown = items[:MAX_ERREURS_PAR_ARTICLE]
        out.append({
            "article": article,
            "titre": f"Article {article}" if article else "Contrôles des données (sans article)",
            "nombre": len(items),
            "nombre_texte": plural(len(items), "erreur", "erreurs"),
            "constats": [_finding_view(f) for f in shown],
            "autres": len(items) - len(shown),
            "autres_texte": plural(len(items) - len(shown), "autre erreur", "autres erreurs"),
        })
    return out


def _charged_to(bank_hours: float, funds_hours: float) -> str:
    """Where a release's hours were charged (art. 3): the bank, the union funds, or both."""
    if funds_hours <= 0:
        return "banque"
    if bank_hours <= 0:
        return "fonds syndicaux"
    return f"banque {fmt.hours(bank_hours)}, fonds syndicaux {fmt.hours(funds_hours)}"


def adopted_since_view(ctx: Context, prev_ce: dt.date | None, year: BankYear | None,
                       names: dict[str, str]) -> dict[str, Any]:
    """Releases adopted since the previous CE meeting (decision dated on or after it,
    up to the report's date), with their rate and amount."""
    since = prev_ce or (year.start if year else None)
    forms, ledger = ctx.forms, ctx.ledger
    if since is None:
        note = ("Le calendrier ne contient aucune réunion du Conseil exécutif avant le "
                f"{fmt.date(ctx.as_of)} et aucune année de banque n'est ouverte : aucune adoption à présenter.")
        rows = _rows(ctx, pd.Series(False, index=forms.index))
    else:
        note = None if prev_ce else (
            f"Le calendrier ne contient aucune réunion du Conseil exécutif avant le {fmt.date(ctx.as_of)} : "
            f"voici les libérations adoptées depuis le renouvellement de la banque ({fmt.date(since)}).")
        dd = forms["date_decision"]
        mask = ledger["adoptee"].astype(bool) & (dd >= _ts(since)) & (dd <= _ts(ctx.as_of))
        rows = _rows(ctx, mask).sort_values(["date_decision", "date_activite", "_file", "_row"], kind="stable")
    cols = {
        "source": _sources(rows),
        "matricule": _formatted(rows["matricule"], _text),
        "nom": [names.get(m, _text(n)) for m, n in zip(rows["matricule"], rows["nom"])],
        "date_activite": _formatted(rows["date_activite"], fmt.date),
        "categorie": rows["categorie"].tolist(),
        "heures": _formatted(rows["heures_octroyees"], fmt.hours),
        "taux": _formatted(rows["taux"], fmt.money),
        "montant": _formatted(rows["valeur"], fmt.money),
        "montant_valeur": rows["valeur"].astype(float).tolist(),
        "imputation": [_charged_to(b, f) for b, f in zip(rows["heures_banque"], rows["heures_fonds"])],
        "date_decision": _formatted(rows["date_decision"], fmt.date),
        "date_depot": _formatted(rows["date_depot"], lambda v: "non déposée" if pd.isna(v) else fmt.date(v)),
    }
    items = [dict(zip(cols, values)) for values in zip(*cols.values())]
    return {
        "depuis": fmt.date(since) if since else None,
        "reunion_precedente": fmt.date(prev_ce) if prev_ce else None,
        "note": note,
        "lignes": items,
        "total_heures": fmt.hours(rows["heures_octroyees"].sum()),
        "total_heures_valeur": float(rows["heures_octroyees"].sum()),
        "total_montant": fmt.money(rows["valeur"].sum()),
        "total_montant_valeur": float(rows["valeur"].sum()),
    }


# --------------------------------------------------------------------------- the three views


def build_ce_view(ctx: Context, findings: list[Finding]) -> dict[str, Any]:
    """Art. 6.1 and 5.2: balance, funds, hours per member (with amounts), agenda of the
    next CE, forms needing a CE decision, erreurs by article, adoptions since the previous CE."""
    year = bank_year(ctx)
    rows = granted_rows(ctx, year)
    names = ctx.names
    state = ctx.decisions
    by_form: dict[int, list[Finding]] = {}
    for f in findings:
        if f.form_id is not None:
            by_form.setdefault(f.form_id, []).append(f)
    next_ce, prev_ce = next_and_previous_ce(ctx)
    return {
        "rapport": header_view(ctx, "Rapport de la trésorerie au Conseil exécutif",
                               "Articles 6.1 et 5.2 du Règlement sur les libérations syndicales", year),
        "sommaire": summary_view(year, rows),
        "constats": severity_counts(findings),
        "membres": members_view(rows, names, with_money=True),
        "ordre_du_jour": agenda_view(ctx, next_ce, names, state, by_form),
        "decisions": decisions_view(ctx, findings, names, state, by_form),
        "decisions_intro": (
            "Avertissements des articles 4.2 (octroi exceptionnel), 4.4 (complément d'un autre "
            f"organisme payeur) et 4.5 (plus de {fmt.hours(ctx.params.max_heures_par_jour)} dans une "
            "journée) sur des formulaires non décidés ou en dépôt."),
        "erreurs": errors_view(findings),
        "max_erreurs": MAX_ERREURS_PAR_ARTICLE,
        "adoptions": adopted_since_view(ctx, prev_ce, year, names),
    }


def build_cs_view(ctx: Context, findings: list[Finding]) -> dict[str, Any]:
    """Art. 6.2: balance, hours per member, by category and by month. Hours and totals only."""
    year = bank_year(ctx)
    rows = granted_rows(ctx, year)
    return {
        "rapport": header_view(ctx, "Rapport de la trésorerie au Conseil syndical",
                               "Article 6.2 du Règlement sur les libérations syndicales", year),
        "sommaire": summary_view(year, rows),
        "membres": members_view(rows, ctx.names, with_money=False),
        "categories": categories_view(rows, "cs-categories"),
        "mois": months_view(rows, year, ctx.as_of, "cs-mois"),
    }


def plan_view(ctx: Context) -> dict[str, Any] | None:
    """The action plan's section (``plan.progress.plan_section``), or None."""
    try:
        from ..plan.progress import plan_section
    except ModuleNotFoundError as exc:  # the plan's progress module is not written yet
        if exc.name != "syndic_batch.plan.progress":
            raise
        return None
    return plan_section(ctx)


def build_ag_view(ctx: Context, findings: list[Finding]) -> dict[str, Any]:
    """Art. 6.3: the bank year's figures (to date during the year), hours per member, by
    category and by month, the use of the bank and union funds, the action plan."""
    year = bank_year(ctx)
    rows = granted_rows(ctx, year)
    closed = year is not None and ctx.as_of >= year.end
    return {
        "rapport": header_view(ctx, "Rapport annuel de la trésorerie à l'Assemblée générale",
                               "Article 6.3 du Règlement sur les libérations syndicales", year),
        "annee_terminee": closed,
        "sommaire": summary_view(year, rows),
        "membres": members_view(rows, ctx.names, with_money=False),
        "categories": categories_view(rows, "ag-categories"),
        "mois": months_view(rows, year, ctx.as_of, "ag-mois"),
        "banque": bank_use_view(rows, year, ctx.as_of, "ag-banque"),
        "plan": plan_view(ctx),
    }


BUILDERS = {"ce": build_ce_view, "cs": build_cs_view, "ag": build_ag_view}


# --------------------------------------------------------------------------- rendering


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates_dir() / "rapports")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def content_security_policy(css: str) -> str:
    """Nothing may load; only the report's own inline style block (by its hash) applies."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; "
            "base-uri 'none'; form-action 'none'")


def render_report(name: str, view: dict[str, Any], env: Environment | None = None) -> str:
    env = env or environment()
    css = (templates_dir() / "rapports" / CSS_FILE).read_text(encoding="utf-8")
    return env.get_template(f"{name}.html").render(
        **view, css=Markup(css), csp=content_security_policy(css))


def write_reports(ctx: Context, findings: list[Finding], out_dir: Path) -> list[Path]:
    """Write ``out_dir/ce.html``, ``cs.html`` and ``ag.html``; return their paths."""
    out_dir = Path(out_dir)
    env = environment()
    paths = []
    for name in REPORT_NAMES:
        html = render_report(name, BUILDERS[name](ctx, findings), env)
        path = out_dir / f"{name}.html"
        write_text_atomic(path, html)
        paths.append(path)
    return paths
