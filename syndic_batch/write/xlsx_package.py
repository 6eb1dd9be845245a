"""An OOXML workbook package (a zip of parts) read for patching, and its patched copy.

``Package`` finds the parts the way Excel does: from the relationships (``_rels/.rels`` →
workbook → sheets → comments, VML), never by assuming ``xl/worksheets/sheetN.xml``
(``sheetjs/wtf_path.xlsx`` keeps them under ``wtf/``), and forgives ``\\`` and case in
zip names. It knows both flavours of SpreadsheetML: Transitional (what Excel saves) and
Strict (other namespaces, same structure).

``PackageWriter`` writes the copy: a part that is not patched is copied **raw** — its
compressed bytes, CRC and sizes as they are in the original zip, never decompressed
(``copy_raw``); a patched part is written (or streamed) anew, deflated.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from lxml import etree

from ..read.package import clone_info, copy_raw

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
TRANSITIONAL = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
STRICT = ("http://purl.oclc.org/ooxml/spreadsheetml/main",
          "http://purl.oclc.org/ooxml/officeDocument/relationships")
MAIN_NAMESPACES = {TRANSITIONAL[0], STRICT[0]}
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"

# Parsing parts we patch whole (workbook, styles, comments, rels): no network, no entities.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                         remove_blank_text=False)


class PackageError(Exception):
    """The package cannot be patched (the caller falls back to a converted copy)."""


@dataclass(frozen=True)
class Rel:
    id: str
    type: str          # the last segment of the type URI: "worksheet", "comments", …
    target: str        # the part it points to (resolved), or the external URL
    external: bool


@dataclass(frozen=True)
class SheetEntry:
    name: str
    kind: str          # worksheet, chartsheet, dialogsheet, macrosheet, xlMacrosheet…
    part: str | None   # resolved part name (None if the relationship is missing)
    state: str         # visible, hidden, veryHidden


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def relative_target(from_part: str, to_part: str) -> str:
    """The ``Target`` of a relationship from ``from_part`` to ``to_part`` (both part
    names, relative to the package's root): ``posixpath.relpath`` without its
    ``abspath`` (a ``getcwd`` per call)."""
    start = [p for p in posixpath.normpath(posixpath.dirname(from_part) or ".").split("/") if p and p != "."]
    target = [p for p in posixpath.normpath(to_part).split("/") if p and p != "."]
    common = 0
    for a, b in zip(start, target):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(start) - common) + target[common:]
    return "/".join(parts) or "."


class Package:
    """The parts of an OOXML zip, looked up forgivingly (``\\`` as ``/``, any case)."""

    def __init__(self, path) -> None:
        self.path = path
        self.zf = zipfile.ZipFile(path)
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in self.zf.infolist():
            key = info.filename.replace("\\", "/").lstrip("/").lower()
            if key in self.infos:
                raise PackageError("duplicate part " + info.filename)
            self.infos[key] = info
        wb = [r for r in self.rels("") if r.type == "officeDocument" and not r.external]
        self.workbook_part = wb[0].target if wb else "xl/workbook.xml"
        if self.info(self.workbook_part) is None:
            raise PackageError("no workbook part")
        self._workbook_root = None

    def close(self) -> None:
        self.zf.close()

    # -- parts --------------------------------------------------------------------

    def info(self, part: str) -> zipfile.ZipInfo | None:
        return self.infos.get(part.replace("\\", "/").lstrip("/").lower())

    def exists(self, part: str) -> bool:
        return self.info(part) is not None

    def read(self, part: str) -> bytes | None:
        info = self.info(part)
        return None if info is None else self.zf.read(info)

    def open(self, part: str) -> IO[bytes]:
        info = self.info(part)
        if info is None:
            raise PackageError("missing part " + part)
        return self.zf.open(info)

    def rels(self, part: str) -> list[Rel]:
        """The relationships of ``part`` (read once; the list is shared: do not change it)."""
        cache = self.__dict__.setdefault("_rels", {})
        got = cache.get(part)
        if got is None:
            got = cache[part] = self._read_rels(part)
        return got

    def _read_rels(self, part: str) -> list[Rel]:
        data = self.read(rels_part(part))
        if not data:
            return []
        root = etree.fromstring(data, PARSER)
        folder = posixpath.dirname(part)
        out = []
        for el in root:
            if local(el.tag) != "Relationship":
                continue
            rtype = el.get("Type", "").rsplit("/", 1)[-1]
            target = el.get("Target", "").replace("\\", "/")
            if el.get("TargetMode") == "External":
                out.append(Rel(el.get("Id", ""), rtype, target, True))
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            out.append(Rel(el.get("Id", ""), rtype, path, False))
        return out

    def free_name(self, pattern: str, taken: set[str] = frozenset()) -> str:
        """The first ``pattern.format(n)`` (n = 1, 2, …) that names no part."""
        n = 1
        while self.exists(pattern.format(n)) or pattern.format(n).lower() in taken:
            n += 1
        return pattern.format(n)

    # -- the workbook -------------------------------------------------------------

    @property
    def workbook_root(self):
        if self._workbook_root is None:
            self._workbook_root = etree.fromstring(self.read(self.workbook_part), PARSER)
        return self._workbook_root

    @property
    def namespaces(self) -> tuple[str, str]:
        """(main, relationships) namespaces of this package's flavour."""
        main = etree.QName(self.workbook_root).namespace
        if main not in MAIN_NAMESPACES:
            raise PackageError("not a SpreadsheetML workbook")
        return STRICT if main == STRICT[0] else TRANSITIONAL

    def sheets(self) -> list[SheetEntry]:
        by_id = {r.id: r for r in self.rels(self.workbook_part) if not r.external}
        out = []
        for el in self.workbook_root.iter():
            if local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if local(k) == "id"), None)
            rel = by_id.get(rid)
            out.append(SheetEntry(el.get("name") or "", rel.type if rel else "",
                                  rel.target if rel else None, el.get("state") or "visible"))
        return out


