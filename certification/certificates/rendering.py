"""Certificate PDFs: A4 landscape, archival PDF/A, in the language the certificate was issued in.

Everything printed comes from the certificate's snapshot, frozen when it was issued; only
the organisation's logo is read at rendering time. A batch is laid out as ONE HTML document
with one page per certificate (layout, fonts and the stylesheet are set up once), then each
page is written as its own PDF. WeasyPrint shapes every script through HarfBuzz with the
system Noto fonts and embeds the subset it uses; it fetches nothing but `data:` URLs.
"""

import base64
import copy
import io
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import batched
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django_countries import countries
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from certification.certificates.models import Certificate
from certification.certificates.services import snapshot_for
from certification.organisations.models import Organisation
from certification.training.models import Attendee, Course

PDF_VARIANT = "pdf/a-3b"
# Certificates laid out together; bounds the memory of one rendering to a few tens of MB.
CHUNK_SIZE = 50
# Not a possible real code: 0, I and V are outside the code alphabet.
PREVIEW_CODE = "QGIS-PREV-IEW0-0000-00"
LOGO_MAX_PIXELS = (600, 240)
QR_COLOUR = "#1d2a12"
# Up to this display width a name or course title is printed in full size, then smaller.
NAME_SIZES = ((30, ""), (46, "m"), (72, "s"))
COURSE_SIZES = ((56, ""), (100, "m"))


def verification_url(code: str) -> str:
    return f"{settings.SITE_URL}/verify/{code}/"


def verification_qr(code: str) -> segno.QRCode:
    """The QR code printed on the certificate: the address of its verification page."""
    return segno.make(verification_url(code), error="m", micro=False)


def pdf_filename(certificate: Certificate) -> str:
    return f"QGIS-certificate-{certificate.code}.pdf"


def text_direction(text: str) -> str:
    """`rtl` or `ltr` from the first strong character, as HTML's dir="auto" decides.

    WeasyPrint does not implement dir="auto", so the page says which one it is.
    """
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def name_language(text: str) -> str:
    """`ja` or `ko` when kana or hangul show that Han characters are Japanese or Korean."""
    for character in text:
        name = unicodedata.name(character, "")
        if name.startswith(("HIRAGANA", "KATAKANA")):
            return "ja"
        if name.startswith("HANGUL"):
            return "ko"
    return ""


