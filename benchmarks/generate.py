"""Write a large synthetic inbox for the benchmarks.

    python benchmarks/generate.py --out /tmp/bench --rows 100000 --files 12 --members 2000 [--seed 1]

The inbox has a register (``registre.xlsx``), a bank and calendar workbook
(``banque-et-calendrier.xlsx``) and ``--files`` monthly form workbooks
(``formulaires/AAAA-MM.xlsx``, one per month from September 2025). About 1 % of
the rows carry a problem of one of many kinds (see ``PROBLEMS``); a few text
dates and decimal commas make the reader parse text. Same seed, same inbox.
Written with XlsxWriter in ``constant_memory`` mode (one row in memory at a time,
strings written inline), so that a 1,000,000-row inbox takes minutes, not hours.

``--hostile KIND`` writes instead the hostile workbooks of issue 11 into ``--out``
(see ``hostile_files.py``): a form with a million empty formatted rows, a sheet of
4 million cells, a 1 MB zip bomb, a sheet of 20 rows × 16,384 text columns.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import xlsxwriter  # noqa: E402

from syndic_batch.config import DEFAULT_PARAMS  # noqa: E402
from syndic_batch.read.fields import BANK_FIELDS, CALENDAR_FIELDS, FORM_FIELDS, MEMBER_FIELDS  # noqa: E402

D = dt.date
START = D(2025, 9, 1)
AS_OF = D(2026, 8, 31)
KEYS = [f.key for f in FORM_FIELDS]
FIRST = ["Amélie", "Benoît", "Chloé", "David", "Élise", "Félix", "Geneviève", "Hugo", "Isabelle", "Jérôme",
         "Karine", "Louis", "Mélanie", "Nicolas", "Olivia", "Pierre", "Rosalie", "Samuel", "Thérèse", "Vincent"]
LAST = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné",
        "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard"]
# Categories drawn for ordinary rows: no regional meetings (their 3-per-meeting cap is
# exercised by PROBLEMS), no Déplacement (needs a distance), no 4.2/4.3 categories.
ORDINARY = [c for c in DEFAULT_PARAMS.categories_liberables
            if c not in DEFAULT_PARAMS.categories_reunions_regionales and c != DEFAULT_PARAMS.categorie_deplacement]


class Book:
    """A workbook written row by row with XlsxWriter's constant-memory mode.
    ``sheet(name).append(values)`` like openpyxl's write-only mode; dates get a
    date format (``None`` leaves the cell empty)."""

    def __init__(self, path: Path):
        self.wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "default_date_format": "yyyy-mm-dd",
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
        self.date_fmt = self.wb.add_format({"num_format": "yyyy-mm-dd"})

    def sheet(self, name: str) -> "_Sheet":
        return _Sheet(self, self.wb.add_worksheet(name))

    def save(self) -> None:
        self.wb.close()


class _Sheet:
    def __init__(self, book: Book, ws):
        self.book, self.ws, self.row = book, ws, 0

    def append(self, values) -> None:
        ws, r, date_fmt = self.ws, self.row, self.book.date_fmt
        for c, v in enumerate(values):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif isinstance(v, (int, float)):
                ws.write_number(r, c, v)
            elif isinstance(v, (dt.date, dt.datetime)):
                ws.write_datetime(r, c, v, date_fmt)
            else:
                ws.write(r, c, v)
        self.row += 1


def _months(n: int) -> list[tuple[int, int]]:
    out, y, m = [], START.year, START.month
    for _ in range(n):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


SMALL_MEMBERS = 50  # the small valid inbox beside each hostile workbook (benchmarks/hostile.py)


def make_members(rng: random.Random, n: int) -> list[tuple[str, str]]:
    return [(str(40000 + i), f"{rng.choice(FIRST)} {rng.choice(LAST)}") for i in range(n)]


def ce_dates(until: dt.date) -> list[dt.date]:
    """CE on the 1st and 3rd Tuesday of each month."""
    out = []
    for y, m in _months(36):
        first = D(y, m, 1)
        tue = first + dt.timedelta(days=(1 - first.weekday()) % 7)
        out += [tue, tue + dt.timedelta(days=14)]
    return [d for d in out if d <= until + dt.timedelta(days=60)]


def write_register(path: Path, members: list[tuple[str, str]], rng: random.Random) -> None:
    wb = Book(path)
    ws = wb.sheet("Membres")
    ws.append([f.label for f in MEMBER_FIELDS])
    for mat, name in members:
        rate = round(rng.uniform(24, 48), 2)
        start = D(rng.randint(2005, 2024), rng.choice([1, 8]), rng.randint(1, 28))
        r = rng.random()
        if r < 0.08:      # ended during the year: art. 2.3
            ws.append([mat, name, start, D(2026, rng.randint(1, 6), 15), rate])
        elif r < 0.18:    # a second, overlapping contract: art. 2.2
            ws.append([mat, name, start, None, rate])
            ws.append([mat, name, D(2025, 10, 1), D(2026, 4, 30), round(rate + rng.uniform(-5, 5), 2)])
        else:
            ws.append([mat, name, start, None, rate])
    wb.save()


def write_bank_calendar(path: Path, rows: int) -> None:
    wb = Book(path)
    bank = wb.sheet("Banque")
    bank.append([f.label for f in BANK_FIELDS])
    # ~2.4 h adopted per row: the bank is crossed near the end of the data, the budget soon after
    hours, budget = float(round(rows * 2.3, -1)), float(round(rows * 1.0, -1))
    bank.append([D(2025, 9, 1), hours, budget])
    bank.append([D(2026, 9, 1), hours, budget])
    cal = wb.sheet("Calendrier")
    cal.append([f.label for f in CALENDAR_FIELDS])
    for d in ce_dates(AS_OF):
        cal.append([d, "CE"])
    for y, m in _months(24):
        cal.append([D(y, m, 10), "CS"])
        if m in (6, 12):
            cal.append([D(y, m, 18), "AG"])
    wb.save()


PROBLEMS = [
    "matricule-inconnu", "date-illisible", "heures-0", "heures-25", "categorie-inconnue", "deplacement-court",
    "congres-ftq", "organisme-payeur", "ag-sans-justification", "reception-tardive", "depot-refuse",
    "decision-inconnue", "accordees-superieures", "doublon", "crqca-4", "champ-vide", "taux-declare",
]


def _decide(rec: dt.date, ces: list[dt.date]) -> tuple[dt.date | None, dt.date | None]:
    ce = next((d for d in ces if d > rec), None)
    if ce is None or ce > AS_OF:
        return None, None
    dep = ce + dt.timedelta(days=3)
    return ce, dep if dep <= AS_OF else None


def make_row(rng: random.Random, members: list[tuple[str, str]], y: int, m: int,
             ces: list[dt.date]) -> dict:
    mat, name = rng.choice(members)
    day = D(y, m, rng.randint(1, 28))
    rec = day + dt.timedelta(days=rng.randint(0, 20))
    dec, dep = _decide(rec, ces)
    row = {"matricule": mat, "nom": name, "date_activite": day, "categorie": rng.choice(ORDINARY),
           "description": "Activité syndicale", "heures_demandees": rng.choice([1, 1.5, 2, 2.5, 3, 3.5, 4]),
           "date_reception": rec}
    if dec is not None:
        row.update(decision_ce="Adoptée", date_decision=dec, date_depot=dep)
    r = rng.random()
    if r < 0.03:
        row["date_activite"] = day.strftime("%d/%m/%Y")       # text date, readable
    elif r < 0.06:
        row["heures_demandees"] = str(row["heures_demandees"]).replace(".", ",")
    if rng.random() < 0.05:
        row["reference_plan"] = rng.choice(["1.2 a", "2.3 b", "3.1", "4.2 c"])
    return row


def spoil(row: dict, kind: str, rng: random.Random) -> dict:
    """Give one row one problem."""
    if kind == "matricule-inconnu":
        row["matricule"] = "99" + row["matricule"]
    elif kind == "date-illisible":
        row["date_activite"] = "31/02/2026"
    elif kind == "heures-0":
        row["heures_demandees"] = 0
    elif kind == "heures-25":
        row["heures_demandees"] = 25
    elif kind == "categorie-inconnue":
        row["categorie"] = "Colloque"
    elif kind == "deplacement-court":
        row.update(categorie=DEFAULT_PARAMS.categorie_deplacement, distance_km=rng.choice([120, 250, 299]))
    elif kind == "congres-ftq":
        row.update(categorie=DEFAULT_PARAMS.categorie_congres, organisme=rng.choice(DEFAULT_PARAMS.organismes_congres))
    elif kind == "organisme-payeur":
        row.update(organisme_payeur="Organisme externe", montant_organisme_payeur=rng.choice([20.0, 500.0]))
    elif kind == "ag-sans-justification":
        row["categorie"] = rng.choice(DEFAULT_PARAMS.categories_exceptionnelles)
    elif kind == "reception-tardive":
        d = row["date_activite"]
        if isinstance(d, dt.date):
            row["date_reception"] = d + dt.timedelta(days=120)
    elif kind == "depot-refuse":
        if row.get("decision_ce"):
            row["decision_ce"] = "Refusée"
            row["date_depot"] = row["date_decision"] + dt.timedelta(days=2)
    elif kind == "decision-inconnue":
        if row.get("decision_ce"):
            row["decision_ce"], row["date_depot"] = "Accepté", None
    elif kind == "accordees-superieures":
        h = row["heures_demandees"]
        row["heures_accordees"] = (float(str(h).replace(",", ".")) + 1) if h is not None else None
    elif kind == "champ-vide":
        row["date_reception"] = None
    elif kind == "taux-declare":
        row["taux_declare"] = 19.99
    return row


def write_month(path: Path, rng: random.Random, members: list[tuple[str, str]], y: int, m: int, n: int,
                ces: list[dt.date], last_rows: list[dict]) -> int:
    """One monthly form workbook of ``n`` rows; returns how many rows carry a problem.
    ``last_rows`` (a sample of rows already written, for duplicates) is updated."""
    problems = 0
    wb = Book(path)
    ws = wb.sheet("Formulaires")
    ws.append([f.label for f in FORM_FIELDS])
    written = 0
    while written < n:
        if rng.random() < 0.01:
            kind = rng.choice(PROBLEMS)
            problems += 1
            if kind == "doublon" and last_rows:
                batch = [dict(rng.choice(last_rows))]
            elif kind == "crqca-4":
                base = make_row(rng, members, y, m, ces)
                batch = []
                for _ in range(min(4, n - written)):
                    r = make_row(rng, members, y, m, ces)
                    r.update(categorie=DEFAULT_PARAMS.categories_reunions_regionales[0],
                             date_activite=base["date_activite"], reunion=f"CRQCA {base['date_activite']}")
                    batch.append(r)
            else:
                batch = [spoil(make_row(rng, members, y, m, ces), kind, rng)]
        else:
            batch = [make_row(rng, members, y, m, ces)]
        for r in batch:
            ws.append([r.get(k) for k in KEYS])
            written += 1
            if len(last_rows) < 1000:
                last_rows.append(r)
            else:
                last_rows[rng.randrange(1000)] = r
    wb.save()
    return problems


def one_month(out: Path, month: str, rows: int, members_n: int, seed: int) -> Path:
    """One more monthly workbook ``formulaires/AAAA-MM.xlsx`` for the members of the
    inbox ``generate`` wrote with the same ``members_n`` and ``seed`` (its rows are
    drawn from another stream, so they are new rows)."""
    y, m = (int(x) for x in month.split("-"))
    members = make_members(random.Random(seed), members_n)
    rng = random.Random(seed * 1_000_003 + y * 100 + m)
    path = out / "formulaires" / f"{y}-{m:02d}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_month(path, rng, members, y, m, rows, ce_dates(AS_OF), [])
    return path


def generate(out: Path, rows: int, files: int, members_n: int, seed: int) -> dict:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "formulaires").mkdir(exist_ok=True)
    members = make_members(rng, members_n)
    write_register(out / "registre.xlsx", members, rng)
    write_bank_calendar(out / "banque-et-calendrier.xlsx", rows)
    ces = ce_dates(AS_OF)
    months = _months(files)
    per_file = [rows // files + (1 if i < rows % files else 0) for i in range(files)]
    problems = 0
    last_rows: list[dict] = []
    for (y, m), n in zip(months, per_file):
        problems += write_month(out / "formulaires" / f"{y}-{m:02d}.xlsx", rng, members, y, m, n, ces, last_rows)
    return {"rows": rows, "files": files, "members": members_n, "problems": problems}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Génère une boîte de réception synthétique pour les bancs d'essai.")
    ap.add_argument("--out", type=Path, required=True, help="dossier à créer")
    ap.add_argument("--rows", type=int, default=100_000, help="lignes de formulaires (total)")
    ap.add_argument("--files", type=int, default=12, help="classeurs mensuels de formulaires")
    ap.add_argument("--members", type=int, default=2000, help="membres au registre")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hostile", default=None, metavar="GENRE",
                    help="écrire plutôt les classeurs hostiles de l'issue 11 dans --out : "
                         "lignes-formatees, 4m-cellules, bombe-zip, 16384-colonnes ou all")
    ap.add_argument("--un-mois", default=None, metavar="AAAA-MM",
                    help="écrire seulement le classeur formulaires/AAAA-MM.xlsx de --rows lignes, pour les "
                         "membres de la boîte générée avec les mêmes --members et --seed")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    if args.un_mois:
        p = one_month(args.out, args.un_mois, args.rows, args.members, args.seed)
        print(f"{p} : {args.rows} lignes en {time.perf_counter() - t:.1f} s")
        return 0
    if args.hostile:
        from benchmarks import hostile_files

        kinds = hostile_files.KINDS if args.hostile == "all" else (args.hostile,)
        for kind in kinds:
            if kind not in hostile_files.KINDS:
                ap.error(f"genre inconnu : « {kind} » ({', '.join(hostile_files.KINDS)} ou all)")
            t = time.perf_counter()
            p = hostile_files.write_kind(kind, args.out, args.seed)
            print(f"{p} : {p.stat().st_size / 1024 / 1024:.1f} Mo en {time.perf_counter() - t:.1f} s")
        return 0
    info = generate(args.out, args.rows, args.files, args.members, args.seed)
    print(f"{info['rows']} lignes dans {info['files']} classeurs, {info['members']} membres, "
          f"{info['problems']} lignes à problème ; écrit dans {args.out} en {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
