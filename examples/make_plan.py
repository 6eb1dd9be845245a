"""Build the union's action-plan grid (shared/seeds/000_…txt) as a real workbook.

``write_seed_plan(path)`` writes the seed as the secretary typed it: AXE title
rows, the two-level header (NOS ORIENTATIONS / NOS ACTIONS merged over their
columns, then BUTS, OBJECTIFS, ACTIONS, 2018-2019, 2019-2020, 2020-2021,
REMARQUES), each goal merged down over its objectives, lettered actions in one
cell with the seed's HTML remnants (``<p>…</p>``, ``<ul style=…>``), and AXE 1
over two pages (its title and header repeated, goal cell empty on page 2).

``layout="per-axis"`` puts each axis on its own sheet; ``layout="one-sheet"``
puts the whole document on one sheet, front matter and table of contents
included. ``statuses`` fills the year and remark cells::

    {"1.2": {"2018-2019": "a. Réalisé; b. En cours", "2019-2020": "Réalisé",
             "remarque": "…"}}

Run ``python examples/make_plan.py OUT.xlsx`` to write the example plan
(``EXAMPLE_STATUSES``: the plan seen after its last year, 2020-2021).
"""
from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

YEARS = ["2018-2019", "2019-2020", "2020-2021"]
HEADER = ["BUTS", "OBJECTIFS", "ACTIONS", *YEARS, "REMARQUES"]

FRONT_MATTER = [
    "SEESOCQ",
    "LES ORIENTATIONS ET LES ACTIONS",
    "2018-2021",
    "Un rappel des buts et des moyens formulés dans nos statuts (1.03, 1.04)",
    "Le syndicat a pour but l'étude, la défense et la promotion des intérêts économiques et sociaux "
    "politiques de ses membres.",
    "Pour réaliser les buts préconisés, le syndicat entend :",
    "- a) développer parmi ses membres l'esprit de justice et de solidarité notamment en ce qui a trait "
    "à la Charte québécoise des droits et libertés ;",
    "- b) promouvoir la formation syndicale de ses membres ;",
    "- c) susciter l'action militante de ses membres ;",
    "- d) voir à la négociation et signer des conventions collectives de travail avec les employeurs de "
    "ses membres selon ses pouvoirs.",
]

_UL = '<ul style="list-style-type: none"> '

