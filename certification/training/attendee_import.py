"""Attendees from a CSV file: reading it, checking every row, and carrying the rows from the
preview to the confirmation without trusting the browser.

The file is UTF-8, with or without a byte order mark (what spreadsheets write as
“CSV UTF-8”), separated by commas or semicolons (Excel in many European languages uses
semicolons). Columns are recognised by their header in English or Swedish: a name column,
or first and last name columns, and an email column. Nothing is imported until every row is
right, so each row carries its problems for the preview.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
# How long a preview may wait for its confirmation.
PREVIEW_MAX_AGE_SECONDS = 60 * 60
SIGNING_SALT = "certification.training.attendee-import"

# Header names, compared without case, spaces, hyphens, underscores and dots.
NAME_HEADERS = {
    "name",
    "fullname",
    "nameasprinted",
    "attendee",
    "participant",
    "namn",
    "fulltnamn",
    "fullständigtnamn",
    "deltagare",
}
FIRST_NAME_HEADERS = {"firstname", "givenname", "forename", "förnamn", "tilltalsnamn"}
LAST_NAME_HEADERS = {"lastname", "surname", "familyname", "efternamn"}
EMAIL_HEADERS = {
    "email",
    "emailaddress",
    "mail",
    "epost",
    "epostadress",
    "mejl",
    "mejladress",
}
TEMPLATE_HEADER = ["name", "email"]


class ImportFileError(Exception):
    """A problem with the whole file (or the preview): nothing in it can be imported."""


@dataclass
class ImportRow:
    """One attendee read from the file; `number` is the row a spreadsheet shows it on."""

    number: int
    name: str
    email: str
    problems: list[str] = field(default_factory=list)


def attendee_name_problem(name: str) -> str | None:
    """What is wrong with a name to be printed on a certificate, if anything."""
    if not name.strip():
        return _("The name is missing.")
    if len(name.strip()) > MAX_NAME_LENGTH:
        return _("The name is longer than %(limit)s characters.") % {"limit": MAX_NAME_LENGTH}
    if any(unicodedata.category(character) == "Cc" for character in name.strip()):
        return _("The name contains a line break or another control character.")
    return None


def attendee_email_problem(email: str) -> str | None:
    email = email.strip()
    if not email:
        return _("The email is missing.")
    try:
        if len(email) > MAX_EMAIL_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        return _("“%(email)s” is not a valid email address.") % {"email": email[:80]}
    return None


def _header_key(text: str) -> str:
    return re.sub(r"[\s_.\-]+", "", text.strip().casefold())


def _delimiter(text: str) -> str:
    """Semicolon, tab or comma: whichever the header line uses most (comma when tied)."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: (counts[delimiter], delimiter == ","))
    return best if counts[best] else ","


@dataclass
class _Columns:
    name: int | None
    first: int | None
    last: int | None
    email: int

    @property
    def needed(self) -> int:
        indexes = [self.email, self.name, self.first, self.last]
        return max(index for index in indexes if index is not None) + 1


def _columns(header: list[str]) -> _Columns:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _header_key(cell)
        for role, names in (
            ("name", NAME_HEADERS),
            ("first", FIRST_NAME_HEADERS),
            ("last", LAST_NAME_HEADERS),
            ("email", EMAIL_HEADERS),
        ):
            if key in names:
                found.setdefault(role, index)
    has_name = "name" in found or ("first" in found and "last" in found)
    if not has_name or "email" not in found:
        missing = []
        if not has_name:
            missing.append(_("“name” (or “first name” and “last name”)"))
        if "email" not in found:
            missing.append(_("“email”"))
        shown = ", ".join(f"“{cell.strip()[:40]}”" for cell in header if cell.strip())
        raise ImportFileError(
            _("The file needs a column %(missing)s. Its first row has: %(found)s.")
            % {
                "missing": _(" and a column ").join(missing),
                "found": shown or _("nothing"),
            }
        )
    if "name" in found:
        return _Columns(name=found["name"], first=None, last=None, email=found["email"])
    return _Columns(name=None, first=found["first"], last=found["last"], email=found["email"])


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” and "
                "upload it again."
            )
        ) from error
    if "\x00" in text:
        raise ImportFileError(
            _(
                "The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” and "
                "upload it again."
            )
        )
    return text


