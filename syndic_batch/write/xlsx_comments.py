"""A sheet's notes: the comments part (text) and its legacy VML drawing (the boxes).

``merge_comments`` adds our text to the sheet's comments part (created when the sheet
has none): on a cell that already has a comment, the original runs, formatting and author
are kept and ours appended after ``COMMENT_SEPARATOR``. The part holds one element per
comment, never per cell, so it is parsed whole.

``merge_vml`` sizes the boxes to their text and adds the boxes of new notes. Legacy VML
is often not well-formed XML (Excel writes ``<br>`` unclosed), so it is patched as text:
a new shape is appended before ``</xml>``, an existing box is resized in place, and
nothing else of the drawing (form controls, other notes) changes. Shape ids come from
blocks of 1024 (``<o:idmap data>``) no other drawing of the workbook uses.
"""
from __future__ import annotations

import math
import re

from lxml import etree

from .marks import AUTHOR, COMMENT_SEPARATOR, MAX_TEXT, comment_size
from .xlsx_package import PARSER, local, ooxml_text
from .xlsx_sheet import parse_ref

XML_NS = "http://www.w3.org/XML/1998/namespace"
V_NS = "urn:schemas-microsoft-com:vml"
O_NS = "urn:schemas-microsoft-com:office:office"
X_NS = "urn:schemas-microsoft-com:office:excel"
DEFAULT_COLUMN_PX = 64
DEFAULT_ROW_PX = 20


def _norm(ref: str | None) -> str:
    return (ref or "").replace("$", "").strip().upper()


def _t(parent, ns: str, text: str):
    t = etree.SubElement(parent, f"{{{ns}}}t")
    t.text = ooxml_text(text)
    if text != text.strip() or "\n" in text:
        t.set(f"{{{XML_NS}}}space", "preserve")
    return t


def merge_comments(data: bytes | None, ours: dict[str, str], main_ns: str) -> tuple[bytes, dict[str, str]]:
    """The comments part with ``ours`` (cell ref → our text) added; and the full text
    of each of those comments (to size its box)."""
    if data:
        root = etree.fromstring(data, PARSER)
        ns = etree.QName(root).namespace or main_ns
    else:
        ns = main_ns
        root = etree.Element(f"{{{ns}}}comments", nsmap={None: ns})
    authors = next((e for e in root if local(e.tag) == "authors"), None)
    if authors is None:
        authors = etree.Element(f"{{{ns}}}authors")
        root.insert(0, authors)
    names = [a.text or "" for a in authors if local(a.tag) == "author"]
    if AUTHOR in names:
        author_id = names.index(AUTHOR)
    else:
        etree.SubElement(authors, f"{{{ns}}}author").text = AUTHOR
        author_id = len(names)
    clist = next((e for e in root if local(e.tag) == "commentList"), None)
    if clist is None:
        clist = etree.Element(f"{{{ns}}}commentList")
        authors.addnext(clist)
    existing = {_norm(c.get("ref")): c for c in clist if local(c.tag) == "comment"}
    full: dict[str, str] = {}
    for ref, text in ours.items():
        comment = existing.get(_norm(ref))
        if comment is None:
            comment = etree.SubElement(clist, f"{{{ns}}}comment")
            comment.set("ref", ref)
            comment.set("authorId", str(author_id))
            _t(etree.SubElement(comment, f"{{{ns}}}text"), ns, text[:MAX_TEXT])
            full[ref] = text[:MAX_TEXT]
            continue
        body = next((e for e in comment if local(e.tag) == "text"), None)
        if body is None:
            body = etree.SubElement(comment, f"{{{ns}}}text")
        ts = [t for t in body.iter(f"{{{ns}}}t") if local(t.getparent().tag) in ("text", "r")]
        before = "".join(t.text or "" for t in ts)
        if not before.strip():
            for child in list(body):
                body.remove(child)
            _t(body, ns, text[:MAX_TEXT])
            full[ref] = text[:MAX_TEXT]
            continue
        plain = next((e for e in body if local(e.tag) == "t"), None)
        if plain is not None:  # <text><t>…</t></text>: make it a run, then add ours
            run = etree.Element(f"{{{ns}}}r")
            plain.addprevious(run)
            run.append(plain)
        last = ts[-1]
        last.text = (last.text or "").rstrip()
        room = MAX_TEXT - len(before.rstrip())
        added = f"\n{COMMENT_SEPARATOR}\n{text}"[:max(room, 0)]
        if added:
            runs = [e for e in body if local(e.tag) == "r"]
            run = etree.Element(f"{{{ns}}}r")
            (runs[-1].addnext(run) if runs else body.insert(0, run))
            _t(run, ns, added)
        full[ref] = before.rstrip() + added
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), full


# --- VML ---------------------------------------------------------------------------

_IDMAP = re.compile(r"""(<\w+:idmap\b[^>]*?\sdata\s*=\s*["'])([^"']*)(["'])""")
_SHAPE = re.compile(r"<(\w+):shape\b[^>]*>.*?</\1:shape\s*>", re.S)
_ROW = re.compile(r"<(?:\w+:)?Row>\s*(\d+)\s*</")
_COLUMN = re.compile(r"<(?:\w+:)?Column>\s*(\d+)\s*</")
_STYLE = re.compile(r"""(\sstyle\s*=\s*)(["'])(.*?)\2""", re.S)
_ANCHOR = re.compile(r"(<(?:\w+:)?Anchor>)(.*?)(</)", re.S)


