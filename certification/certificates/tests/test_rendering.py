"""Certificate PDFs, rendered for real by WeasyPrint with the system Noto fonts.

Page 1 of each script's certificate is also saved as a PNG under
TEST_OUTPUT_DIR/certificates/ so that a person can look at it.
"""

import ctypes
import io
import logging
import re
import zlib

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import segno
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from certification.certificates import rendering
from certification.certificates.models import Certificate
from certification.certificates.tests.factories import (
    AttendeeFactory,
    CertificateFactory,
    CourseFactory,
    TrainerFactory,
)
from certification.core.tests.pdfs import pdf_text, save_png
from certification.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

# script: (name, the Noto face that must draw it)
NAMES = {
    "latin": ("Zoë Ångström-Łukasiewicz", "Noto-Sans-Bold"),
    "greek": ("Αλέξανδρος Παπαδόπουλος", "Noto-Sans-Bold"),
    "cyrillic": ("Дмитрий Иванов", "Noto-Sans-Bold"),
    "arabic": ("محمد العلي", "Noto-Sans-Arabic-Bold"),
    "hebrew": ("דוד כהן", "Noto-Sans-Hebrew-Bold"),
    "devanagari": ("अनिता शर्मा", "Noto-Sans-Devanagari-Bold"),
    "thai": ("สมชาย ใจดี", "Noto-Sans-Thai-Bold"),
    "chinese": ("王小明", "Noto-Sans-CJK-SC-Bold"),
    # Han alone could be Chinese or Japanese: any CJK face draws it; kana settle it.
    "japanese": ("山田太郎", "Noto-Sans-CJK-"),
    "japanese-kana": ("山田はなこ", "Noto-Sans-CJK-JP-Bold"),
    "korean": ("김민준", "Noto-Sans-CJK-KR-Bold"),
}
RIGHT_TO_LEFT = {"arabic", "hebrew"}
# PDFium reads a pre-base vowel sign or a reph (drawn before or above the letter they follow
# in the text) without its place in the text: the characters are all there, not in order.
REORDERED = {"devanagari"}


# --- Reading the PDFs -------------------------------------------------------------------------


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.get_size() for page in document]
    finally:
        document.close()


def fonts(pdf: bytes) -> dict[str, bool]:
    """The base name of every font that draws text on page 1, without the subset tag, and
    whether the PDF embeds it."""
    document = pdfium.PdfDocument(pdf)
    found = {}
    try:
        for text_object in document[0].get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_raw.FPDFTextObj_GetFont(text_object.raw)
            size = pdfium_raw.FPDFFont_GetBaseFontName(font, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_raw.FPDFFont_GetBaseFontName(font, buffer, size)
            name = buffer.value.decode().split("+")[-1]
            found[name] = bool(pdfium_raw.FPDFFont_GetIsEmbedded(font))
    finally:
        document.close()
    return found


def image_count(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(list(document[0].get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE])))
    finally:
        document.close()


def decompressed_streams(pdf: bytes) -> bytes:
    """Every stream of the file, inflated where it is compressed (the XMP metadata is)."""
    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            parts.append(match.group(1))
    return b"\n".join(parts)


def compact(text: str) -> str:
    return "".join(text.split())


def render_one(certificate: Certificate) -> bytes:
    certificate = Certificate.objects.select_related("course__organisation").get(pk=certificate.pk)
    [pdf] = rendering.render_certificates_pdf([certificate])
    return pdf


@pytest.fixture
def course():
    trainers = [TrainerFactory(name="Bob Berg"), TrainerFactory(name="Anna Lind")]
    return CourseFactory(
        organisation=trainers[0].organisation,
        course_type__title="QGIS for beginners",
        course_type__hours=14,
        language="en",
        trainers=trainers,
    )


# --- Every script ----------------------------------------------------------------------------


@pytest.mark.parametrize("script", NAMES)
def test_it_prints_the_name_in_every_script(script, course, caplog) -> None:
    name, face = NAMES[script]
    certificate = CertificateFactory(attendee__course=course, attendee__name=name)

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_one(certificate)
    save_png(pdf, script, folder="certificates")

    assert not [record for record in caplog.records if ".notdef" in record.getMessage()]
    text = compact(pdf_text(pdf))
    if script in REORDERED:
        assert set(compact(name)) <= set(text)
    elif script in RIGHT_TO_LEFT:
        assert compact(name) in text or compact(name)[::-1] in text
    else:
        assert compact(name) in text
    embedded = fonts(pdf)
    assert any(font.startswith(face) for font in embedded), embedded
    assert all(embedded.values()), embedded


