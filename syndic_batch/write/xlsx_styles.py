"""The style sheet of a patched workbook (``styles.xml``): new cell formats appended.

A flagged cell gets a new ``<xf>`` copied from its own (number format, font, alignment,
protection, parent style kept) with the fill and the frame of its severity; the *Constats*
sheet gets a few formats of its own (header, link, wrapped text). Nothing already in the
style sheet is changed or renumbered, so every other cell keeps its exact look; the part is
small (it grows with the number of formats, not of cells), so it is parsed whole.

Children are inserted in the schema's order (Excel refuses a style sheet out of order).
"""
from __future__ import annotations

import copy

from lxml import etree

from .xlsx_package import PARSER, local

# CT_Stylesheet's children, in order.
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
          "tableStyles", "colors", "extLst")

EMPTY_STYLES = (
    '<styleSheet xmlns="{ns}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '<family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle '
    'name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


class Styles:
    """``styles.xml`` with formats appended on demand; ``to_bytes()`` when done."""

    def __init__(self, data: bytes | None, main_ns: str) -> None:
        self.ns = main_ns
        self.root = etree.fromstring(data or EMPTY_STYLES.format(ns=main_ns).encode(), PARSER)
        self.created = data is None
        self.changed = False
        self._derived: dict[tuple[int, str], int] = {}
        self._fills: dict[str, int] = {}
        self._borders: dict[tuple[str, str], int] = {}
        self._fonts: dict[tuple, int] = {}
        self._own: dict[tuple, int] = {}
        self._lists: dict[str, object] = {}        # list name -> its element
        self._items: dict[tuple[str, str], list] = {}  # (list, child tag) -> the children
        self._font_base: tuple[str, str] | None = None

    # -- the lists ----------------------------------------------------------------

    def _list(self, name: str):
        el = self._lists.get(name)
        if el is not None:
            return el
        for el in self.root:
            if local(el.tag) == name:
                self._lists[name] = el
                return el
        el = etree.Element(f"{{{self.ns}}}{name}")
        after = _ORDER[_ORDER.index(name) + 1:]
        for i, child in enumerate(self.root):
            if local(child.tag) in after:
                self.root.insert(i, el)
                break
        else:
            self.root.append(el)
        self._lists[name] = el
        return el

    def _children(self, name: str, tag: str) -> list:
        """The ``tag`` children of list ``name``, found once, then kept up to date."""
        key = (name, tag)
        items = self._items.get(key)
        if items is None:
            items = self._items[key] = [c for c in self._list(name) if local(c.tag) == tag]
        return items

    def _new(self, name: str, tag: str, attrs: dict | None = None):
        """A new ``tag`` element at the end of list ``name`` (created in place: an lxml
        element made on its own costs a document of its own), its index, and the list's
        ``count`` updated."""
        parent = self._list(name)
        items = self._children(name, tag)
        el = etree.SubElement(parent, f"{{{self.ns}}}{tag}", attrs or {})
        items.append(el)
        parent.set("count", str(len(items)))
        self.changed = True
        return el, len(items) - 1

    def _sub(self, parent, tag: str, **attrs):
        return etree.SubElement(parent, f"{{{self.ns}}}{tag}", attrs)

    def fill(self, rgb: str) -> int:
        if rgb not in self._fills:
            fill, self._fills[rgb] = self._new("fills", "fill")
            pattern = self._sub(fill, "patternFill", patternType="solid")
            self._sub(pattern, "fgColor", rgb="FF" + rgb)
            self._sub(pattern, "bgColor", indexed="64")
        return self._fills[rgb]

    def border(self, style: str, rgb: str) -> int:
        key = (style, rgb)
        if key not in self._borders:
            border, self._borders[key] = self._new("borders", "border")
            for side in ("left", "right", "top", "bottom"):
                self._sub(self._sub(border, side, style=style), "color", rgb="FF" + rgb)
            self._sub(border, "diagonal")
        return self._borders[key]

    def _base_font(self) -> tuple[str, str]:
        """(size, name) of the workbook's default font."""
        if self._font_base is None:
            fonts = self._children("fonts", "font")
            size, name = "11", "Calibri"
            if fonts:
                for child in fonts[0]:
                    if local(child.tag) == "sz" and child.get("val"):
                        size = child.get("val")
                    elif local(child.tag) == "name" and child.get("val"):
                        name = child.get("val")
            self._font_base = (size, name)
        return self._font_base

    def font(self, bold=False, italic=False, underline=False, rgb: str | None = None) -> int:
        """A font like the workbook's default one (its size and name), with these changes."""
        key = (bold, italic, underline, rgb)
        if key not in self._fonts:
            size, name = self._base_font()
            font, self._fonts[key] = self._new("fonts", "font")
            if bold:
                self._sub(font, "b")
            if italic:
                self._sub(font, "i")
            if underline:
                self._sub(font, "u")
            self._sub(font, "sz", val=size)
            if rgb:
                self._sub(font, "color", rgb="FF" + rgb)
            self._sub(font, "name", val=name)
        return self._fonts[key]

    # -- cell formats ---------------------------------------------------------------

    def derived(self, base: int, look) -> int:
        """A new cell format: ``base``'s with the fill and frame of ``look`` (a Look)."""
        key = (base, look.tag)
        if key not in self._derived:
            fill, border = str(self.fill(look.fill)), str(self.border(look.frame, look.edge))
            xfs = self._children("cellXfs", "xf")
            model = xfs[base] if 0 <= base < len(xfs) else None
            if model is None:
                xf, index = self._new("cellXfs", "xf", {"numFmtId": "0", "fontId": "0", "xfId": "0"})
            elif _plain(model, self.ns):
                xf, index = self._new("cellXfs", "xf", dict(model.attrib))
                for child in model:
                    etree.SubElement(xf, child.tag, dict(child.attrib))
            else:  # other namespaces, text or deeper content: a faithful copy
                xf = copy.deepcopy(model)
                parent = self._list("cellXfs")
                parent.append(xf)
                xfs.append(xf)
                parent.set("count", str(len(xfs)))
                self.changed = True
                index = len(xfs) - 1
            xf.set("fillId", fill)
            xf.set("borderId", border)
            xf.set("applyFill", "1")
            xf.set("applyBorder", "1")
            self._derived[key] = index
        return self._derived[key]

    def own(self, *, look=None, bold=False, italic=False, underline=False, font_rgb=None,
            fill_rgb: str | None = None, wrap=False, top=True) -> int:
        """A cell format of the *Constats* sheet."""
        key = (look.tag if look else None, bold, italic, underline, font_rgb, fill_rgb, wrap, top)
        if key not in self._own:
            font = self.font(bold, italic, underline, font_rgb) if (
                bold or italic or underline or font_rgb) else 0
            fill = self.fill(look.fill if look else fill_rgb) if (look or fill_rgb) else 0
            border = self.border(look.frame, look.edge) if look else 0
            xf, self._own[key] = self._new("cellXfs", "xf", {
                "numFmtId": "0", "fontId": str(font), "fillId": str(fill), "borderId": str(border),
                "xfId": "0", "applyFont": "1", "applyFill": "1", "applyBorder": "1",
                "applyAlignment": "1"})
            align = {}
            if wrap:
                align["wrapText"] = "1"
            if top:
                align["vertical"] = "top"
            if align:
                self._sub(xf, "alignment", **align)
        return self._own[key]

    def to_bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _plain(xf, ns: str) -> bool:
    """An ``<xf>`` whose children (alignment, protection) are childless elements of the
    main namespace, with plain attributes and no text: copied element by element."""
    if xf.text or any(k.startswith("{") for k in xf.attrib):
        return False
    prefix = f"{{{ns}}}"
    for child in xf:
        if (not isinstance(child.tag, str) or not child.tag.startswith(prefix) or len(child)
                or child.text or child.tail or any(k.startswith("{") for k in child.attrib)):
            return False
    return True
