"""A course's attendees with their certificates, as CSV and as an Excel workbook.

Certificates belong to the certificates app, which imports this one: they are read here only
through the reverse relation `attendee.certificates`, prefetched by the caller.

Spreadsheets run a cell that starts with =, +, - or @ as a formula, so such cells (and those
starting with a tab or carriage return) are written with a leading apostrophe.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from certification.training.models import Attendee, Course

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """A cell value no spreadsheet runs as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def header() -> list[str]:
    return [
        _("Name"),
        _("Email"),
        _("Certificate code"),
        _("Kind"),
        _("Status"),
        _("Issued on"),
    ]


def attendee_rows(attendees: Iterable[Attendee]) -> Iterator[list[str]]:
    """One row per certificate, oldest first; an attendee without one gets a row of their own.

    The attendees come with their certificates prefetched (`prefetch_related("certificates")`).
    """
    for attendee in attendees:
        certificates = sorted(
            attendee.certificates.all(), key=lambda certificate: certificate.issued_at
        )
        if not certificates:
            yield [attendee.name, attendee.email, "", "", "", ""]
        for certificate in certificates:
            yield [
                attendee.name,
                attendee.email,
                certificate.code,
                str(certificate.get_kind_display()),
                str(certificate.get_status_display()),
                timezone.localdate(certificate.issued_at).isoformat(),
            ]


def export_filename(course: Course, extension: str) -> str:
    title = slugify(course.course_type.title) or "course"
    return f"attendees-{course.starts_on:%Y-%m-%d}-{title}.{extension}"


def attendees_csv(attendees: Iterable[Attendee]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel opens names in every script correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(cell) for cell in header()])
    for row in attendee_rows(attendees):
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def attendees_xlsx(attendees: Iterable[Attendee]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet: Any = workbook.create_sheet(title=str(_("Attendees"))[:31])
    sheet.append([_xlsx_cell(cell) for cell in header()])
    for row in attendee_rows(attendees):
        sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: str) -> str:
    # Control characters are not allowed in the file format; names cannot hold them anyway.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
