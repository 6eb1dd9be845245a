"""The annotated copy of an ``.xlsx``/``.xlsm`` made by patching its package.

Which parts change:

* each worksheet that carries a mark: streamed through ``xlsx_sheet.rewrite``;
* its comments part and legacy VML drawing (created when absent), its relationships;
* ``styles.xml`` (formats appended), ``workbook.xml`` (the *Constats* sheet and its print
  names), the workbook's relationships and ``[Content_Types].xml``;
* the new *Constats* worksheet part.

Every other part (shared strings, other sheets, tables, pivots, charts, drawings, threaded
comments, VBA, extensions…) is copied raw, byte for byte. ``patch`` returns the findings
the copy adds: one per sheet whose findings could not be marked (a chart sheet, a dialog
or macro sheet — their findings are listed in *Constats* only).
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..model import AVERTISSEMENT, CONTENU_NON_CONSERVE, Finding
from .constats_sheet import constats_rows, constats_sheet_name, print_names, worksheet_xml
from .marks import LOOKS, comment_text, ranked
from .xlsx_comments import merge_comments, merge_vml, used_blocks
from .xlsx_package import (CT_COMMENTS, CT_NS, CT_RELS, CT_STYLES, CT_VML, CT_WORKSHEET, PARSER,
                           PKG_REL_NS, Package, PackageError, PackageWriter, SheetEntry, local,
                           relative_target, rels_part)
from .xlsx_sheet import SheetLayout, SurveyNeeded, column_letters, rewrite, survey
from .xlsx_styles import Styles

CONTENT_TYPES = "[Content_Types].xml"
_KIND_NAMES = {"chartsheet": "une feuille de graphique", "dialogsheet": "une feuille de dialogue",
               "macrosheet": "une feuille de macros", "xlMacrosheet": "une feuille de macros",
               "xlIntlMacrosheet": "une feuille de macros"}


@dataclass
class _SheetPlan:
    entry: SheetEntry
    layout: SheetLayout
    cells: dict[tuple[int, int], list[Finding]] = field(default_factory=dict)
    legacy_rid: str | None = None   # set when we add <legacyDrawing>


class _Rels:
    """A relationships part being extended."""

    def __init__(self, pkg: Package, part: str) -> None:
        self.name = rels_part(part)
        data = pkg.read(self.name)
        self.root = etree.fromstring(data, PARSER) if data else etree.Element(
            f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
        self.ids = {el.get("Id") for el in self.root}
        self.part, self.changed, self.existed = part, False, data is not None

    def add(self, rel_ns: str, rtype: str, target_part: str) -> str:
        n = 1
        while f"rIdSB{n}" in self.ids:
            n += 1
        rid = f"rIdSB{n}"
        self.ids.add(rid)
        el = etree.SubElement(self.root, f"{{{PKG_REL_NS}}}Relationship")
        el.set("Id", rid)
        el.set("Type", f"{rel_ns}/{rtype}")
        el.set("Target", relative_target(self.part, target_part))
        self.changed = True
        return rid

    def to_bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _unplaced(rel: str, sheet: str, kind: str) -> Finding:
    what = _KIND_NAMES.get(kind, "une feuille sans cellules")
    return Finding(None, CONTENU_NON_CONSERVE, AVERTISSEMENT, rel, sheet, None, None,
                   f"La feuille « {sheet} » est {what} : ses constats ne peuvent pas y être "
                   "marqués dans la copie annotée ; ils figurent dans la feuille Constats.")


def patch(src: Path, dst: Path, rel: str, findings: list[Finding]) -> list[Finding]:
    pkg = Package(src)
    try:
        try:  # one pass over each sheet, unless merged cells move a mark
            return _patch(pkg, dst, rel, findings, whole_survey=False)
        except SurveyNeeded:
            return _patch(pkg, dst, rel, findings, whole_survey=True)
    finally:
        pkg.close()


def _patch(pkg: Package, dst: Path, rel: str, findings: list[Finding], whole_survey: bool) -> list[Finding]:
    main_ns, rel_ns = pkg.namespaces
    sheets = pkg.sheets()
    by_name = {s.name: s for s in sheets}
    plans: dict[str, _SheetPlan] = {}
    marked: dict[int, str] = {}
    extra: list[Finding] = []
    unplaced: set[str] = set()
    for f in findings:
        entry = by_name.get(f.sheet) if f.sheet else None
        if entry is None or not f.row:
            continue
        if entry.kind != "worksheet" or entry.part is None or not pkg.exists(entry.part):
            if entry.name not in unplaced:
                unplaced.add(entry.name)
                extra.append(_unplaced(rel, entry.name, entry.kind))
            continue
        plan = plans.get(entry.part)
        if plan is None:
            # a sheet with a legacy drawing (notes, controls) is surveyed whole to find it
            whole = whole_survey or any(r.type == "vmlDrawing" for r in pkg.rels(entry.part))
            with pkg.open(entry.part) as stream:
                plan = plans[entry.part] = _SheetPlan(entry, survey(stream, whole))
        row, col = plan.layout.top_left(f.row, f.column_index or plan.layout.first_column)
        marked[id(f)] = f"{column_letters(col)}{row}"
        plan.cells.setdefault((row, col), []).append(f)

    ct = etree.fromstring(pkg.read(CONTENT_TYPES) or b"", PARSER)
    defaults = {(el.get("Extension") or "").lower() for el in ct if local(el.tag) == "Default"}
    overrides = {(el.get("PartName") or "").lstrip("/").lower() for el in ct if local(el.tag) == "Override"}

    def override(part: str, ctype: str) -> None:
        if part.lower() not in overrides:
            el = etree.SubElement(ct, f"{{{CT_NS}}}Override")
            el.set("PartName", "/" + part)
            el.set("ContentType", ctype)
            overrides.add(part.lower())

    if "rels" not in defaults:
        el = etree.Element(f"{{{CT_NS}}}Default")
        el.set("Extension", "rels")
        el.set("ContentType", CT_RELS)
        ct.insert(0, el)
        defaults.add("rels")

    wb_dir = posixpath.dirname(pkg.workbook_part)
    wb_rels = _Rels(pkg, pkg.workbook_part)
    new_parts: dict[str, bytes] = {}   # part name -> bytes (written after the copied parts)
    patched: dict[str, bytes] = {}     # existing part (lower-case) -> new bytes
    taken_names: set[str] = set()

    def new_name(pattern: str) -> str:
        name = pkg.free_name(pattern, taken_names)
        taken_names.add(name.lower())
        return name

    styles_rel = next((r for r in pkg.rels(pkg.workbook_part) if r.type == "styles" and not r.external), None)
    styles_part = styles_rel.target if styles_rel and pkg.exists(styles_rel.target) else None
    styles = Styles(pkg.read(styles_part) if styles_part else None, main_ns)
    if styles_part is None:
        styles_part = posixpath.join(wb_dir, "styles.xml")  # where openpyxl looks for it
        if pkg.exists(styles_part):
            styles_part = new_name(posixpath.join(wb_dir, "styles{}.xml"))
        wb_rels.add(rel_ns, "styles", styles_part)
        override(styles_part, CT_STYLES)

    # comments and their boxes, sheet by sheet
    vml_blocks = used_blocks([pkg.read(n) or b"" for n, i in pkg.infos.items() if n.endswith(".vml")])
    for part, plan in plans.items():
        sheet_rels = _Rels(pkg, part)
        rels = pkg.rels(part)
        comments_rel = next((r for r in rels if r.type == "comments" and not r.external
                             and pkg.exists(r.target)), None)
        vml_rel = next((r for r in rels if r.id == plan.layout.legacy_rid and not r.external
                        and pkg.exists(r.target)), None) if plan.layout.legacy_rid else None
        ours = {f"{column_letters(c)}{r}": comment_text(group) for (r, c), group in plan.cells.items()}
        old = pkg.read(comments_rel.target) if comments_rel else None
        xml, full = merge_comments(old, ours, main_ns)
        if comments_rel:
            patched[comments_rel.target.lower()] = xml
            had = _commented_refs(old)
        else:
            name = new_name(posixpath.join(wb_dir, "comments{}.xml"))
            new_parts[name] = xml
            sheet_rels.add(rel_ns, "comments", name)
            override(name, CT_COMMENTS)
            had = set()
        new_boxes = {ref for ref in full if ref not in had}
        if vml_rel:
            patched[vml_rel.target.lower()] = merge_vml(pkg.read(vml_rel.target), full, new_boxes, vml_blocks)
        else:
            name = new_name(posixpath.join(wb_dir, "drawings", "vmlDrawing{}.vml"))
            new_parts[name] = merge_vml(None, full, set(full), vml_blocks)
            plan.legacy_rid = sheet_rels.add(rel_ns, "vmlDrawing", name)
            if "vml" not in defaults:
                override(name, CT_VML)
        if sheet_rels.changed:
            if sheet_rels.existed:
                patched[sheet_rels.name.lower()] = sheet_rels.to_bytes()
            else:
                new_parts[sheet_rels.name] = sheet_rels.to_bytes()

    # the Constats sheet
    names = [s.name for s in sheets]
    title = constats_sheet_name(names)
    hidden = {s.name for s in sheets if s.state != "visible"}
    rows = constats_rows(findings + extra, marked, names, hidden)
    constats_part = new_name(posixpath.join(wb_dir, "worksheets", "sheet{}.xml"))
    new_parts[constats_part] = worksheet_xml(rows, styles, main_ns, rel_ns)
    override(constats_part, CT_WORKSHEET)
    rid = wb_rels.add(rel_ns, "worksheet", constats_part)
    patched[pkg.workbook_part.lower()] = _workbook_with(pkg, title, rid, len(rows), main_ns, rel_ns)
    patched[wb_rels.name.lower()] = wb_rels.to_bytes()
    patched[CONTENT_TYPES.lower()] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8",
                                                    standalone=True)
    if not wb_rels.existed:
        new_parts[wb_rels.name] = patched.pop(wb_rels.name.lower())

    # write: the original's parts in their order, then the new ones; styles last (the
    # sheets add formats to it while they stream)
    out = PackageWriter(dst, pkg)
    try:
        styles_info = pkg.info(styles_part)
        for info in pkg.zf.infolist():
            key = info.filename.replace("\\", "/").lstrip("/").lower()
            if info is styles_info:
                continue
            plan = next((p for part, p in plans.items() if part.lower() == key), None)
            if plan is not None:
                marks = {}
                for (r, c), group in plan.cells.items():
                    marks.setdefault(r, {})[c] = LOOKS[ranked(group)[0].severity]
                with pkg.open(info.filename) as stream, out.open(info.filename) as sink:
                    rewrite(stream, sink, plan.layout, marks, styles.derived, plan.legacy_rid, rel_ns)
            elif key in patched:
                out.write(info.filename, patched.pop(key))
            else:
                out.copy(info)
        if patched:
            raise PackageError("parts not found: " + ", ".join(patched))
        for name, data in new_parts.items():
            out.write(name, data)
        if styles_info is not None and not styles.changed:
            out.copy(styles_info)
        else:
            out.write(styles_info.filename if styles_info else styles_part, styles.to_bytes())
    finally:
        out.close()
    return extra


def _commented_refs(data: bytes | None) -> set[str]:
    if not data:
        return set()
    root = etree.fromstring(data, PARSER)
    return {(c.get("ref") or "").replace("$", "").upper() for c in root.iter()
            if local(c.tag) == "comment"}


_WB_ORDER_AFTER_DEFINED_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches",
                                 "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
                                 "webPublishObjects", "extLst", "AlternateContent")


def _workbook_with(pkg: Package, title: str, rid: str, nrows: int, main_ns: str, rel_ns: str) -> bytes:
    """workbook.xml with the *Constats* sheet last, and its print titles and filter range."""
    root = pkg.workbook_root
    ns = etree.QName(root).namespace
    sheets_el = next(e for e in root if local(e.tag) == "sheets")
    sheet_els = [e for e in sheets_el if local(e.tag) == "sheet"]
    ids = [int(e.get("sheetId")) for e in sheet_els if (e.get("sheetId") or "").isdigit()]
    el = etree.SubElement(sheets_el, f"{{{ns}}}sheet")
    el.set("name", title)
    el.set("sheetId", str(max(ids, default=0) + 1))
    el.set(f"{{{rel_ns}}}id", rid)
    names = next((e for e in root if local(e.tag) == "definedNames"), None)
    if names is None:
        names = etree.Element(f"{{{ns}}}definedNames")
        anchor = next((e for e in root if isinstance(e.tag, str) and local(e.tag) in _WB_ORDER_AFTER_DEFINED_NAMES), None)
        if anchor is not None:
            anchor.addprevious(names)
        else:
            root.append(names)
    for name, formula, hide in print_names(title, nrows):
        dn = etree.SubElement(names, f"{{{ns}}}definedName")
        dn.set("name", name)
        dn.set("localSheetId", str(len(sheet_els)))
        if hide:
            dn.set("hidden", "1")
        dn.text = formula
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
