"""A worksheet part rewritten by streaming: flagged cells restyled, missing cells created.

The sheet's XML goes through in chunks and is copied **byte for byte**, except:

* a flagged row (``<row>`` … ``</row>``) is parsed alone (lxml, wrapped in the namespace
  declarations of the sheet) and written back with each flagged cell's ``s`` pointing to
  a new format derived from its own; a flagged cell that does not exist is created, in
  column order; every cell of that row gets an explicit ``r`` (so that no implicit
  position can shift);
* a flagged row that does not exist is created where its number puts it;
* ``<legacyDrawing r:id>`` is inserted at its place in the schema's order when the sheet
  gets its first comments.

Memory is bounded by a row (plus one read chunk), never by the sheet: the sheet is never
built as a tree. Elements are found by their local name under whatever prefix the file
uses (``calamine/nonstandard-xml-ns-prefix.xlsx``). ``survey`` is a first, cheaper pass
that finds what comes after the rows (merged ranges, the legacy drawing) and the
declared used range, which the marks need before the rows are rewritten.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Callable

from lxml import etree

from ..text import column_letters
from .xlsx_package import PARSER, PackageError, local

CHUNK = 1 << 20
PROLOG_CHUNK = 1 << 15
_NAME = rb"[A-Za-z_][\w.\-]*"
_ROOT = re.compile(rb"<(?!\?|!)(" + _NAME + rb":)?(" + _NAME + rb")\b([^>]*)>")
_SHEETDATA = re.compile(rb"<(" + _NAME + rb":)?sheetData\b([^>]*?)(/?)>")
_XMLNS = re.compile(rb"""\sxmlns(?::(""" + _NAME + rb"""))?\s*=\s*("[^"]*"|'[^']*')""")
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([\w.\-]+)["']""")
_DIMENSION = re.compile(rb"""<(?:""" + _NAME + rb""":)?dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")
_COL = re.compile(rb"<(?:" + _NAME + rb":)?col\b([^>]*)>")
_MERGE = re.compile(rb"""<(?:""" + _NAME + rb""":)?mergeCell\b[^>]*?\sref\s*=\s*["']([^"']+)["']""")
_LEGACY = re.compile(rb"<(?:" + _NAME + rb":)?legacyDrawing\b([^>]*)>")
_ATTR = re.compile(rb"""\s(?:(""" + _NAME + rb"""):)?(""" + _NAME + rb""")\s*=\s*("[^"]*"|'[^']*')""")
_AFTER_LEGACY = re.compile(
    rb"<(?:" + _NAME + rb":)?(?:legacyDrawingHF|drawingHF|picture|oleObjects|controls|"
    rb"webPublishItems|tableParts|extLst|AlternateContent)\b|</(?:" + _NAME + rb":)?worksheet\s*>")
_CELL_R = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})(\d+)["']""")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_CUSTOM_FORMAT = re.compile(rb"""\scustomFormat\s*=\s*["'](1|true)["']""")
_ROW_STYLE = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
_CELL_STYLE = re.compile(rb"""\ss\s*=\s*["'](\d*)["']""")


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_COLUMNS: dict[bytes, int] = {}


def _column_of(letters: bytes) -> int:
    """``column_number`` of a reference's letters, as bytes, remembered."""
    n = _COLUMNS.get(letters)
    if n is None:
        n = _COLUMNS[letters] = column_number(letters.decode("ascii"))
    return n


def parse_ref(ref: str) -> tuple[int, int] | None:
    """(row, column) of ``B5``; None for anything else."""
    m = _CELL_REF.match(ref.strip())
    return (int(m.group(2)), column_number(m.group(1))) if m else None