def display_width(text: str) -> int:
    """Roughly how many Latin letters wide the text is: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def size_class(text: str, steps: Sequence[tuple[int, str]], smallest: str) -> str:
    """The CSS class that makes a long name or title fit its place on the page."""
    width = display_width(text)
    return next((name for limit, name in steps if width <= limit), smallest)


def logo_data_uri(organisation: Organisation | None) -> str:
    """The organisation's logo, scaled down and embedded; empty without a readable logo."""
    if organisation is None or not organisation.logo:
        return ""
    try:
        with organisation.logo.open("rb") as handle, Image.open(handle) as image:
            image.thumbnail(LOGO_MAX_PIXELS)
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            output = io.BytesIO()
            image.save(output, format="PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        # A missing or broken logo must not stop certificates from being issued.
        return ""
    return "data:image/png;base64," + base64.b64encode(output.getvalue()).decode("ascii")


def _date(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _course_dates(snapshot: dict[str, Any]) -> str:
    starts_on = date.fromisoformat(snapshot["starts_on"])
    ends_on = date.fromisoformat(snapshot["ends_on"])
    if starts_on == ends_on:
        return _date(starts_on)
    return f"{_date(starts_on)} – {_date(ends_on)}"


def _place(snapshot: dict[str, Any]) -> str:
    country = countries.name(snapshot["country"]) if snapshot.get("country") else ""
    return ", ".join(part for part in (snapshot.get("place", ""), str(country)) if part)


def page_context(
    certificate: Certificate, *, logo: str = "", preview: bool = False
) -> dict[str, Any]:
    """What one page shows. Call inside `translation.override(<the snapshot's language>)`."""
    snapshot = certificate.snapshot
    revoked = certificate.status == Certificate.Status.REVOKED
    issued_at = certificate.issued_at or timezone.now()
    url = verification_url(certificate.code)
    return {
        "language": snapshot["language"],
        "preview": preview,
        "revoked": revoked,
        "revoked_on": _date(timezone.localdate(certificate.revoked_at)) if revoked else "",
        "kind_label": Certificate.Kind(snapshot["kind"]).label,
        "completed": snapshot["kind"] == Certificate.Kind.COMPLETION,
        "name": snapshot["name"],
        "name_direction": text_direction(snapshot["name"]),
        "name_language": name_language(snapshot["name"]),
        "name_size": size_class(snapshot["name"], NAME_SIZES, "xs"),
        "course_title": snapshot["course_title"],
        "course_direction": text_direction(snapshot["course_title"]),
        "course_size": size_class(snapshot["course_title"], COURSE_SIZES, "s"),
        "hours": snapshot["hours"],
        "qgis_version": snapshot.get("qgis_version", ""),
        "dates": _course_dates(snapshot),
        "online": snapshot.get("online", False),
        "place": _place(snapshot),
        "trainers": ", ".join(snapshot.get("trainers", [])),
        "trainer_count": len(snapshot.get("trainers", [])),
        "organisation": snapshot["organisation"],
        "issued_on": _date(timezone.localdate(issued_at)),
        "logo": logo,
        "code": certificate.code,
        "verify_url": url,
        # One pixel per module, drawn without smoothing: a few hundred bytes, sharp in print.
        "qr": verification_qr(certificate.code).png_data_uri(scale=1, border=0, dark=QR_COLOUR),
    }


_engines = threading.local()


def _engine() -> tuple[CSS, FontConfiguration, URLFetcher]:
    """The stylesheet, fonts and fetcher, set up once per thread (Pango's font map is not
    shared between threads) and reused by every document after."""
    if not hasattr(_engines, "parts"):
        font_config = FontConfiguration()
        stylesheet = CSS(
            string=render_to_string("certificates/pdf/certificate.css"), font_config=font_config
        )
        # Only data: URLs (the logo, the QR code): rendering never reaches the network or
        # disk. One fetcher for all: creating one loads the system's CA certificates (~45 ms).
        _engines.parts = stylesheet, font_config, URLFetcher(allowed_protocols={"data"})
    return _engines.parts


def _render_pages(certificates: Sequence[Certificate], *, preview: bool = False) -> list[bytes]:
    if not certificates:
        return []
    logos: dict[int | None, str] = {}
    pages = []
    for certificate in certificates:
        organisation = certificate.course.organisation if certificate.course_id else None
        key = organisation.pk if organisation else None
        if key not in logos:
            logos[key] = logo_data_uri(organisation)
        with translation.override(certificate.snapshot["language"]):
            pages.append(
                render_to_string(
                    "certificates/pdf/page.html",
                    page_context(certificate, logo=logos[key], preview=preview),
                )
            )
    stylesheet, font_config, url_fetcher = _engine()
    html = render_to_string(
        "certificates/pdf/document.html",
        {"pages": pages, "language": certificates[0].snapshot["language"], "title": "QGIS"},
    )
    document = HTML(string=html, url_fetcher=url_fetcher).render(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant=PDF_VARIANT
    )
    if len(document.pages) != len(certificates):
        raise RuntimeError(
            f"{len(certificates)} certificates were laid out on {len(document.pages)} pages: "
            "a certificate must fit on one page."
        )
    pdfs = []
    for certificate, page in zip(certificates, document.pages, strict=True):
        single = document.copy([page])
        single.metadata = copy.copy(document.metadata)
        with translation.override(certificate.snapshot["language"]):
            single.metadata.title = gettext("QGIS certificate %(code)s: %(name)s") % {
                "code": certificate.code,
                "name": certificate.snapshot["name"],
            }
        single.metadata.authors = [certificate.snapshot["organisation"]]
        single.metadata.lang = certificate.snapshot["language"]
        pdfs.append(single.write_pdf(pdf_variant=PDF_VARIANT))
    return pdfs


def render_certificates_pdf(certificates: Sequence[Certificate]) -> list[bytes]:
    """One PDF per certificate, in the given order, laid out as a single document.

    Pass certificates with `course__organisation` selected (for the logo); keep batches to
    about CHUNK_SIZE, or use `render_in_chunks`.
    """
    return _render_pages(certificates)


def render_in_chunks(
    certificates: Iterable[Certificate], *, size: int = CHUNK_SIZE
) -> Iterator[tuple[Certificate, bytes]]:
    """Each certificate with its PDF, rendered `size` at a time so memory stays bounded."""
    for chunk in batched(certificates, size):
        yield from zip(chunk, render_certificates_pdf(chunk), strict=True)


def render_preview(course: Course, name: str, kind: str) -> bytes:
    """The certificate as it would be issued to `name` on this course, marked PREVIEW."""
    trainers = [trainer.name for trainer in course.trainers.all()]
    attendee = Attendee(course=course, name=" ".join(name.split()), email="")
    sample = Certificate(
        course=course,
        attendee=attendee,
        kind=kind,
        code=PREVIEW_CODE,
        snapshot=snapshot_for(course, attendee, kind, trainers),
    )
    return _render_pages([sample], preview=True)[0]
