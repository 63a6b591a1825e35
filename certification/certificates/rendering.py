"""Certificate PDFs: A4 landscape, archival PDF/A, in the language the certificate was issued in.

Everything printed comes from the certificate's snapshot, frozen when it was issued
(`printing.py`); only the organisation's logo is read at rendering time. A batch is drawn in
two layers: the background (everything but the person) laid out once per course, kind and
day, and the people's names, codes and QR codes laid out together in one document; pikepdf
then draws each person's layer on its background and writes the certificate's own PDF/A with
its own title. WeasyPrint shapes every script through HarfBuzz with the system Noto fonts and
embeds the subset it uses; it fetches nothing but `data:` URLs. This is the one module that
loads WeasyPrint and pikepdf.
"""

import base64
import io
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import batched
from typing import Any

import pikepdf
import segno
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django_countries import countries
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from certification.certificates.links import verification_url
from certification.certificates.models import Certificate
from certification.certificates.printing import printed_fields_for
from certification.organisations.models import Organisation
from certification.training.models import Attendee, Course

PDF_VARIANT = "pdf/a-3b"
# Certificates laid out together; bounds the memory of one rendering to a few tens of MB.
CHUNK_SIZE = 50
# Not a possible real code: 0, I and V are outside the code alphabet.
PREVIEW_CODE = "QGIS-PREV-IEW0-0000-00"
LOGO_MAX_PIXELS = (600, 240)
QR_COLOUR = "#1d2a12"
# Any of the eight masks reads; choosing the best one per code is a fifth of the rendering
# time of a certificate, so every code uses the same one.
QR_MASK = 4
# Up to this display width a name or course title is printed in full size, then smaller.
NAME_SIZES = ((30, ""), (46, "m"), (72, "s"))
COURSE_SIZES = ((56, ""), (100, "m"))


def verification_qr(code: str) -> segno.QRCode:
    """The QR code printed on the certificate: the address of its verification page."""
    return segno.make(verification_url(code), error="m", micro=False, mask=QR_MASK)


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
        with organisation.logo.open("rb") as handle, Image.open(handle) as opened:
            opened.thumbnail(LOGO_MAX_PIXELS)
            image: Image.Image = opened
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


def background_context(
    certificate: Certificate, *, logo: str = "", preview: bool = False
) -> dict[str, Any]:
    """What the page shows that is not the person's own: the same for every certificate of
    one course, kind and day. Call inside `translation.override(<the snapshot's language>)`.
    """
    snapshot = certificate.snapshot
    revoked = certificate.status == Certificate.Status.REVOKED
    issued_at = certificate.issued_at or timezone.now()
    return {
        "language": snapshot["language"],
        "preview": preview,
        "revoked": revoked,
        "revoked_on": _date(timezone.localdate(certificate.revoked_at)) if revoked else "",
        "kind_label": str(Certificate.Kind(snapshot["kind"]).label),
        "completed": snapshot["kind"] == Certificate.Kind.COMPLETION,
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
    }


def person_context(certificate: Certificate) -> dict[str, Any]:
    """What only this certificate shows: the name, the code and the way to verify it."""
    name = certificate.snapshot["name"]
    return {
        "language": certificate.snapshot["language"],
        "name": name,
        "name_direction": text_direction(name),
        "name_language": name_language(name),
        "name_size": size_class(name, NAME_SIZES, "xs"),
        "code": certificate.code,
        "verify_url": verification_url(certificate.code),
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
    parts: tuple[CSS, FontConfiguration, URLFetcher] = _engines.parts
    return parts


def _write_pdf(pages: Sequence[str], language: str) -> bytes:
    """One PDF/A document of the given pages (HTML sections), each of which must fit a page."""
    stylesheet, font_config, url_fetcher = _engine()
    html = render_to_string(
        "certificates/pdf/document.html", {"pages": pages, "language": language, "title": "QGIS"}
    )
    document = HTML(string=html, url_fetcher=url_fetcher).render(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant=PDF_VARIANT
    )
    if len(document.pages) != len(pages):
        raise RuntimeError(
            f"{len(pages)} certificate pages were laid out on {len(document.pages)} pages: "
            "a certificate must fit on one page."
        )
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def _stack(background: bytes, layer: pikepdf.Page, *, title: str, author: str) -> bytes:
    """The background with the person's layer drawn on it, as the certificate's own PDF/A."""
    with pikepdf.open(io.BytesIO(background)) as pdf:
        pdf.pages[0].add_overlay(layer, rect=None)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as metadata:
            metadata["dc:title"] = title
            metadata["dc:creator"] = [author]
        output = io.BytesIO()
        pdf.save(output)
    return output.getvalue()


def _render_pages(certificates: Sequence[Certificate], *, preview: bool = False) -> list[bytes]:
    """Each certificate's PDF, in two layers: the background is laid out once for all the
    certificates that share it (usually a whole course), the people's layers together in
    one document; then each person's page is drawn on its background."""
    if not certificates:
        return []
    logos: dict[int | None, str] = {}
    backgrounds: dict[tuple[tuple[str, Any], ...], bytes] = {}
    chosen_backgrounds, layers, titles = [], [], []
    for certificate in certificates:
        organisation = certificate.course.organisation if certificate.course_id else None
        key = organisation.pk if organisation else None
        if key not in logos:
            logos[key] = logo_data_uri(organisation)
        snapshot = certificate.snapshot
        with translation.override(snapshot["language"]):
            context = background_context(certificate, logo=logos[key], preview=preview)
            shared = tuple(sorted(context.items()))
            if shared not in backgrounds:
                page = render_to_string("certificates/pdf/background.html", context)
                backgrounds[shared] = _write_pdf([page], snapshot["language"])
            chosen_backgrounds.append(backgrounds[shared])
            layers.append(
                render_to_string("certificates/pdf/overlay.html", person_context(certificate))
            )
            titles.append(
                gettext("QGIS certificate %(code)s: %(name)s")
                % {"code": certificate.code, "name": snapshot["name"]}
            )
    people = _write_pdf(layers, certificates[0].snapshot["language"])
    with pikepdf.open(io.BytesIO(people)) as layer_pdf:
        # Pages share one resource dictionary: give each only what it draws (its QR code),
        # so that a certificate does not carry its neighbours' images.
        layer_pdf.remove_unreferenced_resources()
        return [
            _stack(background, layer, title=title, author=certificate.snapshot["organisation"])
            for certificate, background, layer, title in zip(
                certificates, chosen_backgrounds, layer_pdf.pages, titles, strict=True
            )
        ]


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
        snapshot=printed_fields_for(course, attendee, kind, trainers),
    )
    return _render_pages([sample], preview=True)[0]
