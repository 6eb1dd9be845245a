"""The action plan: axis → goal → objective → action, each remembering its cell.

Built by ``plan.reader`` from the grid of ``shared/seeds/000_…txt``; checked by
``rules.plan``; shown by the AG report and exported to ``plan-d-action.xlsx``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..text import fold


@dataclass(frozen=True)
class CellRef:
    file: str
    sheet: str
    row: int
    column_index: int
    column: str | None  # header as written (e.g. "ACTIONS", "2019-2020")


@dataclass
class YearStatus:
    year: str                 # "2018-2019"
    status: str | None        # normalised: Réalisé, En cours, Non débuté, Reporté, Abandonné, Continu; None if empty
    raw: str | None           # what the cell said for this action
    cell: CellRef


@dataclass
class Action:
    letter: str               # "a", "b", ...
    text: str
    cell: CellRef
    statuses: dict[str, YearStatus] = field(default_factory=dict)  # year -> status
    remark: str | None = None
    remark_cell: CellRef | None = None


@dataclass
class Objective:
    number: str               # "1.2"
    text: str
    cell: CellRef
    actions: list[Action] = field(default_factory=list)


@dataclass
class Goal:
    number: str               # "1" (or "3.1" when the plan numbers it so)
    text: str
    cell: CellRef
    objectives: list[Objective] = field(default_factory=list)


@dataclass
class Axis:
    number: str               # "1"
    title: str                # "ORGANISATION SYNDICALE"
    cell: CellRef
    goals: list[Goal] = field(default_factory=list)


@dataclass
class Plan:
    axes: list[Axis] = field(default_factory=list)
    years: list[str] = field(default_factory=list)   # ["2018-2019", "2019-2020", "2020-2021"]
    files: list[str] = field(default_factory=list)

    def objectives(self) -> list[tuple[Axis, Goal, Objective]]:
        return [(a, g, o) for a in self.axes for g in a.goals for o in g.objectives]

    def actions(self) -> list[tuple[Axis, Goal, Objective, Action]]:
        return [(a, g, o, x) for a, g, o in self.objectives() for x in o.actions]

    def resolve(self, reference: str | None) -> tuple[Axis, Objective, Action | None] | None:
        """The objective (and action) a form's *Référence au plan d'action* names:
        ``1.2`` → objective 1.2; ``1.2 b``, ``1.2b``, ``1.2.b`` or ``1.2 b.`` → its action b.
        None when it names nothing of the plan."""
        key = parse_reference(reference)
        if key is None:
            return None
        number, letter = key
        for axis, _goal, obj in self.objectives():
            if obj.number == number:
                if letter is None:
                    return axis, obj, None
                for action in obj.actions:
                    if action.letter == letter:
                        return axis, obj, action
                return None
        return None


_REF = re.compile(r"^(\d+(?:\.\d+)+)\s*(?:[ .\-)]?\s*([a-z]))?\s*[.)]?$")


def parse_reference(reference: str | None) -> tuple[str, str | None] | None:
    """``"1.2 b"`` → ``("1.2", "b")``; ``"1.2"`` → ``("1.2", None)``; junk → None."""
    if reference is None:
        return None
    s = str(reference).strip().lower().replace(",", ".")
    s = re.sub(r"^(?:obj(?:ectif)?\.?|action)\s*", "", s)
    m = _REF.match(s)
    if not m:
        return None
    return m[1], m[2]


STATUSES = ("Réalisé", "En cours", "Non débuté", "Reporté", "Abandonné", "Continu")
_STATUS_BY_FOLD = {fold(s): s for s in STATUSES}
_STATUS_BY_FOLD.update({"realisee": "Réalisé", "fait": "Réalisé", "termine": "Réalisé",
                        "non debutee": "Non débuté", "pas debute": "Non débuté",
                        "reportee": "Reporté", "abandonnee": "Abandonné", "en continu": "Continu",
                        "complete": "Réalisé", "completee": "Réalisé", "acheve": "Réalisé",
                        "achevee": "Réalisé", "annule": "Abandonné", "annulee": "Abandonné",
                        "a faire": "Non débuté", "non commence": "Non débuté"})


def normalise_status(text: str | None) -> str | None:
    """A status as written → its canonical spelling, or None when unknown."""
    if text is None:
        return None
    return _STATUS_BY_FOLD.get(fold(text))


# Statuses that close an action: no status is needed in the years after them.
CLOSED_STATUSES = ("Réalisé", "Abandonné")
# Statuses an action may have when the plan's last year is over.
FINAL_STATUSES = ("Réalisé", "Abandonné", "Continu")
# Statuses that need a remark saying why.
REMARK_STATUSES = ("Reporté", "Abandonné")

# Month a plan year such as ``2018-2019`` begins in, when ``Params`` has no
# ``plan_mois_debut_annee`` (docs/decisions.md: 1 September of its first year).
DEFAULT_YEAR_START_MONTH = 9

_YEAR = re.compile(r"^\s*(\d{4})\s*[-–—/]\s*(\d{4}|\d{2})\s*$")


def parse_year(label: str | None) -> tuple[int, int] | None:
    """``"2018-2019"`` (or ``2018-19``, ``2018 – 2019``) → ``(2018, 2019)``; None otherwise."""
    if label is None:
        return None
    m = _YEAR.match(str(label))
    if not m:
        return None
    first, second = int(m[1]), int(m[2])
    if second < 100:
        second += first // 100 * 100
    if second != first + 1:
        return None
    return first, second


def year_start_month(params) -> int:
    """The plan year's first month (``[plan] mois_debut_annee``)."""
    return params.plan_mois_debut_annee


def year_bounds(label: str, start_month: int = DEFAULT_YEAR_START_MONTH) -> tuple[dt.date, dt.date] | None:
    """(first day, first day of the next year) of a plan year; None if not a year label."""
    years = parse_year(label)
    if years is None:
        return None
    start = dt.date(years[0], start_month, 1)
    return start, dt.date(years[0] + 1, start_month, 1)


def action_label(objective: Objective, action: Action) -> str:
    """``1.2 b``: how a form's *Référence au plan d'action* names this action."""
    return f"{objective.number} {action.letter}".strip()


def effective_status(action: Action, year: str, years: list[str]) -> str | None:
    """The action's status in ``year``: the one written, or, when the cell is empty,
    Réalisé/Abandonné carried from an earlier year (nothing is needed after them).
    None when there is none, or when the written status is unknown."""
    ys = action.statuses.get(year)
    if ys is not None and ys.raw is not None:
        return ys.status
    earlier = years[: years.index(year)] if year in years else []
    for y in reversed(earlier):
        prev = action.statuses.get(y)
        if prev is not None and prev.raw is not None:
            return prev.status if prev.status in CLOSED_STATUSES else None
    return None
