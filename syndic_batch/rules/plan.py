"""Checks of the action plan (domain.md, *The checks*, rows « plan »).

No article: fixed rule ids ``plan-numerotation``, ``plan-statut-manquant``,
``plan-statut-inconnu``, ``plan-non-complete``, ``plan-remarque-requise``,
``plan-doublon``. Each finding points to the plan workbook's cell (goal,
objective, year status, remark or action cell). Several actions of one cell
(lettered actions share a row) get one finding that names them all.

A plan year ``2018-2019`` begins on the 1st of ``plan.model.year_start_month``
(September by default) of its first year and is over a year later.
"""
from __future__ import annotations

import datetime as dt
import re

from ..context import Context
from ..formatting import date as fr_date
from ..model import AVERTISSEMENT, ERREUR, INFO, PLAN_NUMEROTATION, Finding
from ..plan.model import (CLOSED_STATUSES, FINAL_STATUSES, REMARK_STATUSES, STATUSES, Action, CellRef,
                          Objective, Plan, action_label, year_bounds, year_start_month)
from ..text import fold

PLAN_STATUT_MANQUANT = "plan-statut-manquant"
PLAN_STATUT_INCONNU = "plan-statut-inconnu"
PLAN_NON_COMPLETE = "plan-non-complete"
PLAN_REMARQUE_REQUISE = "plan-remarque-requise"
PLAN_DOUBLON = "plan-doublon"

_STATUS_LIST = ", ".join(STATUSES[:-1]) + " ou " + STATUSES[-1]


def _finding(rule: str, severity: str, cell: CellRef, message: str) -> Finding:
    return Finding(None, rule, severity, cell.file, cell.sheet, cell.row, cell.column, message,
                   column_index=cell.column_index)


def _grouped(items: list[tuple[CellRef, str]]) -> list[tuple[CellRef, list[str]]]:
    """(cell, detail) pairs → one entry per cell, details in plan order."""
    groups: dict[CellRef, list[str]] = {}
    for cell, detail in items:
        groups.setdefault(cell, []).append(detail)
    return list(groups.items())


def _actions_fr(labels: list[str]) -> str:
    return ("l'action " if len(labels) == 1 else "les actions ") + ", ".join(labels)


def _begun_years(plan: Plan, ctx: Context) -> list[tuple[str, dt.date]]:
    month = year_start_month(ctx.params)
    out = []
    for year in plan.years:
        bounds = year_bounds(year, month)
        if bounds and bounds[0] <= ctx.as_of:
            out.append((year, bounds[0]))
    return out


def _written(action: Action, year: str) -> bool:
    ys = action.statuses.get(year)
    return ys is not None and ys.raw is not None


def _status_cell(action: Action, year: str) -> CellRef:
    ys = action.statuses.get(year)
    return ys.cell if ys is not None else action.cell


# ---------------------------------------------------------------- numbering

_OBJ = re.compile(r"^(\d+)\.(\d+)$")


def regle_plan_numerotation(ctx: Context) -> list[Finding]:
    """A goal carries its axis's number; objectives are ``<axis>.1``, ``<axis>.2`` … in order."""
    plan = ctx.data.plan
    if plan is None:
        return []
    out: list[Finding] = []
    for axis in plan.axes:
        previous = 0
        for goal in axis.goals:
            if goal.number != axis.number:
                what = (f"est numéroté « {goal.number} », comme un objectif" if "." in goal.number
                        else f"est numéroté « {goal.number} »" if goal.number else "n'a pas de numéro")
                out.append(_finding(PLAN_NUMEROTATION, AVERTISSEMENT, goal.cell,
                                    f"Plan d'action, axe {axis.number} : le but « {_short(goal.text)} » {what} ; "
                                    f"un but porte le numéro de son axe (« {axis.number} »). "
                                    "Corrigez la numérotation."))
            for obj in goal.objectives:
                expected = f"{axis.number}.{previous + 1}"
                m = _OBJ.match(obj.number)
                if obj.number != expected:
                    shown = f"est numéroté « {obj.number} »" if obj.number else "n'a pas de numéro"
                    out.append(_finding(PLAN_NUMEROTATION, AVERTISSEMENT, obj.cell,
                                        f"Plan d'action, axe {axis.number} : l'objectif « {_short(obj.text)} » "
                                        f"{shown} ; à sa place dans l'axe, il devrait porter le numéro "
                                        f"« {expected} ». Corrigez la numérotation."))
                previous = int(m[2]) if m and m[1] == axis.number else previous + 1
    return out


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# ---------------------------------------------------------------- statuses

def regle_plan_statut_manquant(ctx: Context) -> list[Finding]:
    """Every year that has begun needs a status for each action, unless an earlier
    year already says Réalisé or Abandonné."""
    plan = ctx.data.plan
    if plan is None:
        return []
    out: list[Finding] = []
    for year, start in _begun_years(plan, ctx):
        earlier = plan.years[: plan.years.index(year)]
        items = []
        for _a, _g, obj, action in plan.actions():
            if _written(action, year) or _closed_before(action, earlier):
                continue
            items.append((_status_cell(action, year), action_label(obj, action)))
        for cell, labels in _grouped(items):
            out.append(_finding(PLAN_STATUT_MANQUANT, AVERTISSEMENT, cell,
                                f"Plan d'action, année {year} (commencée le {fr_date(start)}) : aucun statut "
                                f"pour {_actions_fr(labels)}. Inscrivez {_STATUS_LIST}."))
    return out


