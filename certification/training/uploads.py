"""Checking uploaded training material: its type by content, its name, its size.

The name only says which family a file claims to be; the bytes decide. A file whose
content does not match its extension, or whose type is not accepted, is refused.
"""

import json
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

# extension -> the content type it must have
EXTENSIONS: dict[str, str] = {
    "pdf": "pdf",
    "odt": "odt",
    "odp": "odp",
    "ods": "ods",
    "docx": "docx",
    "pptx": "pptx",
    "xlsx": "xlsx",
    "zip": "zip",
    "qgz": "qgz",
    "qgs": "qgs",
    "gpkg": "gpkg",
    "geojson": "geojson",
    "json": "geojson",
    "csv": "csv",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "gif": "gif",
    "webp": "webp",
}
ACCEPTED_EXTENSIONS = sorted(EXTENSIONS)

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "qgz": "application/zip",
    "qgs": "application/xml",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}

_OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_OFFICE_OPEN_XML = {"word/": "docx", "ppt/": "pptx", "xl/": "xlsx"}
_TEXT_SAMPLE = 64 * 1024


class MaterialRejected(ValueError):
    """The file cannot be accepted; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    file_type: str
    size: int


def _zip_type(stream: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = _OPEN_DOCUMENT.get(archive.read("mimetype").strip())
                if kind:
                    return kind
            if "[Content_Types].xml" in names:
                for prefix, kind in _OFFICE_OPEN_XML.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
            if any(name.lower().endswith(".qgs") for name in names):
                return "qgz"
            return "zip"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None


def _text_type(head: bytes) -> str | None:
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The sample may end in the middle of a character.
        if error.start < len(head) - 4:
            return None
        text = head[: error.start].decode("utf-8-sig")
    stripped = text.lstrip()
    if stripped.startswith(("<!DOCTYPE qgis", "<qgis")):
        return "qgs"
    if stripped.startswith("<?xml") and "<qgis" in stripped[:2000]:
        return "qgs"
    if stripped.startswith("{"):
        return "geojson"
    return "csv"


def detect_type(stream: IO[bytes]) -> str | None:
    """The type of the content, from its bytes, or None when it is none we accept."""
    stream.seek(0)
    head = stream.read(_TEXT_SAMPLE)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(stream)
    if head.startswith(b"SQLite format 3\x00") and head[68:72] == b"GPKG":
        return "gpkg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return _text_type(head)


def _is_geojson(stream: IO[bytes]) -> bool:
    stream.seek(0)
    try:
        document = json.load(stream)
    except (ValueError, UnicodeDecodeError):
        return False
    finally:
        stream.seek(0)
    return isinstance(document, dict) and isinstance(document.get("type"), str)


def safe_file_name(name: str) -> str:
    """A name that is safe on any disk and in any header: no path, no odd characters."""
    base = os.path.basename(name.replace("\\", "/"))
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = get_valid_filename(stem.strip(". ") or "file") if stem.strip(". ") else "file"
    stem = stem[:80]
    return f"{stem}.{extension.lower()}" if extension else stem


def check_material_file(upload: IO[bytes], name: str, size: int, *, max_bytes: int) -> CheckedFile:
    """Check one uploaded file; raise MaterialRejected with a message for the uploader."""
    if size == 0:
        raise MaterialRejected(_("The file is empty."))
    if size > max_bytes:
        raise MaterialRejected(
            _("The file is %(size)s MB; files can be at most %(limit)s MB.")
            % {"size": round(size / 1_000_000, 1), "limit": max_bytes // 1_000_000}
        )
    clean_name = safe_file_name(name)
    extension = clean_name.rpartition(".")[2] if "." in clean_name else ""
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise MaterialRejected(
            _("Files of this type are not accepted. Accepted: %(types)s.")
            % {"types": ", ".join(ACCEPTED_EXTENSIONS)}
        )
    detected = detect_type(upload)
    if detected == "geojson" and not _is_geojson(upload):
        detected = None
    if detected != expected:
        raise MaterialRejected(
            _("The content of this file is not a valid .%(extension)s file.")
            % {"extension": extension}
        )
    return CheckedFile(name=clean_name, file_type=detected, size=size)