# (axis title, goal, pages); a page is a list of (objective, actions cell).
SEED = [
    ("AXE 1 : ORGANISATION SYNDICALE",
     "1. Assurer le bon fonctionnement du SEESOCQ et son développement",
     [[("1.1 Actualiser si nécessaire les règles de fonctionnement dans le but de simplifier et faciliter "
        "la participation de nos unités et de nos membres à la vie du SEESOCQ.",
        "a. publication des changements aux statuts."),
       ("1.2 Maintenir un portrait statistique de nos effectifs et dresser périodiquement un bilan de la "
        "situation.",
        "a. analyses statistiques; b. publication de certaines données."),
       ("1.3 Établir un portrait statistique du recrutement et du potentiel de développement de chaque "
        "secteur.",
        "a. faire un bilan du recrutement de nouvelles unités; b. évaluer le potentiel de recrutement par "
        "secteur (compilation des donnés)."),
       ("1.4 Assurer la conservation et la classification des documents et des archives du syndicat.",
        "a. centraliser la documentation et établir un système de codification et de classement; b. rendre "
        "accessible, par extranet, la documentation et les archives aux personnes autorisées.")],
      [("1.5 Évaluer et déterminer la pertinence de recruter ou non de nouvelles unités.",
        "a. déterminer la pertinence de recruter ou non de nouvelles unités."),
       ("1.6 Déterminer le modèle de service du SEESOCQ.",
        "<p>a. réfléchir sur la répartition du travail et la composition du CA;</p> <p>b. réfléchir sur "
        "l'engagement d'une ressource à temps plein (application, négociation);</p> <p>c. maintenir une "
        "banque de ressources pour les besoins ponctuels (application, négociation, recrutement).</p>")]]),
    ("AXE 2 : VIE SYNDICALE ET ACTIONS POLITIQUES",
     "2. Favoriser les échanges et l'implication des membres.",
     [[("2.1 Actualiser notre plate-forme syndicale et mettre de l'avant les actions qui en découlent.",
        "a. révision de notre plate-forme syndicale."),
       ("2.2 Mettre en place des mécanismes favorisant des occasions de rencontres ou d'échanges.",
        "a. analyser l'opportunité, sur demande, de mettre en place une table de coordination et de "
        "consolidation d'un secteur."),
       ("2.3 Maintenir un lien constant entre le SEESOCQ et les membres.",
        "a. assurer une mise à jour périodique du site web; b. inciter les membres à faire part au CA des "
        "luttes et actions à soutenir; c. utiliser les réseaux sociaux pour rejoindre les membres.")]]),
    ("AXE 3 : DÉFENSE DES DROITS ET DES CONDITIONS DE TRAVAIL DE NOS MEMBRES",
     "3.1 Soutenir toute action visant l'amélioration des conditions de travail de nos membres et la "
     "défense de leurs droits.",
     [[("3.1 Conduire les négociations pour le renouvellement des conventions collectives.",
        _UL + "a. faire un bilan des négociations; b. donner aux portes paroles les ressources nécessaires; "
        "c. évaluer les besoins et les difficultés pressentis pour la négociation des conventions "
        "collectives; d. mettre à jour le comparatif des unités du secteur primaire-secondaire et mettre en "
        "place un comparatif pour les autres secteurs. "),
       ("3.2 Mener les griefs et arbitrages dans l'intérêt des membres, selon les capacités financières et "
        "les ressources disponibles.",
        _UL + "a. recevoir les avis de la ressource mandatée pour le dossier; b. informer les membres "
        "concernant l'aboutissement du dossier; c. établir une politique relative au dépôt et du suivi des "
        "griefs. "),
       ("3.3 Établir des mécanismes d'accueil des nouveaux membres.",
        _UL + "a. envoi d'une correspondance pour les nouveaux membres; b. organiser, au besoin, une "
        "rencontre avec les membres d'une nouvelle unité ou d'une unité existante. ")]]),
    ("AXE 4 : PRÉSENCE ET VISIBILITÉ",
     "4.1 Développer des alliances avec d'autres groupes et soutenir les actions visant la défense des "
     "droits sociaux.",
     [[("4.1 Assurer une contribution financière à des groupes de défense des droits sociaux et des droits "
        "des personnes salariées.",
        _UL + "a. identifier les organismes visés; b. déterminer le montant à verser; c. informer nos "
        "membres des organismes que nous soutenons. "),
       ("4.2 Participer en tant que syndicat aux luttes visant la défense des droits sociaux et des droits "
        "des personnes salariées.",
        _UL + "a. identifier par les instances du SEESOCQ les activités à venir (1er mai, projets de loi, "
        "etc.); b. inciter les membres à faire part au CA des luttes et actions à soutenir; c. déterminer "
        "notre niveau d'intervention et notre contribution. "),
       ("4.3 Permettre la participation de nos membres à des occasions de rencontres ou d'échanges avec "
        "d'autres groupes.",
        _UL + "a. déterminer notre niveau d'intervention et notre contribution. ")]]),
]

# The plan as the treasurer would find it after 2020-2021. Besides the seed's own
# inconsistencies (goals 3.1 and 4.1 numbered like objectives, two actions repeated
# under two objectives), it makes every plan check fire at least once:
# plan-statut-manquant (1.3 b in 2019-2020, 2.2 in 2020-2021), plan-statut-inconnu
# (« En attente » for 3.2 c), plan-non-complete (1.6 c, 2.2, 3.2 c, 4.2 c …),
# plan-remarque-requise (1.4 b Reporté without a remark).
EXAMPLE_STATUSES: dict[str, dict[str, str]] = {
    "1.1": {"2018-2019": "Réalisé"},
    "1.2": {"2018-2019": "a. En cours; b. Non débuté", "2019-2020": "a. Réalisé; b. En cours",
            "2020-2021": "b. Réalisé"},
    "1.3": {"2018-2019": "a. En cours; b. Non débuté", "2019-2020": "a. Réalisé",
            "2020-2021": "b. Abandonné", "remarque": "b. Le CA a jugé l'exercice trop coûteux."},
    "1.4": {"2018-2019": "Non débuté", "2019-2020": "a. En cours; b. Reporté",
            "2020-2021": "a. Réalisé; b. Reporté"},
    "1.5": {"2018-2019": "Réalisé", "remarque": "Décision de l'AG de juin 2019."},
    "1.6": {"2018-2019": "En cours", "2019-2020": "a. Réalisé; b. Réalisé; c. En cours",
            "2020-2021": "c. En cours"},
    "2.1": {"2018-2019": "En cours", "2019-2020": "Réalisé"},
    "2.2": {"2018-2019": "Non débuté", "2019-2020": "Non débuté"},
    "2.3": {"2018-2019": "Continu", "2019-2020": "Continu", "2020-2021": "Continu"},
    "3.1": {"2018-2019": "En cours", "2019-2020": "En cours", "2020-2021": "Réalisé"},
    "3.2": {"2018-2019": "Continu", "2019-2020": "a. Continu; b. Continu; c. En attente",
            "2020-2021": "a. Continu; b. Continu; c. En cours"},
    "3.3": {"2018-2019": "a. Réalisé; b. Continu", "2019-2020": "b. Continu", "2020-2021": "b. Continu"},
    "4.1": {"2018-2019": "Réalisé"},
    "4.2": {"2018-2019": "En cours", "2019-2020": "a. Continu; b. Continu; c. En cours",
            "2020-2021": "a. Continu; b. Continu; c. En cours"},
    "4.3": {"2018-2019": "Reporté", "2019-2020": "Abandonné",
            "remarque": "Aucune occasion en raison de la pandémie."},
}

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _title(ws, row: int, text: str) -> int:
    ws.cell(row, 1, text).font = Font(bold=True, size=13)
    return row + 1


