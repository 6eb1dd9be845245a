"""The action plan's section of the AG report (art. 6.3), and the hours granted to it.

``plan_section(ctx)`` gives ``templates/rapports/_plan.html`` everything already
formatted: progress by axis for the current plan year (actions by status, share
done, a stacked-bar SVG chart and its text equivalent), the whole plan as rows
(statuses per year, remarks), and the hours granted by axis and by objective
from the forms' *Référence au plan d'action*.

Decisions (docs/decisions.md):
* the *current year* is the last plan year that has begun at the report's date
  (the first one before the plan starts);
* an action's status in a year is the one written there; an empty cell after
  Réalisé or Abandonné keeps that status; otherwise (or an unknown status) it is
  counted « Sans statut »;
* share done = Réalisé ÷ (actions − Abandonné): an abandoned action is no longer
  to be done; Continu is ongoing work, shown but not counted as done;
* hours = ``heures_octroyees`` of every adopted row of the inbox (all bank
  years) for the export; the AG report passes its own rows (the bank year of its
  date, decided by then) so that its plan hours add up to its other totals; a reference naming an objective counts for it, one naming an action
  (``1.2 b``) counts for the action and its objective; a reference the plan does
  not know is summed on a « Référence inconnue » line, rows without one on a
  « Sans référence au plan d'action » line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from ..context import Context
from ..formatting import date as fr_date
from ..formatting import hours as fr_hours
from ..formatting import number, percent
from ..text import fold
from .model import STATUSES, Plan, action_label, effective_status, year_bounds, year_start_month

NO_STATUS = "Sans statut"
# Display order (most advanced first) and colours (also used by the export).
ORDER = ("Réalisé", "Continu", "En cours", "Non débuté", "Reporté", "Abandonné", NO_STATUS)
COLOURS = {
    "Réalisé": "#2e7d32", "Continu": "#00838f", "En cours": "#1565c0", "Non débuté": "#8d6e63",
    "Reporté": "#ef6c00", "Abandonné": "#b71c1c", NO_STATUS: "#bdbdbd",
}
assert set(ORDER) == set(STATUSES) | {NO_STATUS}


def status_class(status: str | None) -> str:
    """``"En cours"`` → ``"statut-en-cours"`` (``statut-inconnu`` for an unknown one)."""
    return "statut-" + (fold(status).replace(" ", "-") if status else "inconnu")


# ---------------------------------------------------------------- hours from the forms

@dataclass
class PlanHours:
    """Hours granted (adopted rows) by plan item, keyed by the items' ``id()``."""

    by_axis: dict[int, float] = field(default_factory=dict)
    by_objective: dict[int, float] = field(default_factory=dict)
    by_action: dict[int, float] = field(default_factory=dict)
    unknown: float = 0.0          # a reference the plan does not know
    without: float = 0.0          # no reference at all
    total: float = 0.0


def plan_hours(ctx: Context, plan: Plan, rows=None) -> PlanHours:
    """Sum ``ctx.ledger.heures_octroyees`` of adopted rows by the item their
    *Référence au plan d'action* resolves to (once per distinct reference).
    ``rows``: the form ids to count (default: every adopted row of the inbox)."""
    out = PlanHours()
    forms = ctx.forms
    if len(forms) == 0:
        return out
    ledger = ctx.ledger
    adopted = ledger["adoptee"].to_numpy(dtype=bool)
    if rows is not None:
        adopted = adopted & forms.index.isin(list(rows))
    granted = ledger.loc[adopted, "heures_octroyees"].fillna(0.0)
    refs = forms.loc[adopted, "reference_plan"]
    out.total = float(granted.sum())
    out.without = float(granted[refs.isna()].sum())
    by_ref = granted[refs.notna()].groupby(refs[refs.notna()].astype(object)).sum()
    for ref, h in by_ref.items():
        found = plan.resolve(ref)
        if found is None:
            out.unknown += float(h)
            continue
        axis, obj, action = found
        out.by_axis[id(axis)] = out.by_axis.get(id(axis), 0.0) + float(h)
        out.by_objective[id(obj)] = out.by_objective.get(id(obj), 0.0) + float(h)
        if action is not None:
            out.by_action[id(action)] = out.by_action.get(id(action), 0.0) + float(h)
    return out


# ---------------------------------------------------------------- years