# a written part this small is stored, not deflated
STORE_MAX = 4096


class PackageWriter:
    """The copy being written: raw copies of untouched parts, new or streamed patched parts."""

    def __init__(self, path, src: Package) -> None:
        self.src = src
        self.zf = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self._raw = open(src.path, "rb")
        self.written: set[str] = set()

    def close(self) -> None:
        self._raw.close()
        self.zf.close()

    def _claim(self, name: str) -> None:
        key = name.lower()
        if key in self.written:
            raise PackageError("part written twice: " + name)
        self.written.add(key)

    def write(self, name: str, data: bytes) -> None:
        """A new or patched part, whole: stored when it is small (a relationships part,
        the content types: deflating a few hundred bytes costs more than it saves),
        else deflated at level 1 (as ``open``)."""
        self._claim(name)
        if len(data) <= STORE_MAX:
            self.zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_STORED)
        else:
            self.zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)

    def open(self, name: str) -> IO[bytes]:
        """A stream to write a patched part into (deflated on the fly, at level 1: a
        rewritten sheet is the bulk of the work, and level 6 triples its cost for a file
        about a fifth smaller)."""
        self._claim(name)
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = 1
        return self.zf.open(info, "w", force_zip64=True)

    def copy(self, info: zipfile.ZipInfo) -> None:
        """Copy one part of the original as it is: raw when possible (same compressed
        bytes), else decompressed and deflated again (same bytes once decompressed)."""
        self._claim(info.filename)
        if info.flag_bits & 0x1 or not self._copy_raw(info):  # encrypted entry: never raw
            out = clone_info(info)
            out.compress_type = zipfile.ZIP_DEFLATED
            self.zf.writestr(out, self.src.zf.read(info))

    def _copy_raw(self, info: zipfile.ZipInfo) -> bool:
        return copy_raw(self._raw, info, self.zf)


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def ooxml_text(text: str) -> str:
    """``text`` as a SpreadsheetML string shows it: characters XML cannot hold become
    « � », and a literal ``_x0041_`` is escaped (``_x005F_x0041_``) so that Excel does not
    read it as the escape of « A »."""
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("\ufffd", text)
    return _ESCAPE_LIKE.sub(r"_x005F_\1", text) if "_x" in text else text
