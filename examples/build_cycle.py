"""The monthly cycle on the example inbox: a second month.

    python examples/build_cycle.py [DOSSIER]      # default: ./cycle-exemple

1. copies ``examples/inbox`` to ``DOSSIER/boite`` and runs the batch into
   ``DOSSIER/sortie`` on 23 November 2026 (the first month);
2. the second month, edited with openpyxl as the treasury would: the CE of 1 December
   adopts November's pending forms and December's workbook arrives; run on 2 December
   (changements.json: decisions taken, rows added);
3. corrections after the fact: an adopted release's hours edited, a release already
   deposited with the employer edited, an adopted release deleted; run on 15 December.

Then ``DOSSIER/sortie`` holds the last run's outputs, the earlier ones are under
``historique/``, ``changements.json`` lists what changed, and the annotated copies,
``constats.json`` and the CE report carry the three changes after the fact
(``modifiee-apres-adoption``, ``modifiee-apres-depot``, ``supprimee-apres-adoption``).
``tests/test_cycle.py`` runs it.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from openpyxl import load_workbook  # noqa: E402

from syndic_batch import cli  # noqa: E402
from syndic_batch.context import Context  # noqa: E402
from syndic_batch.read.inbox import read_inbox  # noqa: E402
from syndic_batch.text import fold  # noqa: E402

D = dt.date
FIRST, MONTH, SECOND = D(2026, 11, 23), D(2026, 12, 2), D(2026, 12, 15)
CE_DECEMBER = D(2026, 12, 1)
TEMPLATE = REPO / "templates" / "formulaires" / "formulaire-liberations.xlsx"
DECEMBER = [  # matricule, name, date, category, description, hours
    ("40123", None, D(2026, 12, 1), "Réunion du Conseil exécutif", "Réunion régulière du 1er décembre", 3.5),
    ("40211", None, D(2026, 12, 1), "Réunion du Conseil exécutif", "Réunion régulière du 1er décembre", 3.5),
    ("40302", None, D(2026, 12, 9), "Réunion du Conseil syndical", "Conseil syndical de décembre", 3.0),
]


def _cell(data, src: int, key: str) -> int:
    return data.sources[src].columns[key][0]


def _pending(boite: Path, as_of: dt.date):
    data = read_inbox(boite)
    ctx = Context(data, as_of=as_of)
    return data, ctx.forms.assign(etat=ctx.decisions)


def new_month(boite: Path) -> list[str]:
    """The CE of 1 December decides November's pending forms; December's workbook arrives."""
    data, forms = _pending(boite, FIRST)
    pending = forms[(forms["etat"] == "non-decidee") & (forms["_file"] == "formulaires/2026-11.xlsx")
                    & (forms["date_reception"] < "2026-12-01") & forms["heures_demandees"].between(0, 8)]
    path = boite / "formulaires/2026-11.xlsx"
    wb = load_workbook(path)
    for _, row in pending.iterrows():
        ws, src = wb[row["_sheet"]], int(row["_src"])
        ws.cell(int(row["_row"]), _cell(data, src, "decision_ce"), "Adoptée")
        ws.cell(int(row["_row"]), _cell(data, src, "date_decision"), CE_DECEMBER).number_format = "yyyy-mm-dd"
    wb.save(path)
    wb = load_workbook(TEMPLATE)
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 21) if fold(ws.cell(r, 1).value) == "matricule")
    cols = {fold(c.value): c.column for c in ws[header] if c.value}  # « Matricule * » → matricule
    for r, (mat, name, day, cat, desc, hours) in enumerate(DECEMBER, start=header + 1):
        values = {"Matricule": mat, "Nom": name, "Date de l'activité": day, "Catégorie": cat,
                  "Description": desc, "Heures demandées": hours, "Date de réception": D(2026, 12, 10)}
        for label, value in values.items():
            if value is not None:
                cell = ws.cell(r, cols[fold(label)], value)
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    wb.save(boite / "formulaires/2026-12.xlsx")
    return [f"le CE du 1er décembre adopte {len(pending)} formulaires de novembre (formulaires/2026-11.xlsx)",
            f"le classeur de décembre arrive : formulaires/2026-12.xlsx ({len(DECEMBER)} lignes)"]


def corrections(boite: Path) -> list[str]:
    """After the fact: an adopted release's hours edited, a deposited release edited, an
    adopted release deleted."""
    data, forms = _pending(boite, SECOND)
    adopted = forms[(forms["etat"] == "adoptee") & forms["date_depot"].isna()
                    & (forms["_file"] == "formulaires/2026-11.xlsx")]
    deposited = forms[(forms["etat"] == "adoptee") & forms["date_depot"].notna()
                      & (forms["_file"] == "formulaires/2026-09.xlsx")]
    edited, deleted, deposit = adopted.iloc[0], adopted.iloc[-1], deposited.iloc[6]
    path = boite / "formulaires/2026-11.xlsx"
    wb = load_workbook(path)
    ws, src = wb[edited["_sheet"]], int(edited["_src"])
    ws.cell(int(edited["_row"]), _cell(data, src, "heures_demandees"), float(edited["heures_demandees"]) + 1.5)
    ws.delete_rows(int(deleted["_row"]))
    wb.save(path)
    path = boite / "formulaires/2026-09.xlsx"
    wb = load_workbook(path)
    ws, src = wb[deposit["_sheet"]], int(deposit["_src"])
    ws.cell(int(deposit["_row"]), _cell(data, src, "heures_demandees"), float(deposit["heures_demandees"]) + 2.0)
    wb.save(path)
    return [f"heures d'une libération adoptée modifiées : {edited['_file']}, ligne {int(edited['_row'])}",
            f"libération adoptée supprimée : {deleted['_file']}, ligne {int(deleted['_row'])}",
            f"libération déjà déposée à l'Employeur modifiée : {deposit['_file']}, ligne {int(deposit['_row'])}"]


def _report(sortie: Path) -> None:
    changes = json.loads((sortie / "changements.json").read_text(encoding="utf-8"))
    kinds: dict[str, int] = {}
    for c in changes:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    print("   changements.json : " + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "aucun"))
    for f in json.loads((sortie / "constats.json").read_text(encoding="utf-8")):
        if f["rule"] in ("modifiee-apres-adoption", "modifiee-apres-depot", "supprimee-apres-adoption"):
            where = f["file"] + (f", ligne {f['row']}, colonne « {f['column']} »" if f["row"] else "")
            print(f"   constat {f['rule']} ({f['severity']}) : {where}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else Path("cycle-exemple")
    boite, sortie = target / "boite", target / "sortie"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(HERE / "inbox", boite)
    steps = [(FIRST, []), (MONTH, new_month), (SECOND, corrections)]
    code = 0
    for n, (day, change) in enumerate(steps, start=1):
        if change:
            print("   Dans la boîte de réception :")
            for line in change(boite):
                print(f"   - {line}")
        print(f"{n}. Traitement du {day.isoformat()} dans {sortie}")
        code = cli.main(["run", str(boite), "--out", str(sortie), "--date", day.isoformat(), "-q"])
        _report(sortie)
    print(f"Les résultats des traitements précédents sont dans {sortie / 'historique'}.")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
