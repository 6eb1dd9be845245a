"""Changes after the fact (domain.md, *The monthly cycle*): what auditors look for first.

Compared with the state the CE adopted and the state deposited with the employer, as
the journal first saw them (``ctx.changes.after_fact``, loaded from the journal before
the checks; a rule never opens a file). A finding stays, run after run, until the value
is restored, or (adoption) the CE decides again with a new *Date de la décision*:

``modifiee-apres-adoption`` (avertissement)
    a row the CE had adopted whose member, date, category, hours asked or hours
    granted changed; one finding per changed field, on that field's cell.
``modifiee-apres-depot`` (erreur)
    a row already deposited with the employer (it had a *Date du dépôt à l'Employeur*)
    whose member, dates, category, hours or decision changed, which lost its deposit
    date, or which disappeared since the previous run (then on the file where it was).
``supprimee-apres-adoption`` (avertissement)
    an adopted row (not deposited) that disappeared since the previous run: on the
    file where it was (the run after, the row is gone from the journal too: the finding
    stays in that run's outputs, under historique/).

Each message gives the old and new values and the date-time of the run that saw the
earlier state. A row seen for the first time, or a first run, is silent.
"""
from __future__ import annotations

from ..account.reference import ADOPTEE
from ..context import Context
from ..journal.changes import DEPOT, LABELS, display, run_label
from ..journal.rows import form_key
from ..model import AVERTISSEMENT, ERREUR, Finding
from .base import form_finding

MODIFIEE_APRES_ADOPTION = "modifiee-apres-adoption"
MODIFIEE_APRES_DEPOT = "modifiee-apres-depot"
SUPPRIMEE_APRES_ADOPTION = "supprimee-apres-adoption"


def _deposited(prev_row) -> bool:
    return prev_row["date_depot"] is not None or (
        "deposee_depuis" in prev_row and prev_row["deposee_depuis"] is not None)


def _what(prev_row, names: dict[str, str]) -> str:
    mat = prev_row["matricule"]
    who = f"{names.get(mat, mat)} ({mat})" if mat else "membre non indiqué"
    hours = prev_row["heures_accordees"]
    if hours is None or hours != hours:
        hours = prev_row["heures_demandees"]
    return (f"{who}, {prev_row['categorie'] or 'sans catégorie'} du "
            f"{display('date_activite', prev_row['date_activite'])}, {display('heures_demandees', hours)}")


def regles_modifications_apres_coup(ctx: Context) -> list[Finding]:
    if ctx.previous is None:  # a first run: nothing to compare (no need to hash the rows now)
        return []
    diff = ctx.changes
    if diff.previous is None:
        return []
    prev = diff.previous.rows
    seen = run_label(diff.previous.started)
    out: list[Finding] = []
    for a in diff.after_fact:
        change = f"{LABELS[a.field]} : {display(a.field, a.before)} → {display(a.field, a.after)}"
        since = run_label(a.since)
        if a.kind == DEPOT:
            deposit = display("date_depot", a.reference.get("date_depot"))
            what = (f"La libération déposée à l'Employeur le {deposit} n'a plus de date de dépôt"
                    if a.field == "date_depot" and a.after is None else
                    f"La libération déposée à l'Employeur le {deposit} a été modifiée ensuite")
            out.append(form_finding(
                ctx, a.cur, form_key(a.field), None, MODIFIEE_APRES_DEPOT, ERREUR,
                f"{what} ({change} ; état déposé vu au traitement du {since}). L'Employeur a été payé pour "
                "l'état déposé : rétablissez la valeur, ou faites corriger le dépôt auprès de l'Employeur et "
                "faites adopter la correction par le CE."))
        else:
            out.append(form_finding(
                ctx, a.cur, form_key(a.field), None, MODIFIEE_APRES_ADOPTION, AVERTISSEMENT,
                f"Ligne adoptée par le CE, modifiée ensuite ({change} ; état adopté vu au traitement du "
                f"{since}). Une libération adoptée ne change plus : faites adopter la modification par le CE "
                "(avec la date de cette décision), ou rétablissez la valeur adoptée."))
    names = ctx.names
    for pos in diff.removed:
        p = prev.loc[pos]
        where = f"feuille « {p['sheet']} », ligne {int(p['row'])} de « {p['file']} »"
        if _deposited(p):
            out.append(Finding(
                None, MODIFIEE_APRES_DEPOT, ERREUR, p["file"], None, None, None,
                f"La libération de {_what(p, names)}, déposée à l'Employeur le "
                f"{display('date_depot', p['date_depot'])}, a disparu de la boîte de réception (elle était "
                f"à la {where} au traitement du {seen}). L'Employeur a été payé pour elle : rétablissez la "
                "ligne, ou faites corriger le dépôt auprès de l'Employeur.", matricule=p["matricule"], nom=names.get(p["matricule"])))
        elif p["etat"] == ADOPTEE:
            out.append(Finding(
                None, SUPPRIMEE_APRES_ADOPTION, AVERTISSEMENT, p["file"], None, None, None,
                f"La libération adoptée de {_what(p, names)} a disparu de la boîte de réception (elle était "
                f"à la {where} au traitement du {seen}). Rétablissez la ligne, ou faites constater son "
                "retrait par le CE.", matricule=p["matricule"], nom=names.get(p["matricule"])))
    return out


RULES = [regles_modifications_apres_coup]
