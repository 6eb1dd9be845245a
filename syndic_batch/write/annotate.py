"""Annotated copies of the input workbooks, for the internal auditors (``OUT/annotes/``).

``annotate_workbook(src, dst, rel, findings)`` writes the annotated copy of one input
workbook (atomically) where:

* every flagged cell is marked by its most severe finding, readable in colour and in
  black and white (``marks.LOOKS``), and carries a comment with one line per finding,
  « [ERREUR] Art. 4.5 — <message> » (an existing comment is kept first), in a box sized
  to its text;
* a sheet *Constats* (or « Constats (syndic-batch) » if the name is taken) lists every
  finding of the file, with its member, and a link to its cell.

A finding on a row without a column marks the cell of the sheet's first used column (of
its declared used range); a finding inside merged cells marks their top-left cell; a
finding with no row (the whole file) is only listed in *Constats*.

How the copy is made:

* ``.xlsx``/``.xlsm``: by **patching the package** (``xlsx_patch``): the flagged sheets
  are streamed and restyled, comments, styles and the *Constats* sheet are added, and every
  other part is copied byte for byte — nothing of the original is lost;
* ``.xls``, ``.xlsb``, ``.ods`` (and an ``.xlsx`` whose package cannot be patched): by
  **conversion** (``convert``) to a new ``.xlsx`` of its values, ``annotes/<path>.xlsx``
  (``annotated_name``), with a ``contenu-non-conserve`` finding saying so.

Text a member typed is never turned into a formula: patched sheets keep their cells'
types untouched, and every text this module writes is an inline string.
"""
from __future__ import annotations

from pathlib import Path

from ..model import AVERTISSEMENT, CONTENU_NON_CONSERVE, INFO, Finding
from .atomic import atomic_write
from .constats_sheet import HEADERS, constats_sheet_name, internal_location  # noqa: F401
from .marks import AUTHOR, COMMENT_SEPARATOR, LOOKS, comment_line  # noqa: F401

PATCHED = (".xlsx", ".xlsm")


def annotated_name(rel: str) -> str:
    """The annotated copy's path under ``annotes/``: the workbook's own for ``.xlsx`` and
    ``.xlsm``; ``.xlsx`` appended otherwise (``formulaires/mars.ods.xlsx``), so that it
    never collides with another input's copy."""
    return rel if rel.lower().endswith(PATCHED) else rel + ".xlsx"


class AnnotatedCopy(list):
    """The findings the copy adds (a list, as before, so that ``extra += …`` keeps
    working), with ``path``: the file actually written (None if none could be)."""

    def __init__(self, findings, path: Path | None) -> None:
        super().__init__(findings)
        self.path = path


def annotate_workbook(src: Path, dst: Path, rel: str, findings: list[Finding]) -> AnnotatedCopy:
    """Write the annotated copy of ``src`` to ``dst`` (or, for a workbook that must be
    converted, to ``dst`` with ``.xlsx`` appended unless it already ends so)."""
    from . import convert, xlsx_patch  # lazy: lxml and XlsxWriter only when writing

    src, dst = Path(src), Path(dst)
    listed = [f for f in findings if f.file == rel]
    suffix = src.suffix.lower()
    reason = None
    if suffix in PATCHED:
        try:
            with atomic_write(dst) as tmp:
                extra = xlsx_patch.patch(src, tmp, rel, listed)
            return AnnotatedCopy(extra, dst)
        except OSError:
            raise  # disk full, permission: the run cannot write its outputs
        except Exception as exc:  # a package we cannot patch: convert its values
            reason = exc
        note = _lost(rel, AVERTISSEMENT,
                     f"Le classeur n'a pas pu être recopié tel quel ({type(reason).__name__}) : "
                     "la copie annotée n'en reprend que les valeurs, sans mise en forme, formules "
                     "ni commentaires ; consultez l'original.")
    else:
        note = _lost(rel, INFO,
                     f"Ce classeur « {suffix} » est recopié au format Excel (.xlsx) pour être "
                     "annoté : la copie reprend ses valeurs, mais ni sa mise en forme, ni ses "
                     "formules, ni ses commentaires ; consultez l'original.")
    target = dst if dst.suffix.lower() == ".xlsx" else dst.with_name(dst.name + ".xlsx")
    try:
        with atomic_write(target) as tmp:
            convert.convert(src, tmp, listed, [note])
    except OSError:
        raise
    except Exception as exc:
        return AnnotatedCopy([note, _not_written(rel, exc)], None)
    return AnnotatedCopy([note], target)


def _lost(rel: str, severity: str, text: str) -> Finding:
    return Finding(None, CONTENU_NON_CONSERVE, severity, rel, None, None, None, text)


def _not_written(rel: str, exc: Exception) -> Finding:
    return _lost(rel, AVERTISSEMENT,
                 "La copie annotée de ce classeur n'a pas pu être produite "
                 f"({type(exc).__name__}) : ses constats figurent dans constats.json "
                 "et les rapports ; consultez l'original.")
