"""The CE's report (art. 6.1, with the agenda of art. 5.2): ``rapports/ce.html``.

Balance, funds, hours per member with amounts, the agenda of the next CE meeting,
the forms that need a CE decision, the erreurs by article, and the releases
adopted since the previous meeting. Only this report shows rates and amounts.
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import numpy as np
import pandas as pd
from babel.dates import format_date

from ... import formatting as fmt
from ...account.reference import ADOPTEE, EN_DEPOT, INCONNUE, NON_DECIDEE, REFUSEE
from ...context import Context
from ...model import AVERTISSEMENT, ERREUR, INFO, SEVERITY_RANK, Finding, sort_findings
from .rapprochement import reconciliation_view
from .changements import MAX_LIGNES as MAX_CHANGEMENTS
from .changements import changes_view
from .shared import (SANS_CATEGORIE, SEVERITY_LABELS, BankYear, Rows, Shared, _finding_view, _formatted, _sources, _sum, _text,
                     row_names, next_and_previous_ce, plural, severity_counts, sorted_rows)

# Articles whose avertissement asks the CE for a decision (4.2 exception, 4.4 top-up, 4.5 overtime).
DECISION_ARTICLES = ("4.2", "4.4", "4.5")
# The CE report lists at most this many errors per article; constats.json has them all.
MAX_ERREURS_PAR_ARTICLE = 300

_STATE_LABELS = {NON_DECIDEE: "Non décidé", EN_DEPOT: "En dépôt", ADOPTEE: "Adoptée",
                 REFUSEE: "Refusée", INCONNUE: "Décision illisible"}
_NAN = float("nan")   # Series.map of a state without a label


def _form_items(ctx: Context, ids: list[int], names: dict[str, str], state: pd.Series,
                findings_by_form: dict[int, list[Finding]]) -> list[dict[str, Any]]:
    """One dict per form row: what it asks, where it is, what the checks found (CE only: value)."""
    if not ids:
        return []
    forms = Rows(ctx, ctx.forms.index.get_indexer(ids))
    asked = forms["heures_demandees"].astype(float)
    labels = state.to_numpy()[forms.positions] if state.index.equals(ctx.forms.index) else state.loc[ids].to_numpy()
    cols = {
        "id": [int(i) for i in ids],
        "source": _sources(forms),
        "matricule": _formatted(forms["matricule"], _text),
        "nom": row_names(names, forms["matricule"].tolist(), forms["nom"].tolist()),
        "date_activite": _formatted(forms["date_activite"], fmt.date),
        "date_courte": _formatted(forms["date_activite"], short_date),
        "categorie": _formatted(forms["categorie_saisie"], lambda v: _text(v, SANS_CATEGORIE)),
        "description": _formatted(forms["description"], lambda v: _text(v, "")),
        "heures_demandees": _formatted(asked, fmt.hours),
        "heures_demandees_valeur": asked.tolist(),
        "valeur_demandee": _formatted(asked * forms["taux"], fmt.money),
        "date_reception": _formatted(forms["date_reception"], fmt.date),
        "etat": [_STATE_LABELS.get(s, _NAN) for s in labels.tolist()],
    }
    items = [dict(zip(cols, values)) for values in zip(*cols.values())]
    for item in items:
        found = findings_by_form.get(item["id"])
        if not found:
            item["constats"], item["mots"] = [], []
            continue
        if len(found) > 1:
            found = sort_findings(found)
        item["constats"] = [_finding_view(f) for f in found]
        item["mots"] = findings_in_a_word(found)
    return items


_SEVERITY_LETTER = {ERREUR: "E", AVERTISSEMENT: "A", INFO: "I"}


def findings_in_a_word(found: list[Finding]) -> list[dict[str, str]]:
    """The findings of one form for the decision sheet, one word each: the article
    (« 4.5 ») or, for a check without one, the rule (« doublon »); once per word, with
    the most severe severity, erreurs first. The letter (E, A, I) survives black-and-white printing."""
    if len(found) == 1:
        f = found[0]
        sev = f.severity
        return [{"mot": f.article or f.rule, "severite": sev, "lettre": _SEVERITY_LETTER[sev],
                 "libelle": SEVERITY_LABELS[sev]}]
    best: dict[str, str] = {}
    for f in found:
        word = f.article or f.rule
        if word not in best or SEVERITY_RANK[f.severity] < SEVERITY_RANK[best[word]]:
            best[word] = f.severity
    ordered = sorted(best.items(), key=lambda kv: (SEVERITY_RANK[kv[1]], _article_key(kv[0]) if kv[0][0].isdigit()
                                                   else (2, ()), kv[0]))
    return [{"mot": w, "severite": sev, "lettre": _SEVERITY_LETTER[sev], "libelle": SEVERITY_LABELS[sev]}
            for w, sev in ordered]


def short_date(value: Any) -> str:
    """``14 sept. 2026`` (the decision sheet's narrow date column), ``1er juin 2026``."""
    if value is None or pd.isna(value):
        return "—"
    return _short_date_text(pd.Timestamp(value).date())


@functools.lru_cache(maxsize=8192)
def _short_date_text(d: dt.date) -> str:
    """Babel's ``format_date`` costs ~100 µs: each distinct day is formatted once."""
    text = format_date(d, format="d MMM y", locale=fmt.LOCALE)
    return "1er" + text[1:] if d.day == 1 else text


def _order(ctx: Context, mask: Any) -> list[int]:
    """The form ids of ``mask``, by reception date (empty last), file, row."""
    rows = sorted_rows(Rows.where(ctx, mask), ["date_reception", "_file", "_row"])
    return [int(i) for i in rows.index]


def agenda_view(ctx: Context, next_ce: dt.date | None, names: dict[str, str], state: pd.Series,
                findings_by_form: dict[int, list[Finding]]) -> dict[str, Any]:
    """Art. 5.2: forms not yet decided (or put *en dépôt*) received before the next CE meeting.
    A form whose reception date cannot be read is listed too: the CE has to see it."""
    forms = ctx.forms
    pending = state.isin([NON_DECIDEE, EN_DEPOT]).to_numpy()
    if next_ce is None:
        ids = _order(ctx, pending)
        note = ("Le calendrier ne contient aucune réunion du Conseil exécutif à partir du "
                f"{fmt.date(ctx.as_of)}. Voici tous les formulaires en attente d'une décision.")
    else:
        reception = forms["date_reception"].to_numpy(dtype="datetime64[ns]")
        received = np.isnat(reception) | (reception < np.datetime64(next_ce, "ns"))
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


@functools.lru_cache(maxsize=1024)
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
        rows = Rows.where(ctx, np.zeros(len(forms), dtype=bool))
    else:
        note = None if prev_ce else (
            f"Le calendrier ne contient aucune réunion du Conseil exécutif avant le {fmt.date(ctx.as_of)} : "
            f"voici les libérations adoptées depuis le renouvellement de la banque ({fmt.date(since)}).")
        dd = forms["date_decision"].to_numpy(dtype="datetime64[ns]")
        mask = (ledger["adoptee"].to_numpy(dtype=bool) & (dd >= np.datetime64(since, "ns"))
                & (dd <= np.datetime64(ctx.as_of, "ns")))
        rows = sorted_rows(Rows.where(ctx, mask), ["date_decision", "date_activite", "_file", "_row"])
    cols = {
        "source": _sources(rows),
        "matricule": _formatted(rows["matricule"], _text),
        "nom": row_names(names, rows["matricule"].tolist(), rows["nom"].tolist()),
        "date_activite": _formatted(rows["date_activite"], short_date),
        "categorie": rows["categorie"].tolist(),
        "heures": _formatted(rows["heures_octroyees"], fmt.hours),
        "taux": _formatted(rows["taux"], fmt.money),
        "montant": _formatted(rows["valeur"], fmt.money),
        "montant_valeur": rows["valeur"].astype(float).tolist(),
        "imputation": [_charged_to(b, f) for b, f in zip(rows["heures_banque"].tolist(), rows["heures_fonds"].tolist())],
        "date_decision": _formatted(rows["date_decision"], short_date),
        "date_depot": _formatted(rows["date_depot"], lambda v: "non déposée" if v is None or pd.isna(v) else short_date(v)),
    }
    items = [dict(zip(cols, values)) for values in zip(*cols.values())]
    return {
        "depuis": fmt.date(since) if since else None,
        "reunion_precedente": fmt.date(prev_ce) if prev_ce else None,
        "note": note,
        "lignes": items,
        "total_heures": fmt.hours(_sum(rows["heures_octroyees"])),
        "total_heures_valeur": _sum(rows["heures_octroyees"]),
        "total_montant": fmt.money(_sum(rows["valeur"])),
        "total_montant_valeur": _sum(rows["valeur"]),
    }


def build_ce_view(ctx: Context, findings: list[Finding], shared: Shared | None = None) -> dict[str, Any]:
    """Art. 6.1 and 5.2: balance, funds, hours per member (with amounts), agenda of the
    next CE, forms needing a CE decision, erreurs by article, adoptions since the previous CE.
    ``shared``: what the three reports compute alike (``write_reports`` passes one for all three)."""
    base = shared or Shared(ctx, findings)
    year = base.year
    names = ctx.names
    state = ctx.decisions
    by_form: dict[int, list[Finding]] = {}
    for f in findings:
        if f.form_id is not None:
            by_form.setdefault(f.form_id, []).append(f)
    next_ce, prev_ce = next_and_previous_ce(ctx)
    return {
        "rapport": base.header("Rapport de la trésorerie au Conseil exécutif",
                               "Articles 6.1 et 5.2 du Règlement sur les libérations syndicales", "ce",
                               "Rapport au Conseil exécutif"),
        "sommaire": base.summary,
        "constats": severity_counts(findings),
        "membres": base.members(with_money=True),
        "ordre_du_jour": agenda_view(ctx, next_ce, names, state, by_form),
        "decisions": decisions_view(ctx, findings, names, state, by_form),
        "decisions_intro": (
            "Avertissements des articles 4.2 (octroi exceptionnel), 4.4 (complément d'un autre "
            f"organisme payeur) et 4.5 (plus de {fmt.hours(ctx.params.max_heures_par_jour)} dans une "
            "journée) sur des formulaires non décidés ou en dépôt."),
        "erreurs": errors_view(findings),
        "max_erreurs": MAX_ERREURS_PAR_ARTICLE,
        "adoptions": adopted_since_view(ctx, prev_ce, year, names),
        "rapprochement": reconciliation_view(ctx),
        "changements": changes_view(ctx, findings, names),
        "max_changements": MAX_CHANGEMENTS,
    }
