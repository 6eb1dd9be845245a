"""The register, the bank and the calendar must be readable for the checks to be right.

No article: these are data checks on the treasury's own workbooks (rule id
``donnee-de-reference``). A register row without a start date or a rate, a
bank year without its hours, a meeting without a readable date or instance
would silently change every rate, balance or agenda: each is an erreur.
"""
from __future__ import annotations

from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, Finding
from ..read.fields import BANK_FIELDS, CALENDAR_FIELDS, DATE, MEMBER_FIELDS, NUMBER
from ..account.reference import instance_of
from ..text import is_no_end_marker
from .base import blank, frame_findings, has_column

RULE = "donnee-de-reference"


def _check(ctx: Context, frame, fields, what: str) -> list[Finding]:
    out: list[Finding] = []
    for f in fields:
        raw = frame[f"{f.key}__brut"]
        empty = blank(raw)
        if f.required:
            mask = empty & has_column(ctx, frame, f.key)
            out += frame_findings(ctx, frame, mask, f.key, None, RULE, ERREUR,
                                  f"{what} : « {f.label} » est vide ; les vérifications qui en dépendent "
                                  "ne peuvent pas être faites correctement.")
        if f.kind in (DATE, NUMBER):
            bad = ~empty & frame[f.key].isna()
            if f.key == "fin_contrat":  # 9999-12-31 written for "ongoing" is read as no end
                bad &= ~raw.map(is_no_end_marker, na_action="ignore").fillna(False).astype(bool)
            msg = raw[bad].map(lambda v: f"{what} : « {v} » dans « {f.label} » n'est pas "
                                         f"{'une date' if f.kind == DATE else 'un nombre'} lisible.")
            out += frame_findings(ctx, frame, bad, f.key, None, RULE, ERREUR, msg)
    return out


def regle_registre_lisible(ctx: Context) -> list[Finding]:
    members = ctx.data.members
    out = _check(ctx, members, MEMBER_FIELDS, "Registre des membres")
    ended_before = members["fin_contrat"].notna() & (members["fin_contrat"] < members["debut_contrat"])
    out += frame_findings(ctx, members, ended_before, "fin_contrat", None, RULE, ERREUR,
                          "Registre des membres : le contrat finit avant d'avoir commencé.")
    return out


def regle_banque_lisible(ctx: Context) -> list[Finding]:
    return _check(ctx, ctx.data.bank, BANK_FIELDS, "Banque de libérations")


def regle_calendrier_lisible(ctx: Context) -> list[Finding]:
    cal = ctx.data.calendar
    out = _check(ctx, cal, CALENDAR_FIELDS, "Calendrier des instances")
    unknown = cal["instance"].notna() & cal["instance"].map(instance_of, na_action="ignore").isna()
    out += frame_findings(ctx, cal, unknown, "instance", None, RULE, AVERTISSEMENT,
                          "Calendrier des instances : l'instance doit être CE, CS ou AG (ou Conseil exécutif, "
                          "Conseil syndical, Assemblée générale) ; cette réunion est ignorée.")
    return out


RULES = [regle_registre_lisible, regle_banque_lisible, regle_calendrier_lisible]