def _closed_before(action: Action, earlier: list[str]) -> bool:
    for y in reversed(earlier):
        if _written(action, y):
            return action.statuses[y].status in CLOSED_STATUSES
    return False


def regle_plan_statut_inconnu(ctx: Context) -> list[Finding]:
    """A status that is not one of the plan's vocabulary."""
    plan = ctx.data.plan
    if plan is None:
        return []
    items = []
    for year in plan.years:
        for _a, _g, obj, action in plan.actions():
            ys = action.statuses.get(year)
            if ys is not None and ys.raw is not None and ys.status is None:
                items.append(((ys.cell, year), f"« {ys.raw} » pour l'action {action_label(obj, action)}"))
    out = []
    for (cell, year), details in _grouped(items):
        word = "statut inconnu" if len(details) == 1 else "statuts inconnus"
        out.append(_finding(PLAN_STATUT_INCONNU, ERREUR, cell,
                            f"Plan d'action, année {year} : {word} {' ; '.join(details)}. "
                            f"Inscrivez {_STATUS_LIST}."))
    return out


def regle_plan_non_complete(ctx: Context) -> list[Finding]:
    """Once the plan's last year is over, each action ends Réalisé, Abandonné or Continu
    (its last status written, whatever the year)."""
    plan = ctx.data.plan
    if plan is None:
        return []
    month = year_start_month(ctx.params)
    bounded = [(year_bounds(y, month), y) for y in plan.years if year_bounds(y, month)]
    if not bounded:
        return []
    (_start, end), last = max(bounded)
    if ctx.as_of < end:
        return []
    items = []
    for _a, _g, obj, action in plan.actions():
        final = _last_written(action, plan.years)
        if final is not None and final[1] in FINAL_STATUSES:
            continue
        said = f"dernier statut : {final[1] or '« ' + final[2] + ' »'} en {final[0]}" if final else "aucun statut"
        items.append((_status_cell(action, last), f"{action_label(obj, action)} ({said})"))
    out = []
    for cell, details in _grouped(items):
        verb = "n'est" if len(details) == 1 else "ne sont"
        out.append(_finding(PLAN_NON_COMPLETE, AVERTISSEMENT, cell,
                            f"Plan d'action terminé le {fr_date(end - dt.timedelta(days=1))} (dernière année "
                            f"{last}) : {_actions_fr(details)} {verb} ni réalisée, ni abandonnée, ni continue. "
                            f"Inscrivez {'son' if len(details) == 1 else 'leur'} statut final (Réalisé, Abandonné "
                            "ou Continu)."))
    return out


def _last_written(action: Action, years: list[str]) -> tuple[str, str | None, str] | None:
    """(year, status or None when unknown, raw) of the action's last written status."""
    for y in reversed(years):
        if _written(action, y):
            ys = action.statuses[y]
            return y, ys.status, ys.raw
    return None


def regle_plan_remarque_requise(ctx: Context) -> list[Finding]:
    """Reporté or Abandonné needs a remark saying why."""
    plan = ctx.data.plan
    if plan is None:
        return []
    items = []
    for _a, _g, obj, action in plan.actions():
        if action.remark:
            continue
        flagged = [y for y in plan.years if action.statuses.get(y) is not None
                   and action.statuses[y].status in REMARK_STATUSES]
        if not flagged:
            continue
        year = flagged[-1]
        cell = action.remark_cell or action.statuses[year].cell
        items.append((cell, f"{action_label(obj, action)} ({action.statuses[year].status} en {year})"))
    out = []
    for cell, details in _grouped(items):
        whose = "de l'action " if len(details) == 1 else "des actions "
        out.append(_finding(PLAN_REMARQUE_REQUISE, AVERTISSEMENT, cell,
                            f"Plan d'action : aucune remarque n'explique le statut {whose}{', '.join(details)}. "
                            "Une action reportée ou abandonnée doit être expliquée dans la colonne REMARQUES."))
    return out


# ---------------------------------------------------------------- duplicates

def regle_plan_doublon(ctx: Context) -> list[Finding]:
    """The same action text twice in the plan: flagged where it appears again."""
    plan = ctx.data.plan
    if plan is None:
        return []
    first: dict[str, tuple[Objective, Action]] = {}
    items = []
    for _a, _g, obj, action in plan.actions():
        key = fold(action.text)
        if not key:
            continue
        if key in first:
            obj0, act0 = first[key]
            items.append((action.cell, f"l'action {action_label(obj, action)} « {_short(action.text, 80)} » "
                                       f"reprend l'action {action_label(obj0, act0)}"
                                       + (f" de l'objectif {obj0.number}" if obj0 is not obj else "")))
        else:
            first[key] = (obj, action)
    return [_finding(PLAN_DOUBLON, INFO, cell,
                     f"Plan d'action : {' ; '.join(details)}. Gardez-la sous un seul objectif, ou "
                     "précisez ce qui les distingue.")
            for cell, details in _grouped(items)]


RULES = [
    regle_plan_numerotation,
    regle_plan_statut_manquant,
    regle_plan_statut_inconnu,
    regle_plan_non_complete,
    regle_plan_remarque_requise,
    regle_plan_doublon,
]