def used_blocks(vml_parts: list[bytes]) -> set[int]:
    """The shape-id blocks (``<o:idmap data>``) the workbook's drawings already use."""
    out = set()
    for data in vml_parts:
        for m in _IDMAP.finditer(data.decode("latin-1")):
            out.update(int(n) for n in re.findall(r"\d+", m.group(2)))
    return out


def _anchor(row: int, col: int, width: int, height: int) -> str:
    """``x:Anchor``: the box from one column right of the cell, spanning enough default
    columns and rows for ``width`` × ``height`` pixels (row, col are 1-based)."""
    left, top = col, max(row - 2, 0)
    right = left + math.ceil(width / DEFAULT_COLUMN_PX)
    bottom = top + math.ceil(height / DEFAULT_ROW_PX)
    return f"{left}, 15, {top}, 10, {right}, 15, {bottom}, 4"


def _box_style(style: str, width: int, height: int) -> str:
    parts = [p for p in style.split(";") if p.strip() and
             p.split(":", 1)[0].strip().lower() not in ("width", "height")]
    return ";".join(parts + [f"width:{width}px", f"height:{height}px"])


def _shape(shape_id: int, row: int, col: int, width: int, height: int, declare: bool) -> str:
    ns = (f' xmlns:v="{V_NS}" xmlns:o="{O_NS}" xmlns:x="{X_NS}"' if declare else "")
    return (
        f'<v:shape{ns} id="_x0000_s{shape_id}" type="#_x0000_t202" '
        f'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:{width}px;'
        f'height:{height}px;z-index:{shape_id % 1024};visibility:hidden" fillcolor="#ffffe1" '
        'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" '
        'obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
        '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note">'
        f'<x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{_anchor(row, col, width, height)}'
        f'</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row>'
        f'<x:Column>{col - 1}</x:Column></x:ClientData></v:shape>')


_SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
    'o:connecttype="rect"/></v:shapetype>')


def merge_vml(data: bytes | None, texts: dict[str, str], new: set[str], taken: set[int]) -> bytes:
    """The VML drawing with a box for each note of ``texts`` (ref → full text) sized to
    its text: ``new`` refs get a new box, the others have theirs resized. ``taken``:
    the id blocks already used in the workbook (updated)."""
    sizes = {}
    for ref, text in texts.items():
        cell = parse_ref(ref)
        if cell:
            sizes[cell] = comment_size(text)
    block = max(taken, default=0) + 1
    blocks = [block + i for i in range(max(1, math.ceil((len(new) + 1) / 1023)))]
    taken.update(blocks)
    ids = iter(b * 1024 + k for b in blocks for k in range(1, 1024))
    if data is None:
        shapes = "".join(_shape(next(ids), *cell, *sizes[cell], False)
                         for cell in sorted(filter(None, map(parse_ref, new))))
        return (f'<xml xmlns:v="{V_NS}" xmlns:o="{O_NS}" xmlns:x="{X_NS}"><o:shapelayout '
                f'v:ext="edit"><o:idmap v:ext="edit" data="{",".join(map(str, blocks))}"/>'
                f'</o:shapelayout>{_SHAPETYPE}{shapes}</xml>').encode()
    text = data.decode("latin-1")  # byte-transparent: only ASCII is matched or added

    def resize(m: re.Match) -> str:
        shape = m.group(0)
        r, c = _ROW.search(shape), _COLUMN.search(shape)
        if not r or not c or 'ObjectType="Note"' not in shape:
            return shape
        cell = (int(r.group(1)) + 1, int(c.group(1)) + 1)
        if cell not in sizes or _norm_ref(cell) in new:
            return shape
        w, h = sizes[cell]
        head_end = shape.index(">")
        head = shape[:head_end]
        st = _STYLE.search(head)
        head = (head[:st.start()] + st.group(1) + st.group(2) + _box_style(st.group(3), w, h)
                + st.group(2) + head[st.end():]) if st else head + f' style="{_box_style("", w, h)}"'
        shape = head + shape[head_end:]
        return _ANCHOR.sub(lambda a: a.group(1) + _anchor(*cell, w, h) + a.group(3), shape, count=1)

    text = _SHAPE.sub(resize, text)
    if new:
        m = _IDMAP.search(text)
        if m:
            text = text[:m.end(2)] + "," + ",".join(map(str, blocks)) + text[m.end(2):]
        declared = all(f'"{u}"' in text[:text.find(">", text.find("<xml")) + 1]
                       for u in (V_NS, O_NS, X_NS)) if "<xml" in text else False
        extra = "" if "_x0000_t202" in text else _SHAPETYPE.replace(
            "<v:shapetype ", f'<v:shapetype xmlns:v="{V_NS}" xmlns:o="{O_NS}" ', 1) if not declared \
            else _SHAPETYPE
        extra += "".join(_shape(next(ids), *cell, *sizes[cell], not declared)
                         for cell in sorted(filter(None, map(parse_ref, new))))
        end = text.rfind("</xml>")
        if end == -1:
            raise ValueError("VML drawing not closed")
        text = text[:end] + extra + text[end:]
    return text.encode("latin-1")


def _norm_ref(cell: tuple[int, int]) -> str:
    from .xlsx_sheet import column_letters
    return f"{column_letters(cell[1])}{cell[0]}"