def _header(ws, row: int) -> int:
    """The two-level header; returns the next free row."""
    ws.cell(row, 1, "NOS ORIENTATIONS")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    ws.cell(row, 3, "NOS ACTIONS")
    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=len(HEADER))
    for col, text in enumerate(HEADER, start=1):
        c = ws.cell(row + 1, col, text)
        c.font = _BOLD
        c.fill = _HEAD_FILL
    ws.cell(row, 1).font = ws.cell(row, 3).font = _BOLD
    return row + 2


def _page(ws, row: int, goal: str | None, page, statuses: dict) -> int:
    """One page's objectives; the goal (if any) merged down over them."""
    first = row
    for objective, actions in page:
        number = objective.split()[0]
        ws.cell(row, 2, objective).alignment = _WRAP
        ws.cell(row, 3, actions).alignment = _WRAP
        entry = statuses.get(number, {})
        for col, year in enumerate(YEARS, start=4):
            if entry.get(year):
                ws.cell(row, col, entry[year])
        if entry.get("remarque"):
            ws.cell(row, len(HEADER), entry["remarque"]).alignment = _WRAP
        row += 1
    if goal is not None:
        ws.cell(first, 1, goal).alignment = _WRAP
        if row - 1 > first:
            ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
    return row + 1  # a blank line after the page


def write_seed_plan(path: Path, statuses: dict | None = None, layout: str = "per-axis",
                    seed: list | None = None) -> Path:
    """Write the seed grid to ``path`` (``layout``: ``per-axis`` or ``one-sheet``).
    ``seed`` replaces ``SEED`` (same shape) to write a variant of the plan."""
    if layout not in ("per-axis", "one-sheet"):
        raise ValueError(f"unknown layout {layout!r}")
    statuses = statuses or {}
    wb = Workbook()
    if layout == "one-sheet":
        ws = wb.active
        ws.title = "Plan d'action"
        row = 1
        for line in FRONT_MATTER:
            row = _title(ws, row, line) if line.isupper() else _line(ws, row, line)
        for i, (axis_title, _goal, _pages) in enumerate(seed or SEED):
            ws.cell(row, 1, axis_title)
            ws.cell(row, 2, f"page {i + 2 if i else 1}")
            row += 1
        row += 1
    else:
        wb.remove(wb.active)
    for n, (axis_title, goal, pages) in enumerate(seed or SEED, start=1):
        if layout == "per-axis":
            ws = wb.create_sheet(f"Axe {n}")
            row = 1
        for p, page in enumerate(pages):
            row = _title(ws, row, axis_title)
            row = _header(ws, row)
            row = _page(ws, row, goal if p == 0 else None, page, statuses)
        _widths(ws)
    return save_reproducibly(wb, path, "SEESOCQ — secrétariat")


_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")
SAVED_AT = (2021, 9, 1, 8, 0, 0)


def save_reproducibly(wb: Workbook, path: Path, author: str, saved_at: tuple = SAVED_AT) -> Path:
    """Save so that two runs give the same bytes (fixed zip times and document
    dates): the committed example inbox does not churn. ``build_inbox.py`` uses it too."""
    wb.properties.creator = wb.properties.lastModifiedBy = author
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*saved_at).encode()
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(rb"\g<1>" + stamp + rb"\g<3>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=saved_at)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def _line(ws, row: int, text: str) -> int:
    ws.cell(row, 1, text)
    return row + 1


def _widths(ws) -> None:
    for letter, width in zip("ABCDEFG", (40, 50, 70, 22, 22, 22, 40)):
        ws.column_dimensions[letter].width = width


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "plan-d-action.xlsx")
    write_seed_plan(out, EXAMPLE_STATUSES)
    print(out)
