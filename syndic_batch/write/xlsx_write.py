"""A small SpreadsheetML writer for the workbooks syndic-batch builds from nothing
(``constats.xlsx``, ``depot-employeur.xlsx``, ``plan-d-action.xlsx``).

XlsxWriter cost ~25 µs per cell (a cell object, a format lookup, escaping through
several regular expressions, a temporary file per part): 3 s for the 12 500 findings
of a 100 000-row inbox, and ~30 ms of fixed cost per workbook plus its import for a
small one. These workbooks are simple — one style table decided once, inline strings,
numbers, row heights, a frozen header, an auto-filter, links, print set-up — so they
are written here as XML text directly, row after row, into the zip package:

- the package is what XlsxWriter wrote (same parts, same names, same theme, every part
  dated 31 January 1980, so that ``xlsx_reuse`` recognises an untouched file), the cell
  XML the same (``t="inlineStr"``, ``_xHHHH_`` escapes of control characters, the escape
  of a literal ``_x0041_``, ``xml:space="preserve"`` around leading or trailing spaces,
  strings cut at 32 767 characters), column widths and row heights rounded to pixels
  as XlsxWriter rounds them;
- every text is written as an inline string: never a formula, a number or a link;
- a sheet's XML is kept in memory up to ``STREAM_ABOVE`` bytes and then streamed into
  its zip entry (memory bounded by a block of rows, whatever the number of rows).

The caller builds each row's XML with ``string``, ``number``, ``blank`` (and ``row``),
which keeps the inner loop to string formatting.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

from ..text import column_letters, xml_escape, xml_quoteattr
from .xlsx_theme import THEME

PART_DATE = (1980, 1, 31, 0, 0, 0)   # XlsxWriter's date for every part (xlsx_reuse checks it)
STREAM_ABOVE = 1024 * 1024           # characters of a sheet's XML kept before it is streamed (zip64 entry)
SMALL_LEVEL = 6                      # deflate level of the small parts
SHEET_LEVEL = 3                      # and of the sheets: 2.4x faster than 6, files ~18 % larger
MAX_TEXT = 32767                     # Excel's limit for a cell's text (UTF-16 units)
MAX_URL = 2079                       # Excel's limit for a link (and its location)
MAX_LINKS = 65530                    # links per sheet
EXCEL_EPOCH = dt.datetime(1899, 12, 31)

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# -- cells ------------------------------------------------------------------------

# Anything that needs more than the plain text: XML's specials, control characters,
# non-characters, and a literal ``_xHHHH_`` (Excel would read it as an escape).
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]|_x[0-9a-fA-F]{4}_")
_ESCAPE_LIKE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WHITESPACE = re.compile(r"^\s|\s$")


def text_content(s: str) -> str:
    """``<t>…</t>`` of the text ``s``, as XlsxWriter writes it (escaped, whitespace kept)."""
    if len(s) > MAX_TEXT // 2 and len(s.encode("utf-16-le")) // 2 > MAX_TEXT:
        s = _utf16_cut(s, MAX_TEXT)
    if _SPECIAL.search(s):
        s = _ESCAPE_LIKE.sub(r"_x005F\1", s)
        s = _CONTROL.sub(lambda m: f"_x{ord(m[0]):04X}_", s)
        s = s.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        s = _SURROGATE.sub("\ufffd", s)          # a lone surrogate cannot be written in UTF-8
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if s and (s[0].isspace() or s[-1].isspace()) and _WHITESPACE.search(s):
        return f'<t xml:space="preserve">{s}</t>'
    return f"<t>{s}</t>"


def _utf16_cut(s: str, units: int) -> str:
    out, used = [], 0
    for ch in s:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out)


def string(ref: str, style: int, s: str) -> str:
    """A text cell (an inline string: never a formula, a number or a link)."""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is>{text_content(s)}</is></c>'


def number(ref: str, style: int, v: float) -> str:
    return f'<c r="{ref}" s="{style}"><v>{v:.16G}</v></c>'


def blank(ref: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}"/>'


def row(r: int, cells: str, height: float | None = None) -> str:
    """``<row>`` number ``r`` (1-based) holding ``cells``; ``height`` in points."""
    if height is None:
        return f'<row r="{r}">{cells}</row>'
    return f'<row r="{r}" ht="{row_points(height):.16g}" customHeight="1">{cells}</row>'


def row_points(height: float) -> float:
    """A row height as XlsxWriter stores it (rounded to whole pixels)."""
    return int(height * 4.0 / 3.0 + 0.5) * 0.75


def col_name(c: int) -> str:
    """``A`` for column 0, ``AA`` for 26… (this module counts columns from 0)."""
    return column_letters(c + 1)


def excel_serial(d: dt.datetime | dt.date) -> float:
    """A date or date-time as Excel's serial number (1900 date system), as XlsxWriter
    computes it (Excel's 29 February 1900 counted)."""
    is_datetime = isinstance(d, dt.datetime)
    if not is_datetime:
        d = dt.datetime(d.year, d.month, d.day)
    delta = d.replace(tzinfo=None) - EXCEL_EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400.0
    if is_datetime and d.isocalendar() == (1900, 1, 1):
        serial -= 1
    return serial + 1 if serial > 59 else serial


def column_width(width: float) -> str:
    """A column width as XlsxWriter stores it (rounded to whole pixels)."""
    if width == 0:
        pixels = 0
    elif width < 1.0:
        pixels = int(width * 12 + 0.5)
    else:
        pixels = int(width * 7 + 0.5) + 5
    return f"{(pixels * 256 // 7) / 256.0:.16g}"


def quote_sheet(name: str) -> str:
    """A sheet name in a reference: quoted unless plain letters, digits and ``_``."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and not re.fullmatch(r"[A-Za-z]{1,3}\d+", name):
        return name
    return "'" + name.replace("'", "''") + "'"


# -- styles -----------------------------------------------------------------------

BUILTIN_FORMATS = {"General": 0, "0": 1}      # as XlsxWriter: every other format is a custom one


def _rgb(colour: str) -> str:
    return "FF" + colour.lstrip("#").upper()


class Styles:
    """The cell formats of a workbook (``styles.xml``), each added once: ``add`` returns
    the index a cell's ``s`` attribute takes. Options are XlsxWriter's names:
    bold, italic, underline, font_size, font_color, bg_color, border (1: thin all
    round), border_color, top, bottom (1: thin), valign (top, vcenter), text_wrap,
    num_format."""

    def __init__(self) -> None:
        self.fonts = [self._font({})]
        self.fills = ['<fill><patternFill patternType="none"/></fill>',
                      '<fill><patternFill patternType="gray125"/></fill>']
        self.borders = ["<border><left/><right/><top/><bottom/><diagonal/></border>"]
        self.formats: dict[str, int] = {}
        self.xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']

    @staticmethod
    def _font(o: dict) -> str:
        parts = ["<font>"]
        if o.get("bold"):
            parts.append("<b/>")
        if o.get("italic"):
            parts.append("<i/>")
        if o.get("underline"):
            parts.append("<u/>")
        parts.append(f'<sz val="{o.get("font_size", 11):g}"/>')
        parts.append(f'<color rgb="{_rgb(o["font_color"])}"/>' if o.get("font_color") else '<color theme="1"/>')
        parts.append('<name val="Calibri"/><family val="2"/><scheme val="minor"/></font>')
        return "".join(parts)

    @staticmethod
    def _index(table: list[str], xml: str) -> int:
        try:
            return table.index(xml)
        except ValueError:
            table.append(xml)
            return len(table) - 1

    def add(self, **o) -> int:
        font = self._index(self.fonts, self._font(o))
        fill = 0
        if o.get("bg_color"):
            fill = self._index(self.fills, '<fill><patternFill patternType="solid"><fgColor rgb="'
                               f'{_rgb(o["bg_color"])}"/><bgColor indexed="64"/></patternFill></fill>')
        border = 0
        colour = (f'<color rgb="{_rgb(o["border_color"])}"/>' if o.get("border_color") else '<color auto="1"/>')
        sides = {s: bool(o.get("border") or o.get(s)) for s in ("left", "right", "top", "bottom")}
        if any(sides.values()):
            xml = "<border>" + "".join(f'<{s} style="thin">{colour}</{s}>' if on else f"<{s}/>"
                                       for s, on in sides.items()) + "<diagonal/></border>"
            border = self._index(self.borders, xml)
        num = 0
        nf = o.get("num_format")
        if nf:
            num = BUILTIN_FORMATS.get(nf)
            if num is None:
                num = self.formats.setdefault(nf, 164 + len(self.formats))
        align = []
        valign = o.get("valign")
        if valign in ("top", "vcenter", "center"):
            align.append(f'vertical="{"top" if valign == "top" else "center"}"')
        if o.get("text_wrap"):
            align.append('wrapText="1"')
        attrs = f'numFmtId="{num}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
        for flag, on in (("applyNumberFormat", num), ("applyFont", font), ("applyFill", fill),
                         ("applyBorder", border), ("applyAlignment", align)):
            if on:
                attrs += f' {flag}="1"'
        xf = f"<xf {attrs}><alignment {' '.join(align)}/></xf>" if align else f"<xf {attrs}/>"
        return self._index(self.xfs, xf)

    def xml(self) -> str:
        out = [XML_DECL, f'<styleSheet xmlns="{NS_MAIN}">']
        if self.formats:
            out.append(f'<numFmts count="{len(self.formats)}">')
            out += [f'<numFmt numFmtId="{i}" formatCode={xml_quoteattr(code)}/>' for code, i in self.formats.items()]
            out.append("</numFmts>")
        out += [f'<fonts count="{len(self.fonts)}">', *self.fonts, "</fonts>",
                f'<fills count="{len(self.fills)}">', *self.fills, "</fills>",
                f'<borders count="{len(self.borders)}">', *self.borders, "</borders>",
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>',
                f'<cellXfs count="{len(self.xfs)}">', *self.xfs, "</cellXfs>",
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
                'defaultPivotStyle="PivotStyleLight16"/></styleSheet>']
        return "".join(out)


# -- sheets -----------------------------------------------------------------------

@dataclass
class PageSetup:
    """Letter paper, one page wide, margins in inches, header/footer in Excel's codes
    (``&L``, ``&P``…; a literal ``&`` written ``&&`` by the caller)."""
    landscape: bool = True
    header: str | None = None
    footer: str | None = None
    repeat_row: int | None = None       # 0-based row repeated at the top of each page
    margins: tuple[float, float, float, float] = (0.4, 0.4, 0.6, 0.6)   # left, right, top, bottom


@dataclass
class _SheetInfo:
    name: str
    part: int
    print_titles: int | None = None
    filter_ref: str | None = None
    links: int = 0


@dataclass
class Link:
    ref: str           # the cell (``F2``)
    target: str        # the file, relative (``annotes/x.xlsx``)
    location: str | None = None      # the cell in it (``'Feuille'!B12``)
    tip: str | None = None


@lru_cache(maxsize=1024)
def _link_target(path: str) -> str:
    """The relationship target of an external file link, as XlsxWriter (and Excel) write
    it: backslashes, URL-escaped, ``#`` as ``%23``."""
    t = path.replace("/", "\\")
    if t.startswith(".\\"):
        t = t[2:]
    if not re.search("%[0-9a-fA-F]{2}", t):
        for a, b in (("%", "%25"), ('"', "%22"), (" ", "%20"), ("<", "%3c"), (">", "%3e"), ("[", "%5b"),
                     ("]", "%5d"), ("^", "%5e"), ("`", "%60"), ("{", "%7b"), ("}", "%7d")):
            t = t.replace(a, b)
    return t.replace("#", "%23")


def link_fits(target: str, location: str | None) -> bool:
    """Whether Excel accepts the link (its file and its location under 2 079 characters)."""
    return len(target) <= MAX_URL and len(location or "") <= MAX_URL


class Sheet:
    """One worksheet being written: ``write(xml)`` its rows in order, then ``close``."""

    def __init__(self, book: "Workbook", info: _SheetInfo, widths: list[float], freeze_rows: int,
                 dimension: tuple[int, int] | None, selected: bool):
        self.book, self.info = book, info
        self._chunks: list[str] = []
        self._size = 0
        self._stream = None
        head = [XML_DECL, f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">',
                '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>']
        if dimension is not None:
            last_row, last_col = dimension
            ref = "A1" if last_row <= 1 and last_col <= 0 else f"A1:{col_name(last_col)}{last_row}"
            head.append(f'<dimension ref="{ref}"/>')
        view = '<sheetView tabSelected="1" workbookViewId="0">' if selected else '<sheetView workbookViewId="0">'
        if freeze_rows:
            view += (f'<pane ySplit="{freeze_rows}" topLeftCell="A{freeze_rows + 1}" activePane="bottomLeft" '
                     'state="frozen"/><selection pane="bottomLeft"/></sheetView>')
        else:
            view = view[:-1] + "/>"
        head += ["<sheetViews>", view, "</sheetViews>", '<sheetFormatPr defaultRowHeight="15"/>']
        if widths:
            head.append("<cols>")
            c = 0
            while c < len(widths):      # neighbours of one width share one <col>, as XlsxWriter writes them
                last = c
                while last + 1 < len(widths) and widths[last + 1] == widths[c]:
                    last += 1
                head.append(f'<col min="{c + 1}" max="{last + 1}" width="{column_width(widths[c])}" customWidth="1"/>')
                c = last + 1
            head.append("</cols>")
        head.append("<sheetData>")
        self.write("".join(head))

    def write(self, xml: str) -> None:
        """Rows (``row(...)``), in order."""
        if self._stream is not None:
            self._stream.write(xml.encode("utf-8"))
            return
        self._chunks.append(xml)
        self._size += len(xml)
        if self._size > STREAM_ABOVE:
            zi = self.book._info(f"xl/worksheets/sheet{self.info.part}.xml", SHEET_LEVEL)
            self._stream = self.book.zf.open(zi, "w", force_zip64=True)
            self._stream.write("".join(self._chunks).encode("utf-8"))
            self._chunks = []

    def close(self, *, autofilter: tuple[int, int, int, int] | None = None, links: list[Link] = (),
              page: PageSetup | None = None) -> None:
        """The sheet's end: auto-filter (first row, first col, last row, last col, 0-based),
        links (external files), print set-up."""
        tail = ["</sheetData>"]
        if autofilter is not None:
            r0, c0, r1, c1 = autofilter
            ref = f"{col_name(c0)}{r0 + 1}:{col_name(c1)}{r1 + 1}"
            tail.append(f'<autoFilter ref="{ref}"/>')
            self.info.filter_ref = f"${col_name(c0)}${r0 + 1}:${col_name(c1)}${r1 + 1}"
        rels = []
        if links:
            tail.append("<hyperlinks>")
            tips: dict[str, str] = {}
            targets: dict[str, str] = {}
            for i, ln in enumerate(links, start=1):
                attrs = f'ref="{ln.ref}" r:id="rId{i}"'
                if ln.location:
                    attrs += f" location={xml_quoteattr(ln.location)}"
                if ln.tip:
                    tip = tips.get(ln.tip) or tips.setdefault(ln.tip, f" tooltip={xml_quoteattr(ln.tip)}")
                    attrs += tip
                tail.append(f"<hyperlink {attrs}/>")
                target = targets.get(ln.target) or targets.setdefault(
                    ln.target, f'Type="{NS_REL}/hyperlink" Target={xml_quoteattr(_link_target(ln.target))} '
                               'TargetMode="External"/>')
                rels.append(f'<Relationship Id="rId{i}" {target}')
            tail.append("</hyperlinks>")
        if page is not None:
            left, right, top, bottom = page.margins
            tail.append(f'<pageMargins left="{left:g}" right="{right:g}" top="{top:g}" bottom="{bottom:g}" '
                        'header="0.3" footer="0.3"/>')
            tail.append('<pageSetup paperSize="1" fitToHeight="0" orientation="'
                        f'{"landscape" if page.landscape else "portrait"}"/>')
            if page.header or page.footer:
                tail.append("<headerFooter>")
                if page.header:
                    tail.append(f"<oddHeader>{xml_escape(page.header)}</oddHeader>")
                if page.footer:
                    tail.append(f"<oddFooter>{xml_escape(page.footer)}</oddFooter>")
                tail.append("</headerFooter>")
            self.info.print_titles = page.repeat_row
        tail.append("</worksheet>")
        self.write("".join(tail))
        part = f"xl/worksheets/sheet{self.info.part}.xml"
        if self._stream is not None:
            self._stream.close()
        else:
            self.book._put(part, "".join(self._chunks).encode("utf-8"), SHEET_LEVEL)
        self._chunks = []
        if rels:
            self.book._put(f"xl/worksheets/_rels/sheet{self.info.part}.xml.rels",
                           (XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}">' + "".join(rels)
                            + "</Relationships>").encode("utf-8"), SHEET_LEVEL)
        self.info.links = len(rels)
        self.book._sheet = None