def read_attendee_csv(data: bytes) -> list[ImportRow]:
    """The attendees of a CSV file, each row with the problems it has on its own.

    Raises ImportFileError when the file as a whole cannot be used. Problems between rows
    and with the course (duplicates) are for `check_import_rows`.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    text = _decode(data)
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    columns: _Columns | None = None
    rows: list[ImportRow] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = _columns(cells)
                continue
            if len(rows) == MAX_ROWS:
                raise ImportFileError(
                    _(
                        "The file has more than %(limit)s attendees. Split it into smaller "
                        "files and import them one after the other."
                    )
                    % {"limit": MAX_ROWS}
                )
            if columns.name is not None:
                name = _cell(cells, columns.name)
            else:
                parts = (_cell(cells, columns.first), _cell(cells, columns.last))
                name = " ".join(part for part in parts if part)
            row = ImportRow(number=number, name=name, email=_cell(cells, columns.email))
            if len(cells) < columns.needed:
                row.problems.append(_("This row has fewer columns than the header."))
            rows.append(row)
    except csv.Error as error:
        raise ImportFileError(
            _("The file cannot be read as CSV near row %(row)s.") % {"row": reader.line_num}
        ) from error
    if not rows:
        raise ImportFileError(_("The file has no attendees: only a header row was found."))
    return rows


def check_import_rows(
    rows: Sequence[ImportRow], existing_emails: Collection[str]
) -> Sequence[ImportRow]:
    """Add to each row its problems: its name, its email, a duplicate within the file, or
    someone already on the course (`existing_emails`, lower case). Returns the rows."""
    first_row_of: dict[str, int] = {}
    for row in rows:
        for problem in (attendee_name_problem(row.name), attendee_email_problem(row.email)):
            if problem and problem not in row.problems:
                row.problems.append(problem)
        email = row.email.strip().lower()
        if not email:
            continue
        if email in existing_emails:
            row.problems.append(_("Someone with this email is already on the course."))
        elif email in first_row_of:
            row.problems.append(
                _("The same email is on row %(row)s of the file.") % {"row": first_row_of[email]}
            )
        else:
            first_row_of[email] = row.number
    return rows


def sign_rows(rows: Sequence[ImportRow], *, course_id: str, user_id: int) -> str:
    """The checked rows, signed for the confirmation form: the browser carries them back
    but cannot change them, nor use them for another course or by another person."""
    payload = {
        "course": course_id,
        "user": user_id,
        "rows": [[row.number, row.name, row.email] for row in rows],
    }
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def unsign_rows(token: str, *, course_id: str, user_id: int) -> list[ImportRow]:
    """The rows of a preview, if `token` is intact, recent, and for this course and user."""
    refused = _("The preview has expired or was changed. Upload the file again.")
    try:
        payload: Any = signing.loads(token, salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE_SECONDS)
    except signing.BadSignature as error:
        raise ImportFileError(refused) from error
    if (
        not isinstance(payload, dict)
        or payload.get("course") != course_id
        or payload.get("user") != user_id
        or not isinstance(payload.get("rows"), list)
        or not 0 < len(payload["rows"]) <= MAX_ROWS
    ):
        raise ImportFileError(refused)
    rows = []
    for item in payload["rows"]:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], int)
            and all(isinstance(value, str) for value in item[1:])
        ):
            raise ImportFileError(refused)
        rows.append(ImportRow(number=item[0], name=item[1], email=item[2]))
    return rows


def template_csv() -> str:
    """The header of an attendee file, for people to fill in."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(TEMPLATE_HEADER)
    return buffer.getvalue()