def test_a_batch_gives_one_pdf_per_certificate_in_order(course) -> None:
    certificates = [
        CertificateFactory(attendee__course=course, attendee__name=name)
        for name, _face in list(NAMES.values())[:4]
    ]
    batch = list(
        Certificate.objects.filter(pk__in=[c.pk for c in certificates])
        .select_related("course__organisation")
        .order_by("pk")
    )

    pdfs = rendering.render_certificates_pdf(batch)

    assert len(pdfs) == 4
    for certificate, pdf in zip(batch, pdfs, strict=True):
        assert page_sizes(pdf) == [pytest.approx((841.89, 595.28), abs=0.5)]
        text = pdf_text(pdf)
        assert certificate.code in text
        assert compact(certificate.snapshot["name"]) in compact(text)


def test_a_mixed_batch_puts_each_person_on_their_own_background(course) -> None:
    """Backgrounds are shared by certificates of one kind: each PDF still shows its own
    kind, name, code, QR code and title, and nothing of the others'."""
    completion = CertificateFactory(attendee__course=course, attendee__name="Astrid Holm")
    attendance = CertificateFactory(
        attendee__course=course, attendee__name="Bo Ek", kind=Certificate.Kind.ATTENDANCE
    )
    second_completion = CertificateFactory(attendee__course=course, attendee__name="Cai Wu")
    batch = list(
        Certificate.objects.filter(course=course)
        .select_related("course__organisation")
        .order_by("pk")
    )

    pdfs = dict(zip(batch, rendering.render_certificates_pdf(batch), strict=True))

    for certificate, own_name, kind_words in [
        (completion, "Astrid Holm", "has successfully completed the course"),
        (attendance, "Bo Ek", "has attended the course"),
        (second_completion, "Cai Wu", "has successfully completed the course"),
    ]:
        pdf = pdfs[certificate]
        text = pdf_text(pdf)
        assert own_name in text
        assert kind_words in text
        assert certificate.code in text
        others = [other for other in batch if other != certificate]
        assert not [other for other in others if other.code in text]
        assert not [o for o in others if o.snapshot["name"] in text]
        assert image_count(pdf) == 1  # its own QR code, not the batch's
        with pikepdf.open(io.BytesIO(pdf)) as document:
            assert document.docinfo["/Title"] == (
                f"QGIS certificate {certificate.code}: {own_name}"
            )
            assert document.docinfo["/Author"] == course.organisation.legal_name
            assert len(document.pages) == 1


def test_a_long_name_still_fits_on_one_page(course) -> None:
    # As long as a name may be (200 characters): three lines at the smallest size.
    name = " ".join(["Maximiliana-Josefina Ångström-Łukasiewicz"] * 5)[:200].strip()
    assert len(name) == 200
    certificate = CertificateFactory(attendee__course=course, attendee__name=name)

    pdf = render_one(certificate)
    save_png(pdf, "long-name", folder="certificates")

    assert page_sizes(pdf) == [pytest.approx((841.89, 595.28), abs=0.5)]
    assert compact(name) in compact(pdf_text(pdf))


def test_it_renders_in_chunks(course) -> None:
    certificates = [CertificateFactory(attendee__course=course) for _ in range(5)]

    rendered = list(rendering.render_in_chunks(certificates, size=2))

    assert [certificate for certificate, _pdf in rendered] == certificates
    assert all(certificate.code in pdf_text(pdf) for certificate, pdf in rendered)


# --- What the page says ----------------------------------------------------------------------


def test_the_page_is_a4_landscape_and_archival(course) -> None:
    pdf = render_one(CertificateFactory(attendee__course=course))

    assert page_sizes(pdf) == [pytest.approx((841.89, 595.28), abs=0.5)]
    metadata = decompressed_streams(pdf)
    # As attributes or as elements: both are valid XMP.
    assert re.search(rb'pdfaid:part(="|>)3', metadata)
    assert re.search(rb'pdfaid:conformance(="|>)B', metadata)
    # PDF/A forbids smoothed images.
    assert b"/Interpolate true" not in metadata + pdf


def test_it_prints_everything_from_the_snapshot(course) -> None:
    certificate = CertificateFactory(attendee__course=course, attendee__name="Zoë Ångström")

    text = pdf_text(render_one(certificate))

    # PDFium reads wide letter spacing as spaces between words: compare the title compact.
    assert "CERTIFICATEOFCOMPLETION" in compact(text)
    for expected in [
        "This is to certify that",
        "Zoë Ångström",
        "has successfully completed the course",
        "QGIS for beginners",
        "14 hours",
        "QGIS 3.40 LTR",
        course.training_centre.name,
        "Sweden",
        "Anna Lind, Bob Berg",
        course.organisation.legal_name,
        certificate.code,
        f"http://testserver/verify/{certificate.code}/",
    ]:
        assert expected in text, expected