# -- the package ------------------------------------------------------------------

@dataclass
class Properties:
    title: str = ""
    author: str = ""
    created: dt.datetime | None = None        # None: now (UTC)
    custom: dict[str, str] = field(default_factory=dict)   # text properties (the digest)


class Workbook:
    """A workbook written straight into the zip at ``path``: ``styles.add`` the formats,
    ``sheet(...)`` each worksheet in turn (written and closed before the next), ``close``."""

    def __init__(self, path, properties: Properties) -> None:
        self.zf = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.props = properties
        self.styles = Styles()
        self.sheets: list[_SheetInfo] = []
        self._sheet: Sheet | None = None

    def _info(self, name: str, level: int) -> zipfile.ZipInfo:
        zi = zipfile.ZipInfo(name, date_time=PART_DATE)
        zi.compress_type = zipfile.ZIP_DEFLATED
        # the level of a streamed entry (``_compresslevel`` up to Python 3.12, then ``compress_level``)
        setattr(zi, "compress_level" if hasattr(zi, "compress_level") else "_compresslevel", level)
        return zi

    def _put(self, name: str, data: bytes, level: int = SMALL_LEVEL) -> None:
        self.zf.writestr(self._info(name, level), data)

    def sheet(self, name: str, widths: list[float], *, freeze_rows: int = 0,
              dimension: tuple[int, int] | None = None) -> Sheet:
        """A new worksheet (``dimension``: its last row, 1-based, and last column, 0-based)."""
        if self._sheet is not None:
            raise RuntimeError("close the previous sheet first")
        info = _SheetInfo(name, len(self.sheets) + 1)
        self.sheets.append(info)
        self._sheet = Sheet(self, info, widths, freeze_rows, dimension, selected=len(self.sheets) == 1)
        return self._sheet

    def close(self) -> None:
        try:
            if self._sheet is not None:
                raise RuntimeError("a sheet was not closed")
            self._write_parts()
        finally:
            self.zf.close()

    def _write_parts(self) -> None:
        n = len(self.sheets)
        names = []     # (defined name xml, TitlesOfParts entry)
        for i, s in enumerate(self.sheets):
            q = quote_sheet(s.name)
            if s.filter_ref:
                names.append((f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                              f"{xml_escape(q)}!{s.filter_ref}</definedName>", None))
        for i, s in reversed(list(enumerate(self.sheets))):    # XlsxWriter's order: last sheet first
            if s.print_titles is not None:
                q = quote_sheet(s.name)
                r = s.print_titles + 1
                names.append((f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                              f"{xml_escape(q)}!${r}:${r}</definedName>", f"{q}!Print_Titles"))
        sheets = "".join(f'<sheet name={xml_quoteattr(s.name)} sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                         for i, s in enumerate(self.sheets))
        defined = "<definedNames>" + "".join(x for x, _t in names) + "</definedNames>" if names else ""
        self._put("xl/workbook.xml", (
            XML_DECL + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><fileVersion appName="xl" lastEdited="4" '
            'lowestEdited="4" rupBuild="4505"/><workbookPr defaultThemeVersion="124226"/><bookViews>'
            '<workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
            f"<sheets>{sheets}</sheets>{defined}"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>').encode("utf-8"))
        rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{NS_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                       for i in range(n))
        rels += (f'<Relationship Id="rId{n + 1}" Type="{NS_REL}/theme" Target="theme/theme1.xml"/>'
                 f'<Relationship Id="rId{n + 2}" Type="{NS_REL}/styles" Target="styles.xml"/>')
        self._put("xl/_rels/workbook.xml.rels",
                  (XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}">{rels}</Relationships>').encode("utf-8"))
        self._put("xl/styles.xml", self.styles.xml().encode("utf-8"))
        self._put("xl/theme/theme1.xml", THEME)
        custom = bool(self.props.custom)
        root_rels = (f'<Relationship Id="rId1" Type="{NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
                     '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                     'metadata/core-properties" Target="docProps/core.xml"/>'
                     f'<Relationship Id="rId3" Type="{NS_REL}/extended-properties" Target="docProps/app.xml"/>')
        if custom:
            root_rels += f'<Relationship Id="rId4" Type="{NS_REL}/custom-properties" Target="docProps/custom.xml"/>'
        self._put("_rels/.rels",
                  (XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}">{root_rels}</Relationships>').encode("utf-8"))
        ct = ("http://schemas.openxmlformats.org/package/2006/content-types",
              "application/vnd.openxmlformats-officedocument.")
        overrides = [("/docProps/app.xml", ct[1] + "extended-properties+xml"),
                     ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
                     ("/xl/styles.xml", ct[1] + "spreadsheetml.styles+xml"),
                     ("/xl/theme/theme1.xml", ct[1] + "theme+xml"),
                     ("/xl/workbook.xml", ct[1] + "spreadsheetml.sheet.main+xml")]
        overrides += [(f"/xl/worksheets/sheet{i + 1}.xml", ct[1] + "spreadsheetml.worksheet+xml") for i in range(n)]
        if custom:
            overrides.append(("/docProps/custom.xml", ct[1] + "custom-properties+xml"))
        self._put("[Content_Types].xml", (
            XML_DECL + f'<Types xmlns="{ct[0]}"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides) + "</Types>"
        ).encode("utf-8"))
        created = self.props.created or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        author = xml_escape(self.props.author)
        self._put("docProps/core.xml", (
            XML_DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{xml_escape(self.props.title)}</dc:title><dc:creator>{author}</dc:creator>"
            f"<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
        ).encode("utf-8"))
        titles = [s.name for s in self.sheets] + [t for _x, t in names if t]
        n_names = len(titles) - n
        pairs = f"<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant>"
        if n_names:
            pairs += ("<vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant>"
                      f"<vt:variant><vt:i4>{n_names}</vt:i4></vt:variant>")
        self._put("docProps/app.xml", (
            XML_DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
            f'<HeadingPairs><vt:vector size="{4 if n_names else 2}" baseType="variant">{pairs}</vt:vector>'
            f'</HeadingPairs><TitlesOfParts><vt:vector size="{len(titles)}" baseType="lpstr">'
            + "".join(f"<vt:lpstr>{xml_escape(t)}</vt:lpstr>" for t in titles)
            + "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate>"
            "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
            "<AppVersion>12.0000</AppVersion></Properties>").encode("utf-8"))
        if custom:
            props = "".join(
                f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" name={xml_quoteattr(k)}>'
                f"<vt:lpwstr>{xml_escape(v)}</vt:lpwstr></property>"
                for i, (k, v) in enumerate(self.props.custom.items(), start=2))
            self._put("docProps/custom.xml", (
                XML_DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{props}</Properties>'
            ).encode("utf-8"))
