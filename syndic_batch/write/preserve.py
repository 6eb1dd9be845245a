"""What an annotated copy cannot keep: inspect the original's zip before openpyxl rewrites it.

openpyxl 3.1 rewrites a workbook from what it understands. Values,
formulas, styles, number formats, column widths, data validation, conditional
formatting, frozen panes, defined names, tables, charts, pivot tables, legacy comments
and (with ``keep_vba``) macros survive. What it silently drops, checked against the
real round trip in ``tests/test_annotate.py``:

* pictures over cells when Pillow is not installed, and pictures inside cells (rich data);
* shapes, text boxes, connectors, SmartArt and other drawing objects (charts are kept);
* threaded comments (only their legacy text survives, as a note) ;
* form controls, ActiveX controls and embedded OLE objects;
* Excel 2010+ worksheet extensions (``<extLst>``: extended data validation and
  conditional formatting, sparklines, slicers, timelines);
* slicer caches, timelines and the data model at workbook level, data connections;
* the nature of Excel 4.0 macro sheets and dialog sheets (they become plain worksheets);
* everything of a Strict Open XML workbook (openpyxl reads no sheet of it).

``what_would_be_lost(src)`` returns one ``(sheet or None, French sentence)`` per kind of
loss; the annotator turns each into a ``contenu-non-conserve`` finding.
"""
from __future__ import annotations

import importlib.util
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

Loss = tuple[str | None, str]

_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_CONSULT = "la copie annotée ne les reprend pas ; consultez l'original."

# Worksheet <extLst> entries that carry nothing a reader of the copy would miss.
_HARMLESS_SHEET_EXT = {
    "{64002731-a6b0-56b0-2670-7721b7c09600}",  # mx:PLV, Mac page-layout view
    "{b025f937-c7b1-47d3-b67f-a62eff666e3e}",  # x14:id, a pointer from a cfRule to its x14 twin
}
# Worksheet extensions we can name.
_SHEET_EXT = {
    "{78c0d931-6437-407d-a8ee-f0aad7539e65}": "mises en forme conditionnelles étendues",
    "{cce6a557-97bc-4b89-adb6-d9c93caab3df}": "validations de données étendues",
    "{05c60535-1f16-4fd2-b633-f4f36f0b64e0}": "graphiques sparkline",
    "{a8765ba9-456a-4dab-b4f3-acf838c121de}": "segments",
    "{3a4cf648-6aed-40f4-86ff-dc5316d8aed3}": "segments",
    "{7e03d99c-dc04-49d9-9315-930204a7b6e9}": "chronologies",
}
# Workbook extensions that hold content (the others are settings: calcFeatures, workbookPr…).
_WORKBOOK_EXT = {
    "{bbe1a952-aa13-448e-aadc-164f8a28a991}": "segments",
    "{46be6895-7355-4a93-b00e-2c351335b9c9}": "segments",
    "{d0ca8ca8-9f24-4464-bf8e-62219dcf47f9}": "chronologies",
    "{fce2ad5d-f65c-4fa6-a056-5c36a1767c68}": "un modèle de données (Power Pivot)",
}
_EXT_URI = re.compile(rb'<(?:\w+:)?ext\b[^>]*?\buri="([^"]+)"')
_RICH_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bvm="')
_VML_OBJECT = re.compile(rb'ObjectType="(\w+)"')


def _pillow_installed() -> bool:
    return importlib.util.find_spec("PIL") is not None


class _Package:
    """The parts of an OOXML zip, looked up forgivingly (``\\`` as ``/``, any case)."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.names = {n.replace("\\", "/").lstrip("/").lower(): n for n in zf.namelist()}

    def read(self, part: str) -> bytes | None:
        name = self.names.get(part.lstrip("/").lower())
        if name is None:
            return None
        try:
            return self.zf.read(name)
        except Exception:  # a damaged member: nothing to say about it here
            return None

    def rels(self, part: str) -> list[tuple[str, str, str, bool]]:
        """(id, type suffix, target part, external?) of a part's relationships."""
        folder, name = posixpath.split(part)
        data = self.read(posixpath.join(folder, "_rels", name + ".rels"))
        root = _parse(data)
        if root is None:
            return []
        out = []
        for rel in root.iter(f"{_REL_NS}Relationship"):
            rtype = rel.get("Type", "").rsplit("/", 1)[-1]
            target = rel.get("Target", "").replace("\\", "/")
            if rel.get("TargetMode") == "External":
                out.append((rel.get("Id", ""), rtype, target, True))
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            out.append((rel.get("Id", ""), rtype, path, False))
        return out


