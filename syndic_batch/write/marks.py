"""What a mark looks like and says, whichever way the annotated copy is written.

erreur = light red + thick solid frame, avertissement = amber + medium dashed frame,
info = light blue + dotted frame: three frames that stay distinct when printed in black
and white. A flagged cell's comment has one line per finding,
« [ERREUR] Art. 4.5 — <message> »; an existing comment is kept first, then
``COMMENT_SEPARATOR``, then ours. Boxes are sized to their text (``comment_size``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import AVERTISSEMENT, ERREUR, INFO, SEVERITY_RANK, Finding

AUTHOR = "syndic-batch"
MAX_TEXT = 32_000  # Excel keeps at most 32 767 characters in a cell or a comment
COMMENT_SEPARATOR = "──── syndic-batch ────"
COMMENT_WIDTH = 380          # pixels
COMMENT_CHARS_PER_LINE = 58  # what a 380-pixel box shows per line in the default note font
COMMENT_LINE_HEIGHT = 15     # pixels
COMMENT_MAX_HEIGHT = 1200


@dataclass(frozen=True)
class Look:
    tag: str      # the comment's prefix
    label: str    # the Constats sheet's Gravité column
    fill: str     # RGB of the fill
    edge: str     # RGB of the frame
    frame: str    # the frame's line style (SpreadsheetML names)


LOOKS = {
    ERREUR: Look("[ERREUR]", "Erreur", "FFC7CE", "9C0006", "thick"),
    AVERTISSEMENT: Look("[AVERTISSEMENT]", "Avertissement", "FFE699", "7F6000", "mediumDashed"),
    INFO: Look("[INFO]", "Info", "BDD7EE", "1F4E78", "dotted"),
}


def ranked(group: list[Finding]) -> list[Finding]:
    """A cell's findings, the most severe first (it gives the cell its look)."""
    return sorted(group, key=lambda f: (SEVERITY_RANK[f.severity], f.article or "~", f.rule))


_ART = re.compile(r"Art\.?\s*")
_SEPARATOR = re.compile(r"\s*[:,—-]\s*")


def _without_article(message: str, article: str) -> str:
    """``message`` without a leading « Art. 4.5 : » naming ``article`` (one pattern for
    every article, instead of one compiled per article)."""
    if not message.startswith("Art"):
        return message
    if not article[:1].isalnum():  # the general pattern's backtracking could matter
        return re.sub(rf"^Art\.?\s*{re.escape(article)}\s*[:,—-]\s*", "", message)
    m = _ART.match(message)
    if m and message.startswith(article, m.end()):
        sep = _SEPARATOR.match(message, m.end() + len(article))
        if sep:
            return message[sep.end():]
    return message


def comment_line(f: Finding) -> str:
    """« [ERREUR] Art. 4.5 — <message> » (a check with no article names its rule)."""
    if not f.article:
        return f"{LOOKS[f.severity].tag} Contrôle « {f.rule} » — {f.message}"
    message = _without_article(f.message, f.article)
    message = message[:1].upper() + message[1:]  # « Art. 2.1 : le … » → « Le … »
    return f"{LOOKS[f.severity].tag} Art. {f.article} — {message}"


def comment_text(group: list[Finding]) -> str:
    return "\n".join(comment_line(f) for f in ranked(group))


def joined(existing: str | None, ours: str) -> str:
    """The text of a comment that already had ``existing``, once ours is added."""
    if existing and existing.strip():
        return f"{existing.rstrip()}\n{COMMENT_SEPARATOR}\n{ours}"[:MAX_TEXT]
    return ours[:MAX_TEXT]


def comment_size(text: str) -> tuple[int, int]:
    """(width, height) in pixels so that the whole text shows when the box opens."""
    lines = sum(max(1, -(-len(line) // COMMENT_CHARS_PER_LINE)) for line in text.split("\n"))
    return COMMENT_WIDTH, min(20 + COMMENT_LINE_HEIGHT * lines, COMMENT_MAX_HEIGHT)