def current_year(plan: Plan, ctx: Context) -> str | None:
    """The last plan year that has begun at ``ctx.as_of`` (else the first year)."""
    month = year_start_month(ctx.params)
    begun = [y for y in plan.years if (b := year_bounds(y, month)) and b[0] <= ctx.as_of]
    if begun:
        return max(begun, key=lambda y: year_bounds(y, month))
    return plan.years[0] if plan.years else None


# ---------------------------------------------------------------- progress by axis

def _progress_row(label: str, counts: dict[str, int]) -> dict[str, Any]:
    total = sum(counts.values())
    to_do = total - counts["Abandonné"]
    share = counts["Réalisé"] / to_do if to_do else None
    return {
        "libelle": label,
        "total": total,
        "comptes": [{"statut": s, "classe": status_class(s), "couleur": COLOURS[s], "nombre": counts[s]}
                    for s in ORDER],
        "part": share,
        "part_realisee": percent(share),
    }


def progress_rows(plan: Plan, year: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = []
    overall = {s: 0 for s in ORDER}
    for axis in plan.axes:
        counts = {s: 0 for s in ORDER}
        for goal in axis.goals:
            for obj in goal.objectives:
                for action in obj.actions:
                    s = effective_status(action, year, plan.years) if year else None
                    counts[s or NO_STATUS] += 1
                    overall[s or NO_STATUS] += 1
        row = _progress_row(f"Axe {axis.number}", counts)
        row["titre"] = axis.title
        rows.append(row)
    total = _progress_row("Ensemble du plan", overall)
    total["titre"] = ""
    return rows, total


# ---------------------------------------------------------------- the chart

WIDTH, LABEL_W, BAR_H, ROW_H, FONT = 560, 70, 22, 34, 14


def progress_chart(rows: list[dict[str, Any]], year: str | None) -> Markup | None:
    """Stacked horizontal bars, one per axis, each segment an action status (its
    share of the axis's actions). Colours are SVG ``fill`` attributes (the
    reports' CSP allows no inline style); every segment has a ``<title>``."""
    rows = [r for r in rows if r["total"]]
    if not rows:
        return None
    bar_w = WIDTH - LABEL_W - 10
    legend_y = len(rows) * ROW_H + 10
    legend = [s for s in ORDER if any(c["nombre"] for r in rows for c in r["comptes"] if c["statut"] == s)]
    per_line = 4
    height = legend_y + ((len(legend) + per_line - 1) // per_line) * 24 + 6
    title = f"Avancement du plan d'action par axe ({year})" if year else "Avancement du plan d'action par axe"
    desc = " ; ".join(
        f"{r['libelle']} ({r['total']} actions) : "
        + ", ".join(f"{c['statut']} {c['nombre']}" for c in r["comptes"] if c["nombre"]) for r in rows)
    parts = [f'<svg class="chart chart-plan" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="plan-graphique-titre plan-graphique-desc" focusable="false">'
             f'<title id="plan-graphique-titre">{escape(title)}</title>'
             f'<desc id="plan-graphique-desc">{escape(desc)}</desc>']
    for i, r in enumerate(rows):
        y = i * ROW_H
        parts.append(f'<text class="etiquette" x="0" y="{y + BAR_H - 6}" font-size="{FONT}">'
                     f'{escape(r["libelle"])}</text>')
        x = float(LABEL_W)
        for c in r["comptes"]:
            if not c["nombre"]:
                continue
            w = bar_w * c["nombre"] / r["total"]
            parts.append(f'<rect class="segment {c["classe"]}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                         f'height="{BAR_H}" fill="{c["couleur"]}" stroke="#ffffff" stroke-width="1">'
                         f'<title>{escape(r["libelle"])} — {escape(c["statut"])} : {c["nombre"]} '
                         f'action{"s" if c["nombre"] > 1 else ""}</title></rect>')
            if w >= 22:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + BAR_H - 6}" font-size="{FONT - 2}" '
                             f'text-anchor="middle" fill="{"#1d2430" if c["statut"] == NO_STATUS else "#ffffff"}">'
                             f'{c["nombre"]}</text>')
            x += w
    for k, s in enumerate(legend):
        lx, ly = (k % per_line) * (WIDTH // per_line), legend_y + (k // per_line) * 24
        parts.append(f'<rect x="{lx}" y="{ly}" width="14" height="14" fill="{COLOURS[s]}"/>'
                     f'<text class="legende" x="{lx + 20}" y="{ly + 12}" font-size="{FONT - 1}">{escape(s)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------- the whole plan, as rows

def plan_rows(plan: Plan, hours: PlanHours) -> list[dict[str, Any]]:
    """One row per action, with the rowspans that group goals and objectives."""
    rows: list[dict[str, Any]] = []
    for axis in plan.axes:
        for goal in axis.goals:
            goal_span = sum(max(len(o.actions), 1) for o in goal.objectives) or 1
            first_of_goal = True
            for obj in goal.objectives:
                first_of_obj = True
                for action in obj.actions or [None]:
                    rows.append({
                        "axe": f"Axe {axis.number}",
                        "axe_titre": axis.title,
                        "nouvel_axe": first_of_goal and goal is axis.goals[0],
                        "but": goal_label(goal),
                        "but_rowspan": goal_span if first_of_goal else 0,
                        "objectif": f"{obj.number} {obj.text}".strip(),
                        "objectif_rowspan": max(len(obj.actions), 1) if first_of_obj else 0,
                        "lettre": action.letter if action else "",
                        "reference": action_label(obj, action) if action else obj.number,
                        "action": action.text if action else "",
                        "statuts": [_status_cell(action, y) for y in plan.years],
                        "remarque": (action.remark or "") if action else "",
                        "heures": fr_hours(hours.by_action[id(action)])
                        if action and id(action) in hours.by_action else "",
                    })
                    first_of_goal = first_of_obj = False
    return rows


def goal_label(goal) -> str:
    """``1. Assurer …`` (a whole number takes a period, as the plan writes it), ``3.1 Soutenir …``."""
    if not goal.number:
        return goal.text
    return f"{goal.number}{'' if '.' in goal.number else '.'} {goal.text}".strip()


def _status_cell(action, year: str) -> dict[str, Any]:
    ys = action.statuses.get(year) if action else None
    if ys is None or ys.raw is None:
        return {"annee": year, "libelle": "", "classe": "", "couleur": "", "inconnu": False}
    if ys.status is None:
        return {"annee": year, "libelle": ys.raw, "classe": status_class(None), "couleur": "",
                "inconnu": True}
    return {"annee": year, "libelle": ys.status, "classe": status_class(ys.status),
            "couleur": COLOURS[ys.status], "inconnu": False}


# ---------------------------------------------------------------- hours tables

def hours_rows(plan: Plan, hours: PlanHours) -> tuple[list[dict], list[dict]]:
    by_axis = [{"libelle": f"Axe {a.number} — {a.title}".rstrip(" —"),
                "heures": fr_hours(hours.by_axis.get(id(a), 0.0)),
                "valeur": hours.by_axis.get(id(a), 0.0)} for a in plan.axes]
    by_objective = [{"axe": f"Axe {a.number}", "objectif": f"{o.number} {o.text}".strip(),
                     "heures": fr_hours(hours.by_objective.get(id(o), 0.0)),
                     "valeur": hours.by_objective.get(id(o), 0.0)}
                    for a, _g, o in plan.objectives()]
    return by_axis, by_objective


# ---------------------------------------------------------------- the section

def plan_section(ctx: Context, rows=None, scope: str = "") -> dict[str, Any] | None:
    """Everything ``_plan.html`` shows, formatted; None when the inbox has no plan.
    ``rows``/``scope``: the form ids whose hours count and what they cover, in words
    (the AG report: its bank year); by default every adopted row of the inbox."""
    plan = ctx.data.plan
    if plan is None:
        return None
    year = current_year(plan, ctx)
    month = year_start_month(ctx.params)
    bounds = year_bounds(year, month) if year else None
    hours = plan_hours(ctx, plan, rows)
    progress, total = progress_rows(plan, year)
    by_axis, by_objective = hours_rows(plan, hours)
    return {
        "annee": year or "",
        "annee_debut": fr_date(bounds[0]) if bounds else "",
        "annees": list(plan.years),
        "statuts": [{"statut": s, "classe": status_class(s), "couleur": COLOURS[s]} for s in ORDER],
        "progression": progress,
        "total": total,
        "graphique": progress_chart(progress, year),
        "lignes": plan_rows(plan, hours),
        "heures_axes": by_axis,
        "heures_objectifs": by_objective,
        "heures_reference_inconnue": fr_hours(hours.unknown),
        "heures_sans_reference": fr_hours(hours.without),
        "heures_total": fr_hours(hours.total),
        "heures_plan": fr_hours(sum(hours.by_axis.values())),
        "heures_plan_valeur": float(sum(hours.by_axis.values())),
        "heures_total_valeur": float(hours.total),
        "portee": scope,
        "nombre_actions": number(total["total"], 0),
        "fichiers": list(plan.files),
    }
