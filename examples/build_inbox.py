"""Build the realistic example inbox and the blank form templates.

    python examples/build_inbox.py            # rewrites examples/inbox/ and templates/formulaires/

Deterministic: the same workbooks (to the byte) every run. The inbox is what a
small union (STEP) treasurer would drop in the folder on 23 November 2026, for
the bank year that began on 1 September 2026:

    registre/registre-des-membres.xlsx      15 members, 18 contracts
    registre/banque-et-calendrier.xlsx      sheets Banque and Calendrier
    formulaires/2026-09.xlsx                made from the blank template
    formulaires/2026-10.xlsx                other header spellings, another column order,
                                            a title row, text dates, decimal commas
    formulaires/2026-11.xlsx                made from the blank template
    plan/plan-d-action-2018-2021.xlsx       examples/make_plan.py:write_seed_plan

Most rows are clean; the rows listed in ``EXPECTED`` (and in examples/README.md,
generated from it) are there to exercise one check of domain.md each.
``tests/test_examples.py`` runs the batch on the inbox and checks them all.
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for _p in (REPO, HERE):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from make_plan import EXAMPLE_STATUSES, save_reproducibly, write_seed_plan  # noqa: E402
from syndic_batch import formatting as fmt  # noqa: E402
from syndic_batch import modeles  # noqa: E402
from syndic_batch.config import DEFAULT_PARAMS  # noqa: E402
from syndic_batch.read.fields import DATE, FORM_FIELDS, NUMBER, STATEMENT_FIELDS, Field  # noqa: E402

D = dt.date
AS_OF = D(2026, 11, 23)
INBOX = HERE / "inbox"
TEMPLATES = REPO / "templates" / "formulaires"
FIXED_TIME = (2026, 11, 23, 8, 0, 0)

# ---------------------------------------------------------------- saving, byte for byte

def save(wb: Workbook, path: Path) -> Path:
    """Save ``wb`` so that two runs give the same bytes (see ``make_plan.save_reproducibly``)."""
    return save_reproducibly(wb, path, "STEP — trésorerie", FIXED_TIME)


# ---------------------------------------------------------------- look of the sheets

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TITLE_FONT = Font(bold=True, size=14, color="1F4E79")
DATE_FORMAT = "yyyy-mm-dd"
HOURS_FORMAT = "0.0#"
MONEY_FORMAT = '#,##0.00 "$"'


def _width(f: Field | None, label: str) -> float:
    base = {"description": 40, "justification": 40, "reunion": 28, "categorie": 34, "nom": 26,
            "organisme": 18, "organisme_payeur": 22}
    key = f.key if f else ""
    return max(base.get(key, 0), min(len(label) + 3, 30), 12)


def _number_format(f: Field) -> str | None:
    if f.kind == DATE:
        return DATE_FORMAT
    if f.kind == NUMBER:
        return MONEY_FORMAT if "$" in f.label else HOURS_FORMAT
    return None


def write_table(ws, columns: list[tuple[Field | None, str]], rows: list[dict[str, Any]],
                title_rows: list[str] = (), formats: bool = True) -> int:
    """Title rows, a styled header row, then the data rows. ``columns`` is the
    order of the columns: (field or None for an extra column, header as written).
    A row is a dict keyed by field key (or by header, for the extra columns).
    Returns the header's row number."""
    for i, t in enumerate(title_rows, start=1):
        ws.cell(i, 1, t).font = TITLE_FONT
    header_row = len(title_rows) + 2 if title_rows else 1
    for c, (f, label) in enumerate(columns, start=1):
        cell = ws.cell(header_row, c, label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = _width(f, label)
    for r, row in enumerate(rows, start=header_row + 1):
        for c, (f, label) in enumerate(columns, start=1):
            value = row.get(f.key) if f else row.get(label)
            if value is None:
                continue
            cell = ws.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # what the member typed is text, never a formula
            if formats and f is not None and _number_format(f) and not isinstance(value, str):
                cell.number_format = _number_format(f)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    return header_row


# ---------------------------------------------------------------- the blank templates (syndic_batch.modeles)

def build_templates(folder: Path = TEMPLATES) -> list[Path]:
    """The blank templates, written by the package (``syndic-batch modeles`` uses the same code)."""
    return modeles.build_templates(folder, DEFAULT_PARAMS)


# ---------------------------------------------------------------- the union: register, bank, calendar

def _contract(mat, nom, debut, taux, fin=None):
    return {"matricule": mat, "nom": nom, "debut_contrat": debut, "fin_contrat": fin, "taux_horaire": taux}


MEMBERS = [
    _contract("40123", "Geneviève Tremblay", D(2015, 8, 24), 38.42),
    _contract("40187", "Mathieu Gagnon", D(2017, 1, 9), 34.10),
    # a second contract overlapping the first, at a higher rate (art. 2.2: the highest applies)
    _contract("40187", "Mathieu Gagnon", D(2026, 9, 1), 41.25, D(2026, 12, 18)),
    _contract("40211", "Sophie Bouchard", D(2018, 8, 27), 36.75),
    _contract("40258", "Jean-François Côté", D(2019, 1, 7), 31.90),
    # ended before the bank year: art. 2.3, the last contract's rate
    _contract("40302", "Marie-Ève Pelletier", D(2016, 8, 22), 33.50, D(2026, 8, 31)),
    # two contracts one after the other
    _contract("40345", "Olivier Lavoie", D(2022, 1, 10), 29.80, D(2026, 6, 30)),
    _contract("40345", "Olivier Lavoie", D(2026, 8, 24), 32.40),
    _contract("40376", "Catherine Morin", D(2020, 8, 24), 35.20),
    _contract("40419", "Félix Bélanger", D(2021, 1, 11), 30.15),
    # overlapping contracts, the new one at a lower rate: the older, higher one applies
    _contract("40452", "Isabelle Gauthier", D(2014, 8, 25), 37.60),
    _contract("40452", "Isabelle Gauthier", D(2026, 10, 1), 33.00, D(2027, 4, 30)),
    _contract("40488", "Alexandre Fortin", D(2023, 8, 28), 28.95),
    _contract("40513", "Nathalie Lévesque", D(2012, 8, 27), 39.80),
    _contract("40547", "Samuel Girard", D(2021, 8, 23), 32.70),
    _contract("40581", "Audrey Ouellet", D(2019, 8, 26), 34.85),
    _contract("40626", "Maxime Paquette", D(2020, 1, 6), 30.50, D(2025, 12, 19)),
    _contract("40659", "Émilie Simard", D(2024, 1, 8), 36.10),
]
NAMES = {m["matricule"]: m["nom"] for m in MEMBERS}

BANK = [
    {"date_renouvellement": D(2025, 9, 1), "heures_allouees": 600.0, "budget_fonds": 2500.0},
    {"date_renouvellement": D(2026, 9, 1), "heures_allouees": 350.0, "budget_fonds": 1200.0},
]


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    d = D(year, month, 1)
    d += dt.timedelta(days=(weekday - d.weekday()) % 7)
    return d + dt.timedelta(weeks=n - 1)


def _months(start: dt.date, end: dt.date):
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


TUE, WED, THU = 1, 2, 3


def calendar_rows() -> list[dict[str, Any]]:
    """CE on the 1st and 3rd Tuesday, CS on the 2nd Wednesday (none in July),
    AG on the 3rd Thursday of June and the 2nd Thursday of December."""
    rows = []
    for y, m in _months(D(2025, 9, 1), D(2027, 8, 31)):
        rows.append({"date": _nth_weekday(y, m, TUE, 1), "instance": "CE"})
        if m != 7:
            rows.append({"date": _nth_weekday(y, m, WED, 2), "instance": "CS"})
        rows.append({"date": _nth_weekday(y, m, TUE, 3), "instance": "CE"})
        if m == 6:
            rows.append({"date": _nth_weekday(y, m, THU, 3), "instance": "AG"})
        if m == 12:
            rows.append({"date": _nth_weekday(y, m, THU, 2), "instance": "AG"})
    return sorted(rows, key=lambda r: (r["date"], r["instance"]))


CALENDAR = calendar_rows()
CE_DATES = [r["date"] for r in CALENDAR if r["instance"] == "CE"]
CS_DATES = [r["date"] for r in CALENDAR if r["instance"] == "CS"]


def next_ce(received: dt.date) -> dt.date:
    """The CE meeting that decides a form: the first one after the day it was received."""
    return next(d for d in CE_DATES if d > received)


# ---------------------------------------------------------------- form rows

@dataclass
class Expect:
    """A finding the batch must report on one example row."""

    article: str | None
    rule: str | None          # None: any rule id of that article
    severity: str
    why: str                  # the README's words


@dataclass
class Row:
    values: dict[str, Any]
    expects: list[Expect] = field(default_factory=list)
    clean: bool = False       # listed in the README as a clean boundary case: no finding at all


def row(mat: str, activity: dt.date, category: str, hours: float | str | None, received: dt.date | str | None,
        *, decision: str | None = "auto", expects: list[Expect] = (), clean: bool = False, **kw) -> Row:
    """A form row as the treasury keeps it: decided at the first CE meeting after
    its reception (if that meeting has passed), deposited three days later (if
    that day has passed). ``decision=None`` leaves it undecided; any other text
    is written as is, with that meeting's date."""
    v: dict[str, Any] = {"matricule": mat, "nom": NAMES.get(mat, kw.pop("nom", None)),
                         "date_activite": activity, "categorie": category,
                         "heures_demandees": hours, "date_reception": received}
    v.update({k: val for k, val in kw.items() if k not in ("date_decision", "date_depot")})
    rec = _as_date(received)
    if decision == "auto":
        decision = "Adoptée"
    if decision is not None and rec is not None:
        ce = kw.get("date_decision", next_ce(rec))
        if ce <= AS_OF:
            v["decision_ce"], v["date_decision"] = decision, ce
            deposit = kw.get("date_depot", ce + dt.timedelta(days=3) if decision == "Adoptée" else None)
            if deposit is not None and deposit <= AS_OF:
                v["date_depot"] = deposit
    elif decision is not None:
        v["decision_ce"] = decision
    if "date_depot" in kw and kw["date_depot"] is not None:
        v["date_depot"] = kw["date_depot"]
    return Row(v, list(expects), clean)


E, A, I = "erreur", "avertissement", "info"
EXEC = ["40123", "40187", "40211", "40258", "40376"]          # the CE
CS_DELEGATES = ["40302", "40345", "40419", "40488", "40547", "40659"]
NEGO = ["40187", "40452", "40513"]                            # the bargaining committee


def _ce_meetings(month: int, received_delay: int = 2) -> list[Row]:
    rows = []
    for ce in [d for d in CE_DATES if d.year == 2026 and d.month == month]:
        for mat in EXEC:
            rows.append(row(mat, ce, "Réunion du Conseil exécutif", 3.5, ce + dt.timedelta(days=received_delay),
                            description="Réunion régulière du CE", reunion=f"CE du {ce.day} {MONTHS_FR[month]}"))
    return rows


MONTHS_FR = {9: "septembre", 10: "octobre", 11: "novembre"}


def _cs_meeting(month: int) -> list[Row]:
    cs = next(d for d in CS_DATES if d.year == 2026 and d.month == month)
    return [row(mat, cs, "Réunion du Conseil syndical", 3.0, cs + dt.timedelta(days=1),
                description="Conseil syndical mensuel", reunion=f"CS du {cs.day} {MONTHS_FR[month]}")
            for mat in CS_DELEGATES]


def september() -> list[Row]:
    rows = _ce_meetings(9) + _cs_meeting(9)
    rows += [
        # an August activity received in September: charged to the 2025-2026 bank year
        row("40581", D(2026, 8, 20), "Formation syndicale", 6.0, D(2026, 9, 3),
            description="Formation « Santé et sécurité au travail » (FTQ)", reference_plan="1.2 a"),
        row("40211", D(2026, 9, 7), "Fonctions du Conseil exécutif", 4.0, D(2026, 9, 8),
            description="Trésorerie : préparation du dépôt mensuel", taux_declare=36.75),
        row("40211", D(2026, 9, 21), "Fonctions du Conseil exécutif", 4.0, D(2026, 9, 22),
            description="Trésorerie : conciliation bancaire"),
        row("40123", D(2026, 9, 8), "Fonctions du Conseil exécutif", 5.0, D(2026, 9, 10),
            description="Présidence : suivi des dossiers de griefs", reference_plan="3.2 a"),
        row("40123", D(2026, 9, 22), "Fonctions du Conseil exécutif", 5.0, D(2026, 9, 24),
            description="Présidence : rencontre des relations de travail"),
        row("40452", D(2026, 9, 10), "Réunion d'un comité de négociation", 6.0, D(2026, 9, 11),
            description="Préparation du cahier de demandes", reference_plan="3.1 c"),
        row("40513", D(2026, 9, 10), "Réunion d'un comité de négociation", 6.0, D(2026, 9, 11),
            description="Préparation du cahier de demandes", reference_plan="3.1 c"),
        row("40187", D(2026, 9, 10), "Réunion d'un comité de négociation", 6.0, D(2026, 9, 11),
            description="Préparation du cahier de demandes", reference_plan="3.1 c"),
        row("40659", D(2026, 9, 16), "Comité (préparation ou rencontre)", 3.0, D(2026, 9, 17),
            description="Comité de mobilisation : plan d'automne", reference_plan="2.3 c"),
        row("40547", D(2026, 9, 16), "Comité (préparation ou rencontre)", 3.0, D(2026, 9, 17),
            description="Comité de mobilisation : plan d'automne", reference_plan="2.3 c"),
        # three members at the September CRQCA: the limit, no finding
        row("40123", D(2026, 9, 19), "Réunion du CRQCA", 6.0, D(2026, 9, 22), reunion="CRQCA — 19 septembre 2026",
            organisme="CRQCA"),
        row("40376", D(2026, 9, 19), "Réunion du CRQCA", 6.0, D(2026, 9, 22), reunion="CRQCA — 19 septembre 2026",
            organisme="CRQCA"),
        row("40419", D(2026, 9, 19), "Réunion du CRQCA", 6.0, D(2026, 9, 23), reunion="CRQCA — 19 septembre 2026",
            organisme="CRQCA"),
        row("40581", D(2026, 9, 25), "Représentation", 4.0, D(2026, 9, 28),
            description="Représentation à la table régionale intersyndicale", reference_plan="4.3 a"),
        # a clean row whose description a member typed like a formula: kept as text
        row("40488", D(2026, 9, 26), "Comité (préparation ou rencontre)", 2.5, D(2026, 9, 28),
            description="=SOMME(A1:A3)", clean=True),
        row("40302", D(2026, 9, 9), "Mandat d'une instance", 2.0, D(2026, 9, 10), taux_declare=33.50,
            description="Mandat du CS : compte rendu aux membres", clean=True),
        # received exactly three months after the activity (30 June → 30 September): on time
        row("40345", D(2026, 6, 30), "Formation syndicale", 6.0, D(2026, 9, 30),
            description="Formation des délégués (AFPC-Québec)", clean=True),
        # --- the checks -------------------------------------------------------
        row("40419", D(2026, 9, 14), "Comité (préparation ou rencontre)", None, D(2026, 9, 15), decision="En dépôt",
            description="Comité SST",
            expects=[Expect("5.1", "champ-obligatoire", E, "« Heures demandées » vide")]),
        row("40132", D(2026, 9, 17), "Comité (préparation ou rencontre)", 3.0, D(2026, 9, 18), decision="En dépôt",
            nom="Geneviève Tremblay", description="Comité des statuts (matricule mal recopié)",
            expects=[Expect("2.1", "membre-inconnu", E, "matricule 40132 absent du registre")]),
        row("40547", D(2026, 6, 10), "Formation syndicale", 6.0, D(2026, 9, 22), decision="Refusée",
            description="Formation sur le régime de retraite",
            expects=[Expect("5.5", "delai-reception", E, "reçu le 22 septembre pour une activité du 10 juin")]),
        row("40258", D(2026, 9, 24), "Déplacement", 3.0, D(2026, 9, 28), decision="Refusée", distance_km=280,
            description="Aller-retour Québec–Trois-Rivières pour une formation",
            expects=[Expect("4.1", "deplacement-moins-de-300-km", E, "Déplacement de 280 km")]),
        row("40258", D(2026, 9, 24), "Formation syndicale", 4.5, D(2026, 9, 28),
            description="Formation « Négocier en temps de crise » à Trois-Rivières"),
        row("40581", D(2026, 9, 29), "Déplacement", 3.0, D(2026, 9, 30), distance_km=300,
            description="Aller-retour Québec–Sherbrooke (conseil régional)", clean=True),
        row("40581", D(2026, 9, 29), "Représentation", 5.0, D(2026, 9, 30),
            description="Conseil régional de l'Estrie : 5 h + 3 h de route = 8 h, la limite", clean=True),
        row("40376", D(2026, 9, 24), "Comité (préparation ou rencontre)", 3.0, D(2026, 9, 25),
            description="Comité des communications : infolettre", reference_plan="2.3 a"),
        row("40187", D(2026, 9, 30), "Réunion d'un comité de négociation", 6.0, D(2026, 9, 30),
            description="Séance de négociation avec l'Employeur",
            justification="Séance prolongée jusqu'à 21 h à la demande de l'Employeur (dépôt patronal)",
            expects=[Expect("4.5", "heures-par-jour", A, "9 h le 30 septembre sur deux classeurs, justifiées")]),
        row("40513", D(2026, 9, 15), "Représentation", 3.0, D(2026, 9, 17), decision="Refusée",
            description="Représentation au colloque régional", date_depot=D(2026, 10, 9),
            expects=[Expect("5.4", None, E, "dépôt à l'Employeur d'une ligne refusée")]),
        row("40659", D(2026, 9, 23), "Formation syndicale", 6.0, D(2026, 9, 24),
            description="Formation des nouveaux délégués", reference_plan="9.9",
            expects=[Expect(None, "reference-plan-inconnue", A, "référence « 9.9 » absente du plan")]),
    ]
    return rows


def october() -> list[Row]:
    rows = _ce_meetings(10) + _cs_meeting(10)
    crqca = "CRQCA — 17 octobre 2026"
    rows += [
        row("40211", "05/10/2026", "Fonctions du Conseil exécutif", "4", "06/10/2026", decision="auto",
            description="Trésorerie : préparation du dépôt mensuel"),
        row("40123", D(2026, 10, 13), "Fonctions du Conseil exécutif", 5.0, "14 octobre 2026",
            description="Présidence : préparation de l'AGE"),
        row("40452", D(2026, 10, 8), "Réunion d'un comité de négociation", "6,5", D(2026, 10, 9),
            description="Analyse du dépôt patronal", reference_plan="3.1 a", taux_declare=37.60),
        row("40513", D(2026, 10, 8), "Réunion d'un comité de négociation", "6,5", D(2026, 10, 9),
            description="Analyse du dépôt patronal", reference_plan="3.1 a"),
        row("40345", D(2026, 10, 15), "Comité (préparation ou rencontre)", "3,5", D(2026, 10, 16),
            description="Comité d'accueil des nouveaux membres", reference_plan="3.3 b"),
        row("40659", D(2026, 10, 21), "Formation syndicale", 7.0, D(2026, 10, 22),
            description="Formation « Les griefs, de A à Z »", reference_plan="1.2 b"),
        row("40488", D(2026, 10, 21), "Formation syndicale", 7.0, D(2026, 10, 22),
            description="Formation « Les griefs, de A à Z »", reference_plan="1.2 b"),
        row("40211", D(2026, 10, 19), "Fonctions du Conseil exécutif", 4.0, D(2026, 10, 19),
            description="Trésorerie : préparation du rapport au CS"),
        # the two forms of 30 September: this one is the second file's part of the day
        row("40187", "30/09/2026", "Fonctions du Conseil exécutif", "3", "2 octobre 2026",
            description="Compte rendu de la séance de négociation",
            justification="Séance prolongée jusqu'à 21 h à la demande de l'Employeur (dépôt patronal)",
            expects=[Expect("4.5", "heures-par-jour", A, "9 h le 30 septembre sur deux classeurs, justifiées")]),
        # four members at one CRQCA meeting: the last received is the fourth
        row("40123", D(2026, 10, 17), "Réunion du CRQCA", 6.0, D(2026, 10, 19), reunion=crqca, organisme="CRQCA"),
        row("40419", D(2026, 10, 17), "Réunion du CRQCA", 6.0, D(2026, 10, 27), reunion=crqca, organisme="CRQCA",
            decision="Refusée",
            expects=[Expect("4.1", "trois-par-reunion", E, "4e membre (par date de réception) au CRQCA du 17 octobre")]),
        row("40376", D(2026, 10, 17), "Réunion du CRQCA", 6.0, D(2026, 10, 19), reunion=crqca, organisme="CRQCA"),
        row("40547", D(2026, 10, 17), "Réunion du CRQCA", 6.0, D(2026, 10, 20), reunion=crqca, organisme="CRQCA"),
        # --- the checks -------------------------------------------------------
        row("40258", "31/09/2026", "Comité (préparation ou rencontre)", "3", D(2026, 10, 2), decision="En dépôt",
            description="Comité des statuts",
            expects=[Expect("5.1", "date-illisible", E, "date « 31/09/2026 » qui n'existe pas")]),
        row("40488", D(2026, 10, 7), "Comité (préparation ou rencontre)", 0, D(2026, 10, 8), decision="En dépôt",
            description="Comité de mobilisation (heures à préciser)",
            expects=[Expect("5.1", "heures-hors-limites", E, "0 h demandée")]),
        row("40187", D(2026, 10, 7), "Réunion d'un comité de négociation", 6.0, D(2026, 10, 9), taux_declare=34.10,
            description="Séance de négociation",
            expects=[Expect("2.2", "taux-declare-different", A,
                            "taux déclaré 34,10 $ au lieu de 41,25 $ (deux contrats, le plus élevé)")]),
        row("40302", D(2026, 10, 16), "Mandat d'une instance", 2.0, D(2026, 10, 19), taux_declare=35.00,
            description="Mandat du CS : tournée des unités (contrat terminé le 31 août)",
            expects=[Expect("2.3", "taux-declare-different", A,
                            "taux déclaré 35,00 $ au lieu de 33,50 $ (dernier contrat, terminé)")]),
        row("40581", D(2026, 10, 10), "Colloque", 6.0, D(2026, 10, 13), decision="En dépôt",
            description="Colloque sur la conciliation travail-famille",
            expects=[Expect("4.1", "categorie-inconnue", E, "catégorie « Colloque »")]),
        row("40659", D(2026, 10, 3), "Activité sociale ou militante", 4.0, D(2026, 10, 5),
            description="Manifestation pour les services publics",
            expects=[Expect("4.2", None, E, "activité militante adoptée sans justification")]),
        row("40123", D(2026, 10, 22), "Assemblée générale", 4.0, D(2026, 10, 23),
            description="Assemblée générale extraordinaire sur le mandat de grève",
            justification="Présidence d'assemblée : préparation et animation de l'AGE",
            expects=[Expect("4.2", None, I, "AG adoptée avec justification (octroi exceptionnel)")]),
        row("40211", D(2026, 10, 26), "Représentation", 6.0, D(2026, 10, 27),
            description="Conseil d'administration de Centraide Québec", organisme_payeur="Centraide Québec",
            montant_organisme_payeur=300.0, decision="Refusée",
            expects=[Expect("4.4", None, E, "l'organisme payeur verse 300 $, plus que 6 h × 36,75 $")]),
        row("40581", D(2026, 10, 28), "Formation syndicale", 7.0, D(2026, 10, 29),
            description="Formation « Santé psychologique au travail »", organisme_payeur="Collège FTQ-Fondaction",
            montant_organisme_payeur=100.0, heures_accordees=4.0,
            expects=[Expect("4.4", None, A, "l'organisme payeur verse 100 $ : complément de 143,95 $ (4,13 h)")]),
        row("40211", D(2026, 10, 29), "Fonctions du Conseil exécutif", 5.0, D(2026, 10, 30),
            description="Trésorerie : vérification des dépôts",
            expects=[Expect("4.5", "heures-par-jour", E, "9,5 h le 29 octobre sur deux classeurs, sans justification")]),
        row("40345", D(2026, 10, 14), "Comité (préparation ou rencontre)", 3.0, D(2026, 10, 14), decision=None,
            description="Comité d'accueil : trousse des nouveaux membres",
            expects=[Expect("5.2", None, A, "reçu le 14 octobre, toujours pas décidé après trois CE")]),
        row("40419", D(2026, 10, 22), "Réunion du Comité de vérification interne", 3.0, D(2026, 10, 23),
            decision="Accepté", description="Vérification des livres du trimestre",
            expects=[Expect("5.3", None, E, "décision « Accepté » hors du vocabulaire")]),
        row("40547", D(2026, 10, 1), "Comité (préparation ou rencontre)", 3.0, D(2026, 10, 2),
            heures_accordees=3.5, description="Comité de mobilisation",
            expects=[Expect("5.3", None, A, "3,5 h accordées pour 3 h demandées")]),
        row("40488", D(2026, 10, 1), "Représentation", 3.0, D(2026, 10, 2), date_depot=D(2026, 10, 2),
            description="Représentation à la table intersyndicale",
            expects=[Expect("5.4", None, E, "déposé à l'Employeur le 2 octobre, avant la décision du 6")]),
        # the same form as in 2026-09.xlsx, sent again
        row("40376", D(2026, 9, 24), "Comité (préparation ou rencontre)", 3.0, D(2026, 10, 8),
            description="Comité des communications : infolettre (envoyé de nouveau)", reference_plan="2.3 a",
            expects=[Expect(None, "doublon", A, "même membre, date, catégorie et heures que dans 2026-09.xlsx")]),
        # late claims of the 2025-2026 bank year, adopted in November and not sent to the employer
        # yet: the only rows of the deposit's sheet « À déposer » (art. 5.4)
        row("40581", D(2026, 8, 27), "Formation syndicale", 6.0, D(2026, 11, 9), date_depot=None,
            description="Formation « Prévention du harcèlement » (fin d'année)", clean=True),
        row("40419", D(2026, 8, 31), "Comité (préparation ou rencontre)", 3.0, D(2026, 11, 2), date_depot=None,
            description="Comité SST : bilan de l'année 2025-2026", clean=True),
    ]
    return rows


def november() -> list[Row]:
    rows = _ce_meetings(11) + _cs_meeting(11)
    rows += [
        row("40211", D(2026, 11, 2), "Fonctions du Conseil exécutif", 4.0, D(2026, 11, 3),
            description="Trésorerie : préparation du dépôt mensuel"),
        row("40123", D(2026, 11, 10), "Fonctions du Conseil exécutif", 5.0, D(2026, 11, 12),
            description="Présidence : suivi de la négociation", reference_plan="3.1 b"),
        row("40452", D(2026, 11, 5), "Réunion d'un comité de négociation", 6.5, D(2026, 11, 6),
            description="Séance de négociation", taux_declare=37.60),
        row("40513", D(2026, 11, 5), "Réunion d'un comité de négociation", 6.5, D(2026, 11, 6),
            description="Séance de négociation"),
        row("40187", D(2026, 11, 5), "Réunion d'un comité de négociation", 6.5, D(2026, 11, 6),
            description="Séance de négociation", taux_declare=41.25),
        row("40419", D(2026, 11, 7), "Réunion du CRQ-03", 5.0, D(2026, 11, 9), reunion="CRQ-03 — 7 novembre 2026",
            organisme="CRQ-03"),
        row("40547", D(2026, 11, 7), "Réunion du CRQ-03", 5.0, D(2026, 11, 9), reunion="CRQ-03 — 7 novembre 2026",
            organisme="CRQ-03"),
        row("40345", D(2026, 11, 12), "Comité (préparation ou rencontre)", 3.0, D(2026, 11, 13),
            description="Comité d'accueil : rencontre d'une nouvelle unité", reference_plan="3.3 b"),
        row("40376", D(2026, 11, 13), "Formation syndicale", 6.0, D(2026, 11, 16),
            description="Formation « Communiquer avec les membres »", reference_plan="2.3 c"),
        row("40659", D(2026, 11, 14), "Réunion du Conseil syndical", 3.0, D(2026, 11, 16),
            description="Conseil syndical spécial sur la négociation"),
        # received after the last CE (17 November): not decided yet, on the agenda of 1 December
        row("40123", D(2026, 11, 18), "Fonctions du Conseil exécutif", 5.0, D(2026, 11, 19), decision=None,
            description="Présidence : préparation de l'AG de décembre"),
        row("40211", D(2026, 11, 16), "Fonctions du Conseil exécutif", 4.0, D(2026, 11, 20), decision=None,
            description="Trésorerie : rapport de mi-année"),
        row("40513", D(2026, 11, 19), "Réunion d'un comité de négociation", 6.5, D(2026, 11, 20), decision=None,
            description="Séance de négociation", clean=True),
        # --- the checks -------------------------------------------------------
        row("40211", D(2026, 10, 29), "Comité (préparation ou rencontre)", 4.5, D(2026, 11, 2),
            description="Comité des finances : budget révisé",
            expects=[Expect("4.5", "heures-par-jour", E, "9,5 h le 29 octobre sur deux classeurs, sans justification")]),
        row("40258", D(2026, 11, 9), "Formation syndicale", 25.0, D(2026, 11, 10), decision="En dépôt",
            description="Formation de la semaine (total des heures)",
            expects=[Expect("5.1", "heures-hors-limites", E, "25 h sur une ligne")]),
        row("40547", D(2026, 11, 18), "Assemblée sectorielle", 3.0, D(2026, 11, 19), decision=None,
            description="Assemblée du secteur primaire-secondaire",
            expects=[Expect("4.2", None, A, "assemblée sectorielle pas encore décidée : octroi exceptionnel")]),
        row("40452", D(2026, 11, 4), "Congrès", 7.0, D(2026, 11, 6), organisme="FTQ", decision="Refusée",
            description="Congrès de la FTQ",
            expects=[Expect("4.3", "congres-non-liberable", E, "congrès de la FTQ : allocation de congrès")]),
        row("40376", D(2026, 11, 6), "Représentation", 4.0, D(2026, 11, 9), organisme_payeur="CNESST",
            decision="En dépôt", description="Comité paritaire régional de prévention",
            expects=[Expect("5.1", "champ-obligatoire", E, "organisme payeur nommé, montant versé vide")]),
        row("40659", D(2026, 11, 10), "Représentation", 6.0, D(2026, 11, 12), organisme_payeur="AFPC-Québec",
            montant_organisme_payeur=75.0,
            description="Comité régional des femmes de l'AFPC-Québec",
            expects=[Expect("4.4", None, E, "6 h adoptées au-delà du complément (75 $ versés : 3,92 h)")]),
    ]
    return rows


OCTOBER_COLUMNS: list[tuple[str | None, str]] = [
    ("date_activite", "Date activité"), ("matricule", "No membre"), ("nom", "Nom du membre"),
    ("categorie", "Type d'activité"), ("reunion", "Nom de la réunion"), ("description", "Détails"),
    ("heures_demandees", "Nb d'heures"), ("distance_km", "Kilométrage"), ("organisme", "Organisé par"),
    ("reference_plan", "Réf. plan d'action"), ("organisme_payeur", "Autre organisme payeur"),
    ("montant_organisme_payeur", "Montant versé"), ("taux_declare", "Taux déclaré"),
    ("justification", "Motif"), (None, "Commentaire interne"), ("date_reception", "Reçu le"),
    ("decision_ce", "Décision"), ("heures_accordees", "Heures octroyées"), ("date_decision", "Décidé le"),
    ("date_depot", "Dépôt à l'Employeur"),
]
OCTOBER_TITLE = "Formulaire de libérations syndicales — octobre 2026"
INTERNAL_NOTES = {"40419": "Vérifier avec la présidence", "40132": "Matricule à confirmer"}


@dataclass
class FormFile:
    path: str                      # relative to the inbox
    rows: list[Row]
    header_row: int = 0

    def excel_row(self, r: Row) -> int:
        return self.header_row + 1 + self.rows.index(r)


def _sorted(rows: list[Row]) -> list[Row]:
    """Rows in the order the treasury files them: by date received (text dates last)."""
    def key(r: Row):
        rec = r.values["date_reception"]
        return (0, rec) if isinstance(rec, dt.date) else (1, D(2026, 12, 31))
    return sorted(rows, key=key)


def form_files() -> list[FormFile]:
    return [
        FormFile("formulaires/2026-09.xlsx", _sorted(september())),
        FormFile("formulaires/2026-10.xlsx", october()),  # compiled as received, roughly
        FormFile("formulaires/2026-11.xlsx", _sorted(november())),
    ]


def _write_october(ff: FormFile, path: Path) -> None:
    by_key = {f.key: f for f in FORM_FIELDS}
    columns = [(by_key[k] if k else None, label) for k, label in OCTOBER_COLUMNS]
    wb = Workbook()
    ws = wb.active
    ws.title = "Octobre"
    values = []
    for r in ff.rows:
        v = dict(r.values)
        note = INTERNAL_NOTES.get(v["matricule"])
        if note:
            v["Commentaire interne"] = note
        values.append(v)
    ff.header_row = write_table(ws, columns, values,
                                [OCTOBER_TITLE, "Syndicat (STEP) — compilé par la trésorerie"], formats=False)
    save(wb, path)


def write_forms(ff: FormFile, root: Path) -> None:
    path = root / ff.path
    if ff.path.endswith("2026-10.xlsx"):
        _write_october(ff, path)
        return
    modeles.write_form_workbook(path, [r.values for r in ff.rows])
    ff.header_row = 1


# ---------------------------------------------------------------- the accounting (to place art. 3 rows)

def _rate(mat: str, day: dt.date) -> float | None:
    contracts = [m for m in MEMBERS if m["matricule"] == mat]
    covering = [m["taux_horaire"] for m in contracts
                if m["debut_contrat"] <= day and (m["fin_contrat"] is None or day <= m["fin_contrat"])]
    if covering:
        return max(covering)
    ended = [m for m in contracts if m["fin_contrat"] is not None and m["fin_contrat"] < day]
    return max(ended, key=lambda m: m["fin_contrat"])["taux_horaire"] if ended else None


def _as_date(v) -> dt.date | None:
    from syndic_batch.text import parse_date
    return parse_date(v)


def bank_crossings(files: list[FormFile]) -> dict[str, tuple[FormFile, Row]]:
    """Which row takes the 2026-2027 bank past its hours, and which takes the
    union funds past the budget (art. 3), charging adopted rows in the order of
    decision date, then activity date, then file and row."""
    year = BANK[-1]
    charged = []
    for ff in files:
        for i, r in enumerate(ff.rows):
            v = r.values
            act = _as_date(v["date_activite"])
            if v.get("decision_ce") != "Adoptée" or act is None or act < year["date_renouvellement"]:
                continue
            h = float(str(v.get("heures_accordees") or v["heures_demandees"]).replace(",", "."))
            charged.append((v["date_decision"], act, ff.path, i, h, _rate(v["matricule"], act), ff, r))
    charged.sort(key=lambda c: c[:4])
    out, hours, dollars = {}, 0.0, 0.0
    for _dd, _a, _p, _i, h, rate, ff, r in charged:
        before = hours
        hours += h
        if before <= year["heures_allouees"] < hours and "banque" not in out:
            out["banque"] = (ff, r)
        funds = max(0.0, hours - max(before, year["heures_allouees"])) * rate
        if dollars <= year["budget_fonds"] < dollars + funds and "budget" not in out:
            out["budget"] = (ff, r)
        dollars += funds
    out["totaux"] = (hours, dollars)
    return out


# ---------------------------------------------------------------- the whole inbox

@dataclass
class Expected:
    file: str
    row: int | None
    article: str | None
    rule: str | None
    severity: str
    why: str


def build_inbox(root: Path = INBOX) -> list[Expected]:
    """Write every workbook of the example inbox under ``root``; return the
    findings the batch must report on it."""
    modeles.write_register_workbook(root / "registre" / "registre-des-membres.xlsx", MEMBERS,
                                    title="Registre des membres du STEP — un contrat par ligne", instructions=False)
    modeles.write_bank_calendar_workbook(root / "registre" / "banque-et-calendrier.xlsx", BANK, CALENDAR,
                                         instructions=False)
    files = form_files()
    cross = bank_crossings(files)
    ff, r = cross["banque"]
    r.expects.append(Expect("3.1", "banque-depassee", I, "la ligne qui dépasse la banque de 2026-2027 "
                            f"({fmt.hours(BANK[-1]['heures_allouees'])}) : imputée en partie aux fonds syndicaux"))
    ff, r = cross["budget"]
    r.expects.append(Expect("3.2", "budget-depasse", E, "la ligne qui dépasse le budget des fonds syndicaux "
                            f"({fmt.money(BANK[-1]['budget_fonds'])})"))
    for ff in files:
        write_forms(ff, root)
    write_plan(root / "plan" / "plan-d-action-2018-2021.xlsx")
    statement = write_statement(root / STATEMENT, files)
    expected = [Expected(ff.path, ff.excel_row(r), e.article, e.rule, e.severity, e.why)
                for ff in files for r in ff.rows for e in r.expects]
    expected += statement
    expected.append(write_truncated(root / TRUNCATED))
    return expected


# ---------------------------------------------------------------- the employer's statement

STATEMENT = "employeur/releve-2026-10.xlsx"
STATEMENT_END = D(2026, 10, 31)
STATEMENT_COLUMNS = [("periode", "Période"), ("numero_facture", "Numéro de facture"), ("matricule", "Matricule"),
                     ("nom", "Nom"), ("date_activite", "Date de l'activité"), ("heures", "Heures"),
                     ("montant", "Montant ($)")]


def _hours(v: dict) -> float:
    return float(str(v.get("heures_accordees") or v["heures_demandees"]).replace(",", "."))


def _cents(x: float) -> float:
    import math
    return math.floor(x * 100 + 0.5 + 1e-7) / 100


def _statement_line(v: dict, hours: float, rate: float | None) -> dict[str, Any]:
    act = _as_date(v["date_activite"])
    return {"matricule": v["matricule"], "nom": NAMES.get(v["matricule"], v.get("nom")), "date_activite": act,
            "heures": hours, "montant": _cents(hours * rate) if rate is not None else 0.0}


def write_statement(path: Path, files: list[FormFile]) -> list[Expected]:
    """The employer's statement of the releases it paid in September and October 2026
    (every adopted row deposited by 31 October), with four planted mismatches: a release
    deposited on 18 September that the statement forgets, 4 h paid for 3,5 h granted, a
    release paid at the member's old rate, and a refused row (sent by mistake) paid anyway."""
    forgotten = ("40452", D(2026, 9, 10))
    more_hours = ("40123", D(2026, 9, 1))
    old_rate = ("40187", D(2026, 9, 10))
    expected: list[Expected] = []
    lines: list[tuple[dict[str, Any], list[Expect]]] = []
    for ff in files:
        for r in ff.rows:
            v = r.values
            dep = v.get("date_depot")
            if not isinstance(dep, dt.date) or dep > STATEMENT_END:
                continue
            act = _as_date(v["date_activite"])
            key = (v["matricule"], act)
            if v.get("decision_ce") != "Adoptée":
                lines.append((_statement_line(v, _hours(v), _rate(v["matricule"], act)), [
                    Expect(None, "rapprochement-non-autorise", E,
                           "l'Employeur a payé une ligne refusée, déposée par erreur (2026-09.xlsx, ligne 28)")]))
                continue
            if key == forgotten:
                expected.append(Expected(ff.path, ff.excel_row(r), None, "rapprochement-non-facture", I,
                                         "déposée le 18 septembre, plus de 60 jours avant le 23 novembre, absente "
                                         "du relevé de l'Employeur"))
                continue
            rate = _rate(v["matricule"], act)
            if key == more_hours:
                lines.append((_statement_line(v, _hours(v) + 0.5, rate), [
                    Expect(None, "rapprochement-ecart", A, "relevé de l'Employeur : 4 h payées pour 3,5 h accordées "
                                                          "(heures et montant)")]))
            elif key == old_rate:
                lines.append((_statement_line(v, _hours(v), 34.10), [
                    Expect(None, "rapprochement-ecart", A, "relevé de l'Employeur : payée à l'ancien taux (34,10 $ "
                                                          "au lieu de 41,25 $)")]))
            else:
                lines.append((_statement_line(v, _hours(v), rate), []))
    lines.sort(key=lambda t: (t[0]["date_activite"], t[0]["matricule"], -t[0]["heures"]))
    for i, (line, _e) in enumerate(lines):
        line["periode"] = "Septembre 2026" if line["date_activite"] < D(2026, 10, 1) else "Octobre 2026"
        line["numero_facture"] = "LS-2026-09" if line["date_activite"] < D(2026, 10, 1) else "LS-2026-10"
    by_key = {f.key: f for f in STATEMENT_FIELDS}
    wb = Workbook()
    ws = wb.active
    ws.title = "Relevé"
    header = write_table(ws, [(by_key[k], label) for k, label in STATEMENT_COLUMNS], [t[0] for t in lines],
                         ["Relevé des libérations syndicales payées — septembre et octobre 2026",
                          "Service de la paie de l'Employeur — à rembourser par le STEP"])
    for i, (_line, expects) in enumerate(lines):
        for e in expects:
            expected.append(Expected(STATEMENT, header + 1 + i, e.article, e.rule, e.severity, e.why))
    save(wb, path)
    return expected


TRUNCATED = "formulaires/formulaire-Olivier-Lavoie.xlsx"


def write_truncated(path: Path) -> Expected:
    """A member's form whose e-mail attachment was saved half-downloaded."""
    modeles.write_form_workbook(path, [row("40345", D(2026, 11, 19), "Comité (préparation ou rencontre)", 3.0,
                                           D(2026, 11, 20), decision=None, description="Comité d'accueil").values])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return Expected(TRUNCATED, None, None, "fichier-illisible", E,
                    "pièce jointe enregistrée à moitié (téléchargement interrompu) : le reste est traité")


def clean_rows(root: Path = INBOX) -> list[tuple[str, int, str]]:
    """(file, row, why) of the boundary rows that must draw no finding at all."""
    files = form_files()
    for ff in files:
        ff.header_row = 4 if ff.path.endswith("2026-10.xlsx") else 1
    return [(ff.path, ff.excel_row(r), r.values.get("description") or "")
            for ff in files for r in ff.rows if r.clean]


def write_plan(path: Path) -> Path:
    """The action plan, written by ``examples/make_plan.py``."""
    return write_seed_plan(path, statuses=EXAMPLE_STATUSES, layout="per-axis")


README_HEAD = """# Boîte de réception d'exemple

Générée par `python examples/build_inbox.py` (ne pas modifier les classeurs à la main : relancez le
script). C'est ce que la trésorerie du STEP dépose le **23 novembre 2026**, dans l'année de banque
commencée le 1er septembre 2026.

| classeur | contenu |
| --- | --- |
| `registre/registre-des-membres.xlsx` | 15 membres, 18 contrats (deux contrats qui se chevauchent, contrats terminés), une ligne de titre au-dessus de l'en-tête |
| `registre/banque-et-calendrier.xlsx` | *Banque* : renouvellements du 1er septembre 2025 et 2026 ; *Calendrier* : CE (1er et 3e mardis), CS (2e mercredi), AG (juin et décembre), de septembre 2025 à août 2027 |
| `formulaires/2026-09.xlsx`, `2026-11.xlsx` | faits à partir du formulaire vierge (`templates/formulaires/`), avec sa feuille *Instructions* |
| `formulaires/2026-10.xlsx` | autre en-tête (« No membre », « Date activité », « Nb d'heures », « Reçu le »…), autre ordre des colonnes, colonne « Commentaire interne » en plus, ligne de titre, dates en texte (`05/10/2026`, `14 octobre 2026`) et virgules décimales (`6,5`) |
| `plan/plan-d-action-2018-2021.xlsx` | le plan d'action du SEESOCQ (`examples/make_plan.py`) |
| `employeur/releve-2026-10.xlsx` | le relevé de l'Employeur des libérations payées en septembre et octobre 2026, sous deux lignes de titre, avec des écarts plantés (rapprochement) |

Essai : `syndic-batch run examples/inbox --out sortie --date 2026-11-23` (code de sortie 1 : il y a des erreurs).
`tests/test_examples.py` vérifie que chaque ligne ci-dessous reçoit son constat.

## Lignes qui illustrent une vérification

La plupart des lignes sont conformes. Celles-ci sont là pour déclencher une vérification de
`domain.md` (ligne = numéro de ligne Excel) :

| classeur | ligne | article | règle | gravité | ce qui est illustré |
| --- | --- | --- | --- | --- | --- |
"""

README_CLEAN = """
Après la ligne qui dépasse la banque, chaque ligne adoptée imputée aux fonds syndicaux reçoit aussi
une info 3.1, et après celle qui dépasse le budget, une erreur 3.2. Les feuilles *Instructions*
des formulaires donnent chacune une info `feuille-non-reconnue`. Le plan d'action donne ses propres
constats (`plan-…`, voir `examples/make_plan.py`).

## Cas limites conformes (aucun constat)

| classeur | ligne | pourquoi |
| --- | --- | --- |
"""


README_CYCLE = """
## Le deuxième mois : le cycle mensuel

`python examples/build_cycle.py [DOSSIER]` (par défaut `./cycle-exemple`) copie cette boîte dans
`DOSSIER/boite` et fait trois traitements dans le même dossier `DOSSIER/sortie`, en modifiant les
classeurs avec openpyxl entre deux, comme le ferait la trésorerie :

| traitement | `--date` | dans la boîte de réception avant le traitement | ce que montrent les résultats |
| --- | --- | --- | --- |
| 1 | 2026-11-23 | la boîte d'exemple telle quelle | « Premier traitement » dans le rapport du CE ; `changements.json` vide |
| 2 | 2026-12-02 | le CE du 1er décembre adopte les formulaires de novembre en attente ; `formulaires/2026-12.xlsx` arrive (3 lignes) | `changements.json` : les décisions prises (`decision`) et les 3 lignes ajoutées (`ajoutee`) ; le premier traitement passe dans `historique/` |
| 3 | 2026-12-15 | les heures d'une libération adoptée le 1er décembre sont changées (`2026-11.xlsx`, ligne 28) ; une libération déjà déposée à l'Employeur est changée (`2026-09.xlsx`, ligne 8) ; une autre libération adoptée est supprimée (`2026-11.xlsx`) | `modifiee-apres-adoption` (avertissement) et `modifiee-apres-depot` (erreur) sur la cellule « Heures demandées », `supprimee-apres-adoption` (avertissement) sur le classeur ; section « Depuis le traitement du … » du rapport du CE ; deux traitements dans `historique/` |

`tests/test_cycle.py` vérifie ces constats et ces changements.
"""


def write_readme(expected: list[Expected], clean: list[tuple[str, int, str]], path: Path) -> None:
    lines = [README_HEAD]
    for e in expected:
        lines.append(f"| `{e.file.split('/')[-1]}` | {e.row or '—'} | {e.article or '—'} | "
                     f"{f'`{e.rule}`' if e.rule else '—'} | {e.severity} | {e.why} |\n")
    lines.append(README_CLEAN)
    for file, r, why in clean:
        lines.append(f"| `{file.split('/')[-1]}` | {r} | {why} |\n")
    lines.append(README_CYCLE)
    path.write_text("".join(lines), encoding="utf-8")


CLEAN_WHY = {
    "Mandat du CS : compte rendu aux membres": "contrat terminé : taux du dernier contrat (art. 2.3), déclaré juste",
    "=SOMME(A1:A3)": "description tapée comme une formule : gardée comme texte",
    "Formation des délégués (AFPC-Québec)": "reçue 3 mois jour pour jour après l'activité (30 juin → 30 septembre)",
    "Aller-retour Québec–Sherbrooke (conseil régional)": "Déplacement d'exactement 300 km",
    "Conseil régional de l'Estrie : 5 h + 3 h de route = 8 h, la limite": "8 h le même jour, exactement la limite",
    "Séance de négociation": "reçue après le dernier CE (17 novembre) : à l'ordre du jour du 1er décembre, pas en retard",
    "Formation « Prévention du harcèlement » (fin d'année)":
        "adoptée le 17 novembre, pas encore déposée : dans la feuille « À déposer » du dépôt à l'Employeur",
    "Comité SST : bilan de l'année 2025-2026":
        "adoptée le 3 novembre, pas encore déposée : dans la feuille « À déposer » du dépôt à l'Employeur",
}


def main() -> int:
    for old in sorted(INBOX.rglob("*.xlsx")):
        old.unlink()
    expected = build_inbox(INBOX)
    build_templates(TEMPLATES)
    clean = [(f, r, CLEAN_WHY.get(d, d)) for f, r, d in clean_rows()]
    write_readme(expected, clean, HERE / "README.md")
    hours, dollars = bank_crossings(form_files())["totaux"]
    print(f"examples/inbox : {len(expected)} constats attendus ; 2026-2027 : {fmt.hours(hours)} adoptées, "
          f"{fmt.money(dollars)} imputés aux fonds syndicaux. Voir examples/README.md.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
