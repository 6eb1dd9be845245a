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

    by_row: dict[int, list] = {}
    for ch in diff.modified:
        by_row.setdefault(ch.cur, []).append(ch)

    # Every change's sort key first (columns read whole), the lines themselves only for
    # the MAX_LIGNES shown: a month added to a large inbox is thousands of added rows.
    keys: list[tuple[str, tuple, int, Any]] = []   # (matricule, (date, order), kind, row)
    for order, frame, rows in ((0, prev, diff.removed), (1, cur, diff.added), (2, cur, list(by_row))):
        if not rows:
            continue
        part = frame.loc[rows, ["date_activite", "matricule"]]
        for r, d, mat in zip(rows, part["date_activite"].tolist(), part["matricule"].tolist()):
            keys.append((mat or "", (d or "", order), order, r))
    keys.sort(key=lambda t: (t[0], t[1]))
    shown = keys[:MAX_LIGNES]

    # The shown rows of each frame, as dicts (one ``loc`` per frame, not one per row).
    wanted: dict[int, list] = {0: [], 1: []}
    for _mat, _key, order, r in shown:
        wanted[0 if order == 0 else 1].append(r)
    records = {k: (prev if k == 0 else cur).loc[rs].to_dict("index") if rs else {} for k, rs in wanted.items()}

    def line(order: int, r: Any) -> dict[str, Any]:
        if order == 0:
            p = records[0][r]
            return {"genre": "Supprimée", "classe": "supprimee", "activite": _activity(p), "details": [_whole(p)],
                    "source": f"était à : {_source(p['file'], p['sheet'], int(p['row']))}", "constats": []}
        c = records[1][r]
        if order == 1:
            return {"genre": "Ajoutée", "classe": "ajoutee", "activite": _activity(c), "details": [_whole(c)],
                    "source": _source(c["file"], c["sheet"], int(c["row"])), "constats": []}
        changes = by_row[r]
        kinds = {ch.kind for ch in changes}
        genre = ("Décision" if kinds == {"decision"} else
                 "Modifiée" if kinds == {"modifiee"} else "Décision et modification")
        return {"genre": genre, "classe": "modifiee", "activite": _activity(c),
                "details": [f"{LABELS[ch.field]} : {display(ch.field, ch.before)} → {display(ch.field, ch.after)}"
                            for ch in changes],
                "source": _source(c["file"], c["sheet"], int(c["row"])),
                "constats": [_finding_view(f) for f in sort_findings(by_form.get(r, []))]}

    out: list[dict[str, Any]] = []
    for mat, _key, order, r in shown:
        if not out or out[-1]["_m"] != mat:
            out.append({"_m": mat, "matricule": mat or "—",
                        "nom": names.get(mat, "") if mat else "Membre non indiqué", "lignes": []})
        out[-1]["lignes"].append(line(order, r))
    for member in out:
        del member["_m"]
    n_mod = sum(1 for ls in by_row.values() if any(ch.kind == "modifiee" for ch in ls))
    n_dec = sum(1 for ls in by_row.values() if any(ch.kind == "decision" for ch in ls))
    parts = [plural(len(diff.added), "ligne ajoutée", "lignes ajoutées"),
             plural(len(diff.removed), "ligne supprimée", "lignes supprimées"),
             plural(n_mod, "ligne modifiée", "lignes modifiées"),
             plural(n_dec, "décision prise ou changée", "décisions prises ou changées")]
    autres = len(keys) - len(shown)
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