def test_an_attendance_certificate_of_an_online_course(db) -> None:
    course = CourseFactory(online=True, language="en")
    certificate = CertificateFactory(attendee__course=course, kind=Certificate.Kind.ATTENDANCE)

    text = pdf_text(render_one(certificate))

    assert "CERTIFICATEOFATTENDANCE" in compact(text)
    assert "has attended the course" in text
    assert "online" in text


def test_the_qr_code_leads_to_the_verification_page(course) -> None:
    certificate = CertificateFactory(attendee__course=course)
    url = f"http://testserver/verify/{certificate.code}/"

    context = rendering.person_context(certificate)

    qr = rendering.verification_qr(certificate.code)
    assert context["verify_url"] == url
    # The code printed is the code of exactly this address.
    assert qr.matrix == segno.make(url, error="m", micro=False, mask=rendering.QR_MASK).matrix
    assert context["qr"] == qr.png_data_uri(scale=1, border=0, dark=rendering.QR_COLOUR)


def test_a_swedish_certificate_is_in_swedish(db) -> None:
    course = CourseFactory(language="sv", course_type__hours=14)
    certificate = CertificateFactory(attendee__course=course)
    starts_on = course.starts_on

    pdf = render_one(certificate)
    save_png(pdf, "swedish", folder="certificates")
    text = pdf_text(pdf)

    assert "CERTIFIKATFÖRGENOMFÖRDKURS" in compact(text)
    assert "Härmed intygas att" in text
    assert "har med godkänt resultat genomfört kursen" in text
    assert "14 timmar" in text
    assert "Sverige" in text
    swedish_months = [
        "januari", "februari", "mars", "april", "maj", "juni",
        "juli", "augusti", "september", "oktober", "november", "december",
    ]  # fmt: skip
    assert f"{starts_on.day} {swedish_months[starts_on.month - 1]} {starts_on.year}" in text
    assert "This is to certify" not in text


def test_a_revoked_certificate_says_so(course) -> None:
    certificate = CertificateFactory(attendee__course=course, revoked=True)

    pdf = render_one(certificate)
    save_png(pdf, "revoked", folder="certificates")
    text = pdf_text(pdf)

    assert "REVOKED" in text
    revoked_on = timezone.localdate(certificate.revoked_at)
    assert f"{revoked_on.day}, {revoked_on.year}" in text
    assert "no longer valid" in text


def test_a_preview_is_marked_and_carries_no_real_code(course) -> None:
    pdf = rendering.render_preview(course, "  Anna   Lindqvist ", Certificate.Kind.ATTENDANCE)
    save_png(pdf, "preview", folder="certificates")
    text = pdf_text(pdf)

    assert "PREVIEW" in text
    assert "Anna Lindqvist" in text
    assert "has attended the course" in text
    assert rendering.PREVIEW_CODE in text
    assert not Certificate.objects.exists()


def test_the_organisations_logo_is_embedded(db) -> None:
    organisation = OrganisationFactory(logo=_logo_file())
    course = CourseFactory(organisation=organisation, language="en")
    certificate = CertificateFactory(attendee=AttendeeFactory(course=course))

    with_logo = render_one(certificate)
    save_png(with_logo, "logo", folder="certificates")
    organisation.logo = ""
    organisation.save(update_fields=["logo"])
    without_logo = render_one(certificate)

    assert image_count(with_logo) == image_count(without_logo) + 1  # the QR code is the other


def _logo_file() -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGBA", (1200, 400), (88, 150, 50, 255)).save(output, format="PNG")
    return SimpleUploadedFile("logo.png", output.getvalue(), content_type="image/png")


def test_a_broken_logo_does_not_stop_rendering(db) -> None:
    organisation = OrganisationFactory()
    organisation.logo.save("logo.png", ContentFile(b"not an image"), save=True)
    course = CourseFactory(organisation=organisation, language="en")

    pdf = render_one(CertificateFactory(attendee__course=course))

    assert image_count(pdf) == 1


@pytest.mark.parametrize(
    ("text", "direction"),
    [("محمد", "rtl"), ("דוד", "rtl"), ("Zoë", "ltr"), ("123 محمد", "rtl"), ("", "ltr")],
)
def test_the_direction_of_a_name_follows_its_first_strong_character(text, direction) -> None:
    assert rendering.text_direction(text) == direction
