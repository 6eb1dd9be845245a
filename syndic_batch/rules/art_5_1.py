"""Art. 5.1 — the form must be duly filled in.

A required field is empty, a date or a number cannot be read, or the hours
asked are not in (0, 24]. A required column missing from a whole sheet is
reported once by the reader (``colonne-absente``), not on every row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import Context
from ..formatting import hours, number
from ..model import ERREUR, FORMULE_SANS_VALEUR, VALEUR_ERREUR, Finding
from ..read.fields import DATE, FORM_FIELDS, FORMS, NUMBER
from ..text import EXCEL_ERROR, CellIssue, unreadable
from .base import folded, form_findings

ARTICLE = "5.1"


def regle_5_1_champs_obligatoires(ctx: Context) -> list[Finding]:
    """A required field left empty (where the sheet has the column)."""
    out = []
    for f in FORM_FIELDS:
        if not f.required:
            continue
        mask = ctx.blank(f.key) & ctx.with_column(f.key)
        out += form_findings(ctx, mask, f.key, ARTICLE, "champ-obligatoire", ERREUR,
                             f"Champ obligatoire « {f.label} » vide (art. 5.1) : le formulaire doit "
                             "être rempli au complet avant d'être soumis au CE.")
    return out


def regle_5_1_champs_conditionnels(ctx: Context) -> list[Finding]:
    """Organisme for a Congrès; the amount paid when an Organisme payeur is named."""
    p = ctx.params
    from ..text import fold

    congres = ctx.folded_in("categorie", (fold(p.categorie_congres),)) & ~ctx.present("organisme")
    out = form_findings(ctx, congres, "organisme", ARTICLE, "champ-obligatoire", ERREUR,
                        f"Champ « Organisme » vide pour un {p.categorie_congres.lower()} (art. 5.1) : "
                        "indiquez l'organisme qui l'organise (l'art. 4.3 en dépend).")
    payeur = ctx.present("organisme_payeur") & ctx.blank("montant_organisme_payeur")
    out += form_findings(ctx, payeur, "montant_organisme_payeur", ARTICLE, "champ-obligatoire", ERREUR,
                         "Un organisme payeur est nommé mais le montant qu'il verse est vide (art. 5.1) : "
                         "indiquez-le pour que l'art. 4.4 puisse être appliqué.")
    return out


def _is_issue(v) -> bool:
    """The raw cell is a ``CellIssue`` (an Excel error, a formula without its value)."""
    return isinstance(v, CellIssue)


# What ``pandas.api.types.infer_dtype`` says of a column that holds only plain values
# (it checks every value): such a column has no ``CellIssue``.
_PLAIN = frozenset({"empty", "string", "floating", "integer", "mixed-integer-float", "decimal", "boolean",
                    "datetime", "datetime64", "date", "time", "bytes"})


def _issues(raw):
    """Per row: the raw cell is a ``CellIssue`` (an Excel error, a formula without its value).
    A column of plain values is answered at once; otherwise each distinct value is
    looked at once."""
    values = raw.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in _PLAIN:
        return pd.Series(False, index=raw.index)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    flags = np.array([isinstance(u, CellIssue) for u in uniques] + [False], dtype=bool)
    return pd.Series(flags[codes], index=raw.index)


def regle_5_1_valeurs_illisibles(ctx: Context) -> list[Finding]:
    """A date or number that cannot be read as one (out of 1900–2199, a logical
    value, an absurd number such as 1E+26 are said as such); in any column read, an
    Excel error (``#DIV/0!``, ``#N/A`` …) or a formula saved without its value.
    Only the cells whose raw value is not their typed value can be any of these:
    the rule looks at those (``InboxData.raw_exceptions``), not at every cell."""
    out = []
    for f in FORM_FIELDS:
        raw = ctx.data.raw_exceptions(FORMS, f.key)
        if not len(raw):
            continue
        issue = _issues(raw)
        if issue.any():
            for rule, is_error in ((VALEUR_ERREUR, True), (FORMULE_SANS_VALEUR, False)):
                sub = raw[issue & raw.map(lambda v: _is_issue(v) and (v.kind == EXCEL_ERROR) == is_error)
                          .astype(bool)]
                if len(sub):
                    messages = [f"{v.explain(f.label)} (art. 5.1)." for v in sub.tolist()]
                    out += form_findings(ctx, sub.index, f.key, ARTICLE, rule, ERREUR, messages)
        if f.kind not in (DATE, NUMBER):
            continue
        typed_missing = ~ctx.present(f.key)[raw.index.to_numpy()]
        mask = ~(folded(raw) == "").to_numpy(dtype=bool) & typed_missing & ~issue.to_numpy()
        if not mask.any():
            continue
        bad = raw[mask]
        kind = "date" if f.kind == DATE else "number"
        messages = [f"{unreadable(v, kind, f.label)} (art. 5.1) : corrigez la valeur." for v in bad.tolist()]
        out += form_findings(ctx, bad.index, f.key, ARTICLE,
                             "date-illisible" if f.kind == DATE else "nombre-illisible", ERREUR, messages)
    return out


def regle_5_1_heures_hors_limites(ctx: Context) -> list[Finding]:
    """Hours asked outside (min, max] — by default (0, 24] — and hours granted below 0 or above max."""
    p = ctx.params
    asked = ctx.values("heures_demandees")
    with np.errstate(invalid="ignore"):  # NaN compares False
        bad = (asked <= p.min_exclu_heures_ligne) | (asked > p.max_heures_ligne)
    out = []
    if bad.any():
        tail = (f" hors des limites d'une journée : plus de {number(p.min_exclu_heures_ligne)} h et au plus "
                f"{number(p.max_heures_ligne)} h (art. 5.1).")
        msg = [f"Heures demandées ({hours(h)}){tail}" for h in asked[bad].tolist()]
        out += form_findings(ctx, bad, "heures_demandees", ARTICLE, "heures-hors-limites", ERREUR, msg)
    granted = ctx.values("heures_accordees")
    bad_g = (granted < 0) | (granted > p.max_heures_ligne)
    if bad_g.any():
        msg_g = [f"Heures accordées ({hours(h)}) hors des limites : entre 0 h "
                 f"et {number(p.max_heures_ligne)} h (art. 5.1)." for h in granted[bad_g].tolist()]
        out += form_findings(ctx, bad_g, "heures_accordees", ARTICLE, "heures-hors-limites", ERREUR, msg_g)
    return out


RULES = [
    regle_5_1_champs_obligatoires,
    regle_5_1_champs_conditionnels,
    regle_5_1_valeurs_illisibles,
    regle_5_1_heures_hors_limites,
]