def _attrs(tag_body: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(tag_body):
        out[m.group(2).decode()] = m.group(3)[1:-1].decode("utf-8", "replace")
    return out


@dataclass
class SheetLayout:
    """What the marks need to know about a sheet before its rows are rewritten."""

    prefix: bytes = b""                   # b"" or b"x:" — the prefix of the sheet's elements
    wrap_open: bytes = b"<w>"             # a wrapper declaring every namespace of the sheet
    first_column: int = 1                 # of the declared used range (<dimension>)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    legacy_rid: str | None = None         # r:id of <legacyDrawing>, if any
    col_styles: list[tuple[int, int, int]] = field(default_factory=list)  # (min, max, s)
    complete: bool = True                 # merges and legacy drawing known (whole survey)

    def top_left(self, row: int, col: int) -> tuple[int, int]:
        """The cell, or the top-left cell of the merged range it lies in."""
        for r0, c0, r1, c1 in self.merges:
            if r0 <= row <= r1 and c0 <= col <= c1:
                return r0, c0
        return row, col

    def column_style(self, col: int) -> int:
        for lo, hi, s in self.col_styles:
            if lo <= col <= hi:
                return s
        return 0


class _Input:
    def __init__(self, stream: IO[bytes], size: int = CHUNK) -> None:
        self.stream, self.buf, self.size = stream, b"", size

    def more(self) -> bool:
        data = self.stream.read(self.size)
        self.buf += data
        return bool(data)

    def rest(self) -> bytes:
        while self.more():
            pass
        return self.buf


def _prolog(inp: _Input) -> tuple[re.Match, SheetLayout]:
    """Read up to the ``<sheetData>`` start tag; the layout known from what precedes it."""
    while True:
        m = _SHEETDATA.search(inp.buf)
        if m:
            break
        if not inp.more():
            raise PackageError("no sheetData")
    head = inp.buf[:m.end()]
    enc = _ENCODING.match(head)
    if enc and enc.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise PackageError("sheet not in UTF-8")
    root = _ROOT.search(head)
    if root is None or root.group(2) != b"worksheet":
        raise PackageError("not a worksheet")
    decls: dict[bytes, bytes] = {}
    for body in (root.group(3), m.group(2)):
        for d in _XMLNS.finditer(body):
            decls[d.group(1) or b""] = d.group(2)
    wrap = b"<w" + b"".join((b" xmlns:" + k if k else b" xmlns") + b"=" + v
                            for k, v in decls.items()) + b">"
    layout = SheetLayout(prefix=m.group(1) or b"", wrap_open=wrap)
    dim = _DIMENSION.search(head)
    if dim:
        first = parse_ref(dim.group(1).decode("ascii", "replace").split(":")[0])
        if first:
            layout.first_column = first[1]
    for c in _COL.finditer(head[:m.start()]):
        if b"style" not in c.group(1):
            continue  # no column style: nothing to note (most columns)
        a = _attrs(c.group(1))
        try:
            if int(a.get("style", "0")):
                layout.col_styles.append((int(a["min"]), int(a["max"]), int(a["style"])))
        except (KeyError, ValueError):
            continue
    return m, layout


class SurveyNeeded(Exception):
    """A mark falls inside merged cells (or the sheet has a legacy drawing) that the
    quick survey did not see: the sheet must be surveyed whole, then rewritten."""


def survey(stream: IO[bytes], whole: bool = True) -> SheetLayout:
    """First pass: the prolog's layout, then (``whole``) the merged ranges and the legacy
    drawing found after the rows (the rows are skipped with a plain byte search). Without
    ``whole``, only the prolog is read: ``rewrite`` then checks the tail itself and raises
    ``SurveyNeeded`` if what it finds there would have moved a mark."""
    inp = _Input(stream, PROLOG_CHUNK)  # the prolog is small: do not inflate the rows for it
    m, layout = _prolog(inp)
    layout.complete = whole
    if not whole:
        return layout
    inp.size = CHUNK
    if m.group(3):  # <sheetData/>
        tail = inp.rest()[m.end():]
    else:
        end = b"</" + layout.prefix + b"sheetData"
        pos = m.end()
        while True:
            i = inp.buf.find(end, pos)
            if i != -1:
                tail = inp.rest()[i:]
                break
            keep = max(0, len(inp.buf) - len(end))
            inp.buf, pos = inp.buf[keep:], 0
            if not inp.more():
                raise PackageError("sheetData not closed")
    _read_tail(layout, tail)
    return layout


def _read_tail(layout: SheetLayout, tail: bytes) -> None:
    """The merged ranges and the legacy drawing, from what follows the rows."""
    for mm in _MERGE.finditer(tail):
        a, _, b = mm.group(1).decode("ascii", "replace").partition(":")
        p, q = parse_ref(a), parse_ref(b or a)
        if p and q:
            layout.merges.append((min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1])))
    legacy = _LEGACY.search(tail)
    if legacy:
        layout.legacy_rid = next((v for k, v in _attrs(legacy.group(1)).items() if k == "id"), "?")