def _parse(data: bytes | None) -> ET.Element | None:
    if not data:
        return None
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _on_sheet(sheet: str, what: str, tail: str = _CONSULT) -> str:
    return f"La feuille « {sheet} » contient {what} : {tail}"


def _counted(sheet: str, n: int, one: str, many: str) -> str:
    """« La feuille « X » contient 2 images, que la copie annotée ne reprend pas ; … »"""
    return (f"La feuille « {sheet} » contient {_plural(n, one, many)}, que la copie annotée "
            "ne reprend pas ; consultez l'original.")


def what_would_be_lost(src: Path) -> list[Loss]:
    """Everything of ``src`` that openpyxl would drop, as (sheet or None, French sentence)."""
    try:
        with zipfile.ZipFile(src) as zf:
            return _inspect(_Package(zf))
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def _workbook_part(pkg: _Package) -> str | None:
    for _, rtype, target, external in pkg.rels(""):
        if rtype == "officeDocument" and not external:
            return target
    return "xl/workbook.xml" if pkg.read("xl/workbook.xml") is not None else None


def _inspect(pkg: _Package) -> list[Loss]:
    wb_part = _workbook_part(pkg)
    if wb_part is None:
        return []
    wb_xml = pkg.read(wb_part)
    root = _parse(wb_xml)
    if root is None:
        return []
    if root.tag.startswith("{" + _STRICT_NS):
        return [(None, "Le classeur est enregistré au format « Open XML strict », que la copie "
                       "annotée ne sait pas relire : ses feuilles n'y figurent pas ; "
                       "consultez l'original (ou enregistrez-le au format Excel habituel).")]
    losses: list[Loss] = []
    wb_rels = pkg.rels(wb_part)
    by_id = {rid: (rtype, target) for rid, rtype, target, external in wb_rels if not external}
    rel_types = {rtype for _, rtype, _, _ in wb_rels}

    for el in root.iter():
        if _local(el.tag) != "sheet":
            continue
        sheet_name = el.get("name") or "?"
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
        rtype, part = by_id.get(rid, ("", ""))
        if rtype in ("macrosheet", "xlMacrosheet", "xlIntlMacrosheet"):
            losses.append((sheet_name, f"La feuille de macros Excel 4.0 « {sheet_name} » devient "
                                       "une feuille ordinaire dans la copie annotée : ses macros "
                                       "n'y fonctionnent pas ; consultez l'original."))
        elif rtype == "dialogsheet":
            losses.append((sheet_name, f"La feuille de dialogue « {sheet_name} » devient une "
                                       "feuille ordinaire, sans ses contrôles, dans la copie "
                                       "annotée ; consultez l'original."))
        elif rtype == "worksheet":
            losses.extend(_sheet_losses(pkg, sheet_name, part))
        elif rtype == "chartsheet":
            losses.extend(_drawing_losses(pkg, sheet_name, part))

    kinds = sorted({label for uri in _EXT_URI.findall(wb_xml or b"")
                    if (label := _WORKBOOK_EXT.get(uri.decode("ascii", "replace").lower()))})
    if kinds:
        losses.append((None, f"Le classeur contient {_join(kinds)} (Excel 2010 ou plus récent) : "
                             f"{_CONSULT}"))
    if "connections" in rel_types:
        losses.append((None, "Le classeur contient des connexions à des données externes "
                             "(requêtes) : la copie annotée ne les conserve pas ; "
                             "consultez l'original."))
    return losses


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def _sheet_losses(pkg: _Package, sheet: str, part: str) -> list[Loss]:
    losses: list[Loss] = []
    data = pkg.read(part) or b""
    in_cells = len(_RICH_VALUE_CELL.findall(data))
    if in_cells:
        losses.append((sheet, _counted(sheet, in_cells,
                                       "image (ou valeur enrichie) placée dans une cellule",
                                       "images (ou valeurs enrichies) placées dans des cellules")))
    uris = {u.decode("ascii", "replace").lower() for u in _EXT_URI.findall(data)}
    uris -= _HARMLESS_SHEET_EXT
    if uris:
        named = sorted({_SHEET_EXT[u] for u in uris if u in _SHEET_EXT})
        if any(u not in _SHEET_EXT for u in uris):
            named.append("d'autres compléments")
        losses.append((sheet, _on_sheet(sheet, f"des éléments d'Excel 2010 ou plus récent "
                                               f"({_join(named)})")))
    losses.extend(_drawing_losses(pkg, sheet, part))
    return losses


