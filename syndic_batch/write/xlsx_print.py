"""What every workbook syndic-batch writes with XlsxWriter shares: safe options
(a string is never turned into a formula, a number or a link), explicit row
heights for wrapped text, and the print set-up (letter, landscape, one page wide,
header row repeated, page numbers).

LibreOffice does not fit the height of rows written by XlsxWriter to their
wrapped text (it keeps 15 pt, and the lines overlap when printed), so every row
with wrapped text gets a height computed here from its text and its column widths.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Iterable

# Workbook(..., WORKBOOK_OPTIONS): text stays text, whatever a member typed.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

LINE_PT = 15.0       # one line of 11 pt text
PAD_PT = 3.0         # room above and below the lines
MAX_ROW_PT = 409.0   # Excel's limit for a row height
PAPER_LETTER = 1


def lines_needed(text: object, width: float) -> int:
    """Lines a wrapped cell of ``width`` (Excel units, about one digit each) takes
    for ``text``: each paragraph wrapped on words, as Excel and LibreOffice wrap
    (a word longer than a line is cut). Counted on slightly fewer characters than
    the width, so that the height is never too small (a few points of air rather
    than overlapping lines)."""
    if text is None:
        return 1
    s = str(text)
    per_line = max(1, int(width * 1.12) - 1)
    if len(s) <= per_line and "\n" not in s:
        return 1                      # the common case, without splitting anything
    return sum(_wrapped_lines(para, per_line) for para in s.split("\n"))


@lru_cache(maxsize=4096)
def _wrapped_lines(para: str, per_line: int) -> int:
    """Greedy word wrap of one paragraph (what ``textwrap.wrap`` counts, much faster)."""
    if len(para) <= per_line:
        return 1
    lines, used = 1, 0
    for word in para.split():
        n = len(word)
        if used and used + 1 + n <= per_line:
            used += 1 + n
            continue
        if used:                      # the word goes to the next line
            lines += 1
        while n > per_line:           # a word longer than a line is cut
            n -= per_line
            lines += 1
        used = n
    return lines


def row_height(cells: Iterable[tuple[object, float]], line_pt: float = LINE_PT) -> float:
    """Height in points of a row whose wrapped cells are ``(text, column width)``."""
    lines = max((lines_needed(t, w) for t, w in cells), default=1)
    return min(MAX_ROW_PT, math.ceil(lines * line_pt + PAD_PT))


def print_setup(ws, title: str, *, landscape: bool = True, repeat_header_row: int | None = 0,
                header_note: str | None = None) -> None:
    """Letter paper, one page wide (as many pages down as needed), the header row
    repeated on each page, the title at the top and « Page x de y » at the bottom."""
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(PAPER_LETTER)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if repeat_header_row is not None:
        ws.repeat_rows(repeat_header_row)
    safe_title = title.replace("&", "&&")
    head = f"&L&\"-,Bold\"{safe_title}"
    if header_note:
        head += f"&R{header_note.replace('&', '&&')}"
    ws.set_header(head)
    ws.set_footer("&CPage &P de &N")