Marks = dict[int, dict[int, object]]   # row -> column -> Look
StyleOf = Callable[[int, object], int]  # (base format, Look) -> new format


class _Rewriter:
    def __init__(self, out: IO[bytes], layout: SheetLayout, marks: Marks, style_of: StyleOf) -> None:
        self.out, self.layout, self.marks, self.style_of = out, layout, marks, style_of
        self.pending = sorted(marks)
        self.next = 0  # index in pending
        p = layout.prefix
        self.row_tag, self.row_end = b"<" + p + b"row", b"</" + p + b"row>"
        self.data_end = b"</" + p + b"sheetData"
        self.cell_tag = re.compile(rb"<" + re.escape(p) + rb"c\b([^>]*?)(/?)>")

    # -- new rows -----------------------------------------------------------------

    def new_rows_before(self, limit: int | None) -> bytes:
        """The flagged rows that do not exist, numbered below ``limit`` (None: all)."""
        parts = []
        while self.next < len(self.pending) and (limit is None or self.pending[self.next] < limit):
            r = self.pending[self.next]
            self.next += 1
            p = self.layout.prefix
            cells = b"".join(
                b"<%sc r=\"%s%d\" s=\"%d\"/>" % (p, column_letters(c).encode(), r,
                                                  self.style_of(self.layout.column_style(c), look))
                for c, look in sorted(self.marks[r].items()))
            parts.append(b"<%srow r=\"%d\">%s</%srow>" % (p, r, cells, p))
        return b"".join(parts)

    # -- an existing flagged row ----------------------------------------------------

    def rewrite_row(self, row_bytes: bytes, rnum: int) -> bytes:
        """The row with its flagged cells restyled (and created): patched as bytes when
        every cell has its ``r`` and nothing unusual is inside (the usual case), else
        parsed with lxml."""
        if b"<!" in row_bytes or b"<?" in row_bytes:  # CDATA, comments, processing
            return self.rewrite_row_tree(row_bytes, rnum)
        p = self.layout.prefix
        tags = list(self.cell_tag.finditer(row_bytes))
        cols = []
        last = 0
        for m in tags:
            ref = _CELL_R.search(m.group(1))
            if ref is None or int(ref.group(2)) != rnum:
                return self.rewrite_row_tree(row_bytes, rnum)
            col = _column_of(ref.group(1))
            if col <= last:  # out of order, or twice
                return self.rewrite_row_tree(row_bytes, rnum)
            cols.append(col)
            last = col
        head_end = row_bytes.index(b">") + 1
        head = row_bytes[:head_end]
        row_style = None
        custom = _CUSTOM_FORMAT.search(head)
        s_attr = _ROW_STYLE.search(head)
        if custom and s_attr:
            row_style = int(s_attr.group(1))
        edits: list[tuple[int, int, bytes]] = []  # (start, end, replacement), in order
        by_col = dict(zip(cols, tags))
        widened = False
        for col, look in sorted(self.marks[rnum].items()):
            m = by_col.get(col)
            if m is not None:
                s = _CELL_STYLE.search(m.group(1))
                new = self.style_of(int(s.group(1) or 0) if s else 0, look)
                if s:
                    a, b = m.start(1) + s.start(1), m.start(1) + s.end(1)
                    edits.append((a, b, str(new).encode()))
                else:
                    at = m.end(1)
                    edits.append((at, at, b' s="%d"' % new))
                continue
            base = row_style if row_style is not None else self.layout.column_style(col)
            cell = b'<%sc r="%s%d" s="%d"/>' % (p, column_letters(col).encode(), rnum,
                                                   self.style_of(base, look))
            after = next((t for c, t in zip(cols, tags) if c > col), None)
            if after is not None:
                at = after.start()
            elif head.endswith(b"/>"):
                at = -1  # <row …/>: becomes <row …>cells</row>
            else:
                ext = re.search(rb"<" + re.escape(p) + rb"extLst\b", row_bytes)
                at = ext.start() if ext else row_bytes.rindex(b"</")
            edits.append((at, at, cell))
            widened = True
        if widened and any(e[0] == -1 for e in edits):
            cells = b"".join(e[2] for e in edits if e[0] == -1)
            row_bytes = head[:-2] + b">" + cells + b"</" + p + b"row>"
            edits = [e for e in edits if e[0] != -1]
        out, last = [], 0
        for a, b, rep in sorted(edits, key=lambda e: (e[0], e[1])):
            out += [row_bytes[last:a], rep]
            last = b
        out.append(row_bytes[last:])
        data = b"".join(out)
        if widened:
            data = re.sub(rb"""\sspans\s*=\s*["'][^"']*["']""", b"", data[:head_end], count=1) + data[head_end:]
        return data

    def rewrite_row_tree(self, row_bytes: bytes, rnum: int) -> bytes:
        wrapped = etree.fromstring(self.layout.wrap_open + row_bytes + b"</w>", PARSER)
        row = next(el for el in wrapped if isinstance(el.tag, str))
        ns = etree.QName(row).namespace
        ctag = f"{{{ns}}}c" if ns else "c"
        cells: list[tuple[int, object]] = []
        col = 0
        for c in row:
            if not isinstance(c.tag, str) or local(c.tag) != "c":
                continue
            ref = parse_ref(c.get("r") or "")
            col = ref[1] if ref else col + 1
            c.set("r", f"{column_letters(col)}{rnum}")
            cells.append((col, c))
        existing = dict(cells)
        row_style = None
        if (row.get("customFormat") or "").lower() in ("1", "true") and row.get("s"):
            row_style = int(row.get("s"))
        widened = False
        for col, look in sorted(self.marks[rnum].items()):
            c = existing.get(col)
            if c is None:
                base = row_style if row_style is not None else self.layout.column_style(col)
                c = etree.Element(ctag)
                c.set("r", f"{column_letters(col)}{rnum}")
                after = next((e for cc, e in sorted(cells, key=lambda t: t[0]) if cc > col), None)
                if after is not None:
                    after.addprevious(c)
                else:
                    ext = next((e for e in row if isinstance(e.tag, str) and local(e.tag) == "extLst"), None)
                    if ext is not None:
                        ext.addprevious(c)
                    else:
                        row.append(c)
                cells.append((col, c))
                existing[col] = c
                widened = True
            else:
                base = int(c.get("s") or 0)
            c.set("s", str(self.style_of(base, look)))
        if widened and row.get("spans") is not None:
            del row.attrib["spans"]  # an optimisation hint; wrong once a cell is added outside
        data = etree.tostring(wrapped, encoding="UTF-8", xml_declaration=False)
        return data[data.index(b">") + 1:data.rindex(b"</")]

    # -- the pass -----------------------------------------------------------------

    def rows(self, inp: _Input, start: int) -> int:
        """Copy the rows from ``inp.buf[start:]``; return where ``</sheetData`` starts
        in ``inp.buf`` (everything before it written)."""
        out = self.out
        pos = search = start  # pos: first byte not yet written
        prev = 0
        e = inp.buf.find(self.data_end, search)  # found once per buffer, not once per row
        while True:
            if self.next >= len(self.pending):
                return self.pass_through(inp, pos)
            buf = inp.buf
            i = buf.find(self.row_tag, search)
            if e != -1 and (i == -1 or e < i):
                out.write(buf[pos:e])
                out.write(self.new_rows_before(None))
                return e
            if i == -1 or i + len(self.row_tag) >= len(buf):
                keep = max(pos, len(buf) - len(self.data_end))
                out.write(buf[pos:keep])
                inp.buf, pos, search = buf[keep:], 0, 0
                if not inp.more():
                    raise PackageError("sheetData not closed")
                e = inp.buf.find(self.data_end)
                continue
            if buf[i + len(self.row_tag)] not in b" \t\r\n/>":
                search = i + 1  # <rowSomething: not a row
                continue
            gt = buf.find(b">", i)
            if gt == -1:
                shift = pos
                if not self._more(inp, pos):
                    raise PackageError("truncated row")
                pos, search = 0, i - shift
                e = inp.buf.find(self.data_end, search)
                continue
            r = _ROW_NUMBER.search(buf, i, gt)
            rnum = int(r.group(1)) if r else prev + 1
            if rnum <= prev:
                raise PackageError("rows out of order")
            prev = rnum
            if self.next < len(self.pending) and self.pending[self.next] < rnum:
                out.write(buf[pos:i])
                out.write(self.new_rows_before(rnum))
                pos = i
            if self.next < len(self.pending) and self.pending[self.next] == rnum:
                if buf[gt - 1:gt] == b"/":
                    end = gt + 1
                else:
                    k = buf.find(self.row_end, gt)
                    moved = k == -1
                    while k == -1:
                        shift = pos
                        if not self._more(inp, pos):
                            raise PackageError("truncated row")
                        buf = inp.buf
                        pos, i, gt = 0, i - shift, gt - shift
                        k = buf.find(self.row_end, gt)
                    if moved:
                        e = buf.find(self.data_end, gt)
                    end = k + len(self.row_end)
                out.write(buf[pos:i])
                out.write(self.rewrite_row(buf[i:end], rnum))
                self.next += 1
                pos = search = end
            else:
                search = gt + 1

    def pass_through(self, inp: _Input, pos: int) -> int:
        """Every mark is placed: copy the rest of the rows from ``inp.buf[pos:]`` as they
        are, looking only for the end of ``sheetData`` (a million rows of styled empty
        cells after the last flagged row cost a byte search, not a step per row)."""
        out, end = self.out, self.data_end
        e = inp.buf.find(end, pos)
        while e == -1:
            keep = max(pos, len(inp.buf) - len(end))
            out.write(inp.buf[pos:keep])
            inp.buf, pos = inp.buf[keep:], 0
            if not inp.more():
                raise PackageError("sheetData not closed")
            e = inp.buf.find(end)
        out.write(inp.buf[pos:e])
        return e

    @staticmethod
    def _more(inp: _Input, pos: int) -> bool:
        """Drop what is already written (before ``pos``) and read one more chunk."""
        inp.buf = inp.buf[pos:]
        return inp.more()

    def tail(self, tail: bytes, legacy: bytes | None) -> None:
        if not self.layout.complete:
            seen = SheetLayout()
            _read_tail(seen, tail)
            moved = any(seen.top_left(r, c) != (r, c) for r, cols in self.marks.items() for c in cols)
            if moved or seen.legacy_rid:
                raise SurveyNeeded()
        if legacy:
            m = _AFTER_LEGACY.search(tail)
            if m is None:
                raise PackageError("worksheet not closed")
            tail = tail[:m.start()] + legacy + tail[m.start():]
        self.out.write(tail)


def rewrite(stream: IO[bytes], out: IO[bytes], layout: SheetLayout, marks: Marks,
            style_of: StyleOf, legacy_rid: str | None, rel_ns: str) -> None:
    """Second pass: copy the sheet to ``out`` with ``marks`` applied, adding
    ``<legacyDrawing r:id="legacy_rid">`` when given."""
    inp = _Input(stream)
    m, _ = _prolog(inp)
    w = _Rewriter(out, layout, marks, style_of)
    p = layout.prefix
    legacy = None
    if legacy_rid:
        rp = b"rr" if p == b"r:" else b"r"
        legacy = b'<%slegacyDrawing xmlns:%s="%s" %s:id="%s"/>' % (
            p, rp, rel_ns.encode(), rp, legacy_rid.encode())
    if m.group(3):  # <sheetData/>: the rows we add are all there is
        out.write(inp.buf[:m.start()])
        rows = w.new_rows_before(None)
        out.write(b"<%ssheetData>%s</%ssheetData>" % (p, rows, p) if rows else m.group(0))
        w.tail(inp.rest()[m.end():], legacy)
        return
    out.write(inp.buf[:m.end()])
    end = w.rows(inp, m.end())
    w.tail(inp.rest()[end:], legacy)