def _drawing_losses(pkg: _Package, sheet: str, part: str) -> list[Loss]:
    """Losses among the objects a sheet (or chart sheet) relates to."""
    losses: list[Loss] = []
    pictures = shapes = others = controls = threads = replies = ole = 0
    background = b"<legacyDrawingHF" in (pkg.read(part) or b"")  # header/footer pictures
    for _, rtype, target, external in pkg.rels(part):
        if external:
            continue
        if rtype == "drawing":
            p, s, o = _count_drawing(pkg.read(target))
            pictures, shapes, others = pictures + p, shapes + s, others + o
        elif rtype == "vmlDrawing":
            kinds = _VML_OBJECT.findall(pkg.read(target) or b"")
            controls += sum(1 for k in kinds if k != b"Note")
        elif rtype == "threadedComment":
            root = _parse(pkg.read(target))
            if root is not None:
                for el in root:
                    if _local(el.tag) == "threadedComment":
                        if el.get("parentId"):
                            replies += 1
                        else:
                            threads += 1
        elif rtype in ("oleObject", "package", "control"):
            ole += 1
        elif rtype == "ctrlProp":
            pass  # counted through the VML shapes of the same controls
        elif rtype == "image":
            background = True  # the sheet's background picture
    if pictures and not _pillow_installed():
        losses.append((sheet, _counted(sheet, pictures, "image", "images")))
    if shapes:
        losses.append((sheet, _counted(sheet, shapes, "forme (zone de texte, flèche…)",
                                       "formes (zones de texte, flèches…)")))
    if others:
        losses.append((sheet, _counted(sheet, others,
                                       "objet graphique (SmartArt, segment, graphique récent…)",
                                       "objets graphiques (SmartArt, segments, graphiques "
                                       "récents…)")))
    if controls:
        losses.append((sheet, _counted(sheet, controls, "contrôle de formulaire (bouton, case "
                                       "à cocher…)", "contrôles de formulaire (boutons, cases "
                                       "à cocher…)")))
    if ole:
        losses.append((sheet, _counted(sheet, ole, "objet incorporé (OLE ou ActiveX)",
                                       "objets incorporés (OLE ou ActiveX)")))
    if threads:
        what = _plural(threads, "commentaire à fil de discussion",
                       "commentaires à fil de discussion")
        if replies:
            what += f" ({_plural(replies, 'réponse', 'réponses')})"
        losses.append((sheet, _on_sheet(sheet, what, "la copie annotée n'en garde que le texte, "
                                                     "sous forme de note ; consultez l'original.")))
    if background:
        losses.append((sheet, _on_sheet(sheet, "une image d'arrière-plan ou d'en-tête")))
    return losses


def _count_drawing(data: bytes | None) -> tuple[int, int, int]:
    """(pictures, shapes, other objects) anchored in a DrawingML part; charts are kept."""
    root = _parse(data)
    if root is None:
        return 0, 0, 0
    pictures = shapes = others = 0
    for anchor in root:
        if _local(anchor.tag) not in ("twoCellAnchor", "oneCellAnchor", "absoluteAnchor"):
            continue
        for obj in anchor:
            kind = _local(obj.tag)
            if kind == "pic":
                pictures += 1
            elif kind in ("sp", "cxnSp", "grpSp"):
                shapes += 1
            elif kind == "graphicFrame":
                if not any(_local(e.tag) == "graphicData" and e.get("uri") == _CHART_URI
                           for e in obj.iter()):
                    others += 1
            elif kind == "AlternateContent":
                others += 1
            else:
                continue
            break
    return pictures, shapes, others
