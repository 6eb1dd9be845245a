"""The register, the bank and the calendar must be readable for the checks to be right.

No article: these are data checks on the treasury's own workbooks (rule id
``donnee-de-reference``). A register row without a start date or a rate, a
bank year without its hours, a meeting without a readable date or instance
would silently change every rate, balance or agenda: each is an erreur.

A register, bank or calendar wholly missing from the inbox (no sheet recognised,
or its sheet has no row) gives ONE erreur ``donnees-reference-absentes`` per
missing kind, for the inbox as a whole (file ``""``), naming what is missing and
which figures cannot be trusted; the reports show the same list as a banner
(``missing_reference``). The per-row consequences are not repeated: with no
register, art. 2.1's ``membre-inconnu`` stays silent; with no bank, art. 3's
``aucune-banque`` stays silent (docs/decisions.md).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, Finding
from ..read.fields import BANK, BANK_FIELDS, CALENDAR, CALENDAR_FIELDS, DATE, MEMBER_FIELDS, MEMBERS, NUMBER
from ..account.reference import instance_of
from ..text import CellIssue, is_no_end_marker, shown, unreadable
from .base import blank, frame_findings, has_column

RULE = "donnee-de-reference"
ABSENTES = "donnees-reference-absentes"

# kind → (what is missing, what cannot be trusted, its blank template, its pronoun)
MISSING_TEXT = {
    MEMBERS: ("Aucun registre des membres",
              "les taux horaires, les montants en dollars (valeur des libérations, fonds syndicaux "
              "dépensés, dépôt à l'Employeur) et les noms des membres ne peuvent pas être établis, "
              "et les matricules des formulaires ne sont pas vérifiés (art. 2.1)",
              "registre-des-membres.xlsx", "le"),
    BANK: ("Aucune banque de libérations (feuille « Banque »)",
           "le solde de la banque, les heures imputées aux fonds syndicaux et le budget restant ne "
           "peuvent pas être établis (art. 3)",
           "banque-et-calendrier.xlsx", "la"),
    CALENDAR: ("Aucun calendrier des instances (feuille « Calendrier »)",
               "l'ordre du jour de la prochaine réunion du Conseil exécutif et les formulaires en "
               "retard de décision ne peuvent pas être établis (art. 5.2)",
               "banque-et-calendrier.xlsx", "le"),
}


def missing_reference(data) -> list[str]:
    """The reference kinds (registre, banque, calendrier) with no row in the inbox,
    in that order: no sheet of that kind was recognised, or its sheets are empty."""
    frames = {MEMBERS: data.members, BANK: data.bank, CALENDAR: data.calendar}
    return [kind for kind, frame in frames.items() if frame is None or len(frame) == 0]


def _sheet_seen(data, kind: str) -> bool:
    return any(k == kind for fr in data.files for k in fr.sheets.values())


def regle_donnees_reference_absentes(ctx: Context) -> list[Finding]:
    """One erreur per missing kind of reference data, for the inbox as a whole."""
    data = ctx.data
    if not data.files:  # an empty inbox is the command's own error, not a missing register
        return []
    out = []
    for kind in missing_reference(data):
        what, figures, template, pronoun = MISSING_TEXT[kind]
        where = (" (la feuille reconnue est vide)" if _sheet_seen(data, kind)
                 else " dans la boîte de réception")
        out.append(Finding(
            None, ABSENTES, ERREUR, "", None, None, None,
            f"{what}{where} : {figures}. Les rapports le signalent en tête. Ajoutez-{pronoun} à la boîte de "
            f"réception (modèle vierge : templates/formulaires/{template}) puis relancez le traitement."))
    return out


def _check(ctx: Context, sheet_kind: str, fields, what: str) -> list[Finding]:
    """Excel errors, empty required cells and unreadable dates or numbers. An Excel error
    and an unreadable value are never a natural cell: they are looked for among the cells
    kept as written (``InboxData.raw_exceptions``), not in every row."""
    data = ctx.data
    frame = data.frame(sheet_kind)
    out: list[Finding] = []
    for f in fields:
        exc = data.raw_exceptions(sheet_kind, f.key)
        values = exc.tolist()
        issue = np.array([isinstance(v, CellIssue) for v in values], dtype=bool)
        if issue.any():  # an Excel error or a formula without its value, in any column
            out += frame_findings(ctx, frame, exc.index[issue], f.key, None, RULE, ERREUR,
                                  [f"{what} : {v.explain(f.label)}." for v, i in zip(values, issue) if i])
        if f.required:
            mask = data.blank_cells(sheet_kind, f.key).to_numpy(dtype=bool) & \
                has_column(ctx, frame, f.key).to_numpy(dtype=bool)
            out += frame_findings(ctx, frame, mask, f.key, None, RULE, ERREUR,
                                  f"{what} : « {f.label} » est vide ; les vérifications qui en dépendent "
                                  "ne peuvent pas être faites correctement.")
        if f.kind in (DATE, NUMBER) and len(exc):
            rows = frame.index.get_indexer(exc.index)
            bad = ~blank(exc).to_numpy(dtype=bool) & frame[f.key].isna().to_numpy()[rows] & ~issue
            if f.key == "fin_contrat":  # 9999-12-31 written for "ongoing" is read as no end
                bad &= ~np.array([not _missing(v) and bool(is_no_end_marker(v)) for v in values], dtype=bool)
            if bad.any():
                kind = "date" if f.kind == DATE else "number"
                out += frame_findings(ctx, frame, exc.index[bad], f.key, None, RULE, ERREUR,
                                      [f"{what} : {_unreadable(v, kind, f.label)}." for v, b in zip(values, bad) if b])
    return out


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT


def _unreadable(value, kind: str, label: str) -> str:
    """The reference data's short wording (« n'est pas une date lisible ») unless the
    value has a more precise one (out of 1900–2199, logical value, absurd number)."""
    text = unreadable(value, kind, label)
    if " n'est pas une date lisible" in text or " n'est pas un nombre lisible" in text:
        return f"« {shown(value)} » dans « {label} » n'est pas {'une date' if kind == 'date' else 'un nombre'} lisible"
    return text


def regle_registre_lisible(ctx: Context) -> list[Finding]:
    members = ctx.data.members
    out = _check(ctx, MEMBERS, MEMBER_FIELDS, "Registre des membres")
    end = members["fin_contrat"].to_numpy(dtype="datetime64[ns]")
    ended_before = end < members["debut_contrat"].to_numpy(dtype="datetime64[ns]")  # NaT compares False
    out += frame_findings(ctx, members, ended_before, "fin_contrat", None, RULE, ERREUR,
                          "Registre des membres : le contrat finit avant d'avoir commencé.")
    return out


def regle_banque_lisible(ctx: Context) -> list[Finding]:
    return _check(ctx, BANK, BANK_FIELDS, "Banque de libérations")


def regle_calendrier_lisible(ctx: Context) -> list[Finding]:
    cal = ctx.data.calendar
    out = _check(ctx, CALENDAR, CALENDAR_FIELDS, "Calendrier des instances")
    unknown = np.array([not _missing(v) and instance_of(v) is None for v in cal["instance"].tolist()], dtype=bool)
    out += frame_findings(ctx, cal, unknown, "instance", None, RULE, AVERTISSEMENT,
                          "Calendrier des instances : l'instance doit être CE, CS ou AG (ou Conseil exécutif, "
                          "Conseil syndical, Assemblée générale) ; cette réunion est ignorée.")
    return out


RULES = [regle_donnees_reference_absentes, regle_registre_lisible, regle_banque_lisible, regle_calendrier_lisible]
