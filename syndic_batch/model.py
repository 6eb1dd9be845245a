"""Typed values shared by every stage: findings and where they point.

A finding is what a check says about one cell (or one row, or one file). It is
what ``constats.json`` holds, what the annotated workbooks colour and what the
reports list. ``column_index``, ``form_id``, ``matricule`` and ``nom`` are internal:
they let the annotator find the cell without guessing from the header text and the
writers name the member; they are not written to JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"
INFO = "info"
SEVERITIES = (ERREUR, AVERTISSEMENT, INFO)
SEVERITY_RANK = {ERREUR: 0, AVERTISSEMENT: 1, INFO: 2}

# Rule ids of the checks that have no article (domain.md, "The checks").
DOUBLON = "doublon"
REFERENCE_PLAN_INCONNUE = "reference-plan-inconnue"
FICHIER_ILLISIBLE = "fichier-illisible"
# Rule ids the project adds for its own reading notes (docs/decisions.md).
FEUILLE_NON_RECONNUE = "feuille-non-reconnue"
CONTENU_NON_CONSERVE = "contenu-non-conserve"
PLAN_NUMEROTATION = "plan-numerotation"
COLONNE_ABSENTE = "colonne-absente"
COLONNE_EN_DOUBLE = "colonne-en-double"
# Reading notes of issues 10 and 11 (docs/decisions.md, "Reading on python-calamine").
LIGNE_MASQUEE = "ligne-masquee"              # info: hidden rows that hold rows read
FEUILLE_MASQUEE = "feuille-masquee"          # info: a hidden sheet that holds rows read
FEUILLE_ILLISIBLE = "feuille-illisible"      # erreur: a sheet too large to read (lecture.cellules_max)
CLASSEUR_OUVERT = "classeur-ouvert"          # avertissement: a ~$ lock file beside the workbook
CLASSEUR_EN_DOUBLE = "classeur-en-double"    # avertissement: same content as another workbook, read once
DOSSIER_IGNORE = "dossier-ignore"            # info: a sub-folder that cannot be read
LIEN_IGNORE = "lien-ignore"                  # info: a folder link or a broken link, not followed
VALEUR_ERREUR = "valeur-erreur"              # art. 5.1: an Excel error (#DIV/0!, #N/A …) in a cell read
FORMULE_SANS_VALEUR = "formule-sans-valeur"  # art. 5.1: a formula saved without its value


@dataclass(frozen=True)
class Finding:
    """One finding, as domain.md's *Outputs* describes it."""

    article: str | None
    rule: str
    severity: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    column_index: int | None = field(default=None, compare=False)
    # Position of the form row in the forms frame, when the finding is about one.
    form_id: int | None = field(default=None, compare=False)
    # The member the finding is about (form rows; filled by ``pipeline.attach_members``),
    # for the findings workbook and the annotated copies' *Constats* sheet. Not in JSON.
    matricule: str | None = field(default=None, compare=False)
    nom: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "rule": self.rule,
            "severity": self.severity,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    @property
    def sort_key(self) -> tuple:
        return (
            self.file,
            self.sheet or "",
            self.row or 0,
            self.column_index or 0,
            SEVERITY_RANK[self.severity],
            self.rule,
        )


def finding_fast(article: str | None, rule: str, severity: str, file: str, sheet: str | None, row: int | None,
                 column: str | None, message: str, column_index: int | None = None, form_id: int | None = None,
                 matricule: str | None = None, nom: str | None = None) -> Finding:
    """``Finding(...)`` without the frozen dataclass's per-field ``__setattr__`` (5× cheaper:
    a large run makes tens of thousands). The caller has checked ``severity`` (in
    ``SEVERITIES``) once for all the findings it makes."""
    f = object.__new__(Finding)
    f.__dict__.update(article=article, rule=rule, severity=severity, file=file, sheet=sheet, row=row,
                      column=column, message=message, column_index=column_index, form_id=form_id,
                      matricule=matricule, nom=nom)
    return f


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key)


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.severity] += 1
    return counts
