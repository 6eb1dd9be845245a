"""The CE report's first section: « Depuis le traitement du … » (issue 8).

What changed since the previous run into the same output folder, grouped by member:
rows added, removed, modified (field: old → new), decisions taken, with the
findings of the changes after the fact (``rules/apres_coup.py``) on their row. The
first run says it is the first. Template: ``templates/rapports/_changements.html``.
"""
from __future__ import annotations

from typing import Any

from ...context import Context
from ...journal.changes import LABELS, RowDiff, display, run_label
from ...model import Finding, sort_findings
from ...rules.apres_coup import MODIFIEE_APRES_DEPOT, SUPPRIMEE_APRES_ADOPTION, MODIFIEE_APRES_ADOPTION
from .shared import _finding_view, _source, plural

# The section shows at most this many rows; changements.json has them all.
MAX_LIGNES = 400
APRES_COUP = (MODIFIEE_APRES_ADOPTION, MODIFIEE_APRES_DEPOT, SUPPRIMEE_APRES_ADOPTION)


def _activity(row) -> str:
    cat = row["categorie"] or "sans catégorie"
    return f"{cat}, {display('date_activite', row['date_activite'])}"


def _whole(row) -> str:
    """A row added or removed, in one line."""
    parts = [f"{display('heures_demandees', row['heures_demandees'])} demandées"]
    if row["decision"]:
        parts.append(f"décision : {row['decision']}")
        if row["heures_accordees"] is not None and row["heures_accordees"] == row["heures_accordees"]:
            parts.append(f"{display('heures_accordees', row['heures_accordees'])} accordées")
    else:
        parts.append("non décidée")
    if row["date_depot"]:
        parts.append(f"déposée à l'Employeur le {display('date_depot', row['date_depot'])}")
    return " ; ".join(parts)


def changes_view(ctx: Context, findings: list[Finding], names: dict[str, str]) -> dict[str, Any]:
    diff: RowDiff = ctx.changes
    if diff.previous is None:
        return {"premier": True, "depuis": None, "membres": [], "resume": None, "autres": 0,
                "autres_texte": "", "constats": []}
    prev, cur = diff.previous.rows, diff.current
    after_fact = [f for f in findings if f.rule in APRES_COUP]
    by_form: dict[int, list[Finding]] = {}
    for f in after_fact:
        if f.form_id is not None:
            by_form.setdefault(f.form_id, []).append(f)
    on_files = [_finding_view(f) for f in sort_findings([f for f in after_fact if f.form_id is None])]

    lines: list[tuple[tuple, str, dict[str, Any]]] = []   # (sort key, matricule, line)
    for pos in diff.removed:
        p = prev.loc[pos]
        lines.append(((p["date_activite"] or "", 0), p["matricule"] or "", {
            "genre": "Supprimée", "classe": "supprimee", "activite": _activity(p), "details": [_whole(p)],
            "source": f"était à : {_source(p['file'], p['sheet'], int(p['row']))}", "constats": []}))
    for i in diff.added:
        c = cur.loc[i]
        lines.append(((c["date_activite"] or "", 1), c["matricule"] or "", {
            "genre": "Ajoutée", "classe": "ajoutee", "activite": _activity(c), "details": [_whole(c)],
            "source": _source(c["file"], c["sheet"], int(c["row"])), "constats": []}))
    by_row: dict[int, list] = {}
    for ch in diff.modified:
        by_row.setdefault(ch.cur, []).append(ch)
    for i, changes in by_row.items():
        c = cur.loc[i]
        kinds = {ch.kind for ch in changes}
        genre = ("Décision" if kinds == {"decision"} else
                 "Modifiée" if kinds == {"modifiee"} else "Décision et modification")
        lines.append(((c["date_activite"] or "", 2), c["matricule"] or "", {
            "genre": genre, "classe": "modifiee",
            "activite": _activity(c),
            "details": [f"{LABELS[ch.field]} : {display(ch.field, ch.before)} → {display(ch.field, ch.after)}"
                        for ch in changes],
            "source": _source(c["file"], c["sheet"], int(c["row"])),
            "constats": [_finding_view(f) for f in sort_findings(by_form.get(i, []))]}))

    members: dict[str, list] = {}
    for key, mat, line in sorted(lines, key=lambda t: (t[1], t[0])):
        members.setdefault(mat, []).append(line)
    shown, out = 0, []
    for mat, items in members.items():
        if shown >= MAX_LIGNES:
            break
        take = items[:MAX_LIGNES - shown]
        shown += len(take)
        out.append({"matricule": mat or "—", "nom": names.get(mat, "") if mat else "Membre non indiqué",
                    "lignes": take})
    n_mod = sum(1 for ls in by_row.values() if any(ch.kind == "modifiee" for ch in ls))
    n_dec = sum(1 for ls in by_row.values() if any(ch.kind == "decision" for ch in ls))
    parts = [plural(len(diff.added), "ligne ajoutée", "lignes ajoutées"),
             plural(len(diff.removed), "ligne supprimée", "lignes supprimées"),
             plural(n_mod, "ligne modifiée", "lignes modifiées"),
             plural(n_dec, "décision prise ou changée", "décisions prises ou changées")]
    autres = len(lines) - shown
    return {
        "premier": False,
        "depuis": run_label(diff.previous.started),
        "date_precedente": display("date_activite", diff.previous.as_of),
        "resume": ", ".join(parts),
        "membres": out,
        "autres": autres,
        "autres_texte": plural(autres, "autre ligne", "autres lignes"),
        "constats": on_files,
    }
