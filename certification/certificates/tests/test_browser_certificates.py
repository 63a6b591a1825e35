"""Certificates in Chromium, from a new course to a revoked certificate, as people see them.

Alice, the owner of Geoskolan, logs in with the real login form and schedules a course of
an approved course type. She imports its attendees from a CSV file: the first file has a
bad email, the preview shows it and nothing is imported; the corrected file imports. She
issues their certificates (one of attendance, two of completion), checking the credits
needed against the balance first. Tasks run at once in tests, so each attendee's email,
with the PDF attached, holds the link to the certificate's verification page, which an
anonymous visitor opens: the certificate is valid. Alice revokes one certificate with a
reason, and its verification page then says revoked, with that reason.
"""

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from certification.accounts.models import User
from certification.accounts.tests.factories import PASSWORD
from certification.billing.ledger import adjust_credits, balance
from certification.certificates.models import Certificate
from certification.certificates.tests.factories import TrainerFactory, TrainingCentreFactory
from certification.core.tests.pdfs import pdf_text
from certification.organisations.models import Organisation
from certification.training.models import Course, CourseType
from certification.training.tests.factories import CourseTypeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

COURSE = "QGIS för kommuner"
CENTRE = "Geoskolan Uppsala"
TRAINER = "Bertil Berg"
BAD_EMAIL = "per.lind.example.org"
ATTENDEES = {
    "Åsa Öberg": "asa.oberg@example.org",
    "Per Lind": "per.lind@example.org",
    "Zoë Ångström": "zoe@example.org",
}
REASON = "Per Lind did not take part in the second day of the course."


# --- Helpers ------------------------------------------------------------------------------


def expect_message(page: Page, text: str) -> None:
    """The confirmation (or refusal) shown at the top of the page after an action."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    """What Excel in Swedish saves as “CSV UTF-8”: a byte order mark and semicolons."""
    lines = ["namn;e-post", *(f"{name};{email}" for name, email in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def verification_path(message: Any) -> str:
    """The verification link of a certificate email, as a path on the live server.

    The tests' SITE_URL is http://testserver, so the link is opened on the live server.
    """
    found = re.search(r"http://testserver(/verify/[A-Z0-9-]+/)", message.body)
    assert found, message.body
    assert f'href="{found.group(0)}"' in message.alternatives[0][0]
    return found.group(1)


def figure(page: Page, term: str) -> Any:
    """The value shown under a term of the confirmation's figures (credits, balance)."""
    return (
        page.get_by_role("definition")
        .locator("xpath=..")
        .filter(has=page.get_by_role("term").filter(has_text=term))
        .get_by_role("definition")
    )


def certificate_row(page: Page, name: str) -> Any:
    """The row of one certificate in the certificates panel."""
    panel = page.get_by_role("region", name="Certificates")
    return panel.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))


# --- The journey --------------------------------------------------------------------------


def test_an_owner_issues_certificates_that_anyone_can_verify_and_revokes_one(
    page: Page,
    browser: Any,
    live_server: Any,
    alice: User,
    alice_org: Organisation,
    test_output_dir: Path,
    tmp_path: Path,
) -> None:
    course_type = CourseTypeFactory(
        organisation=alice_org, title=COURSE, status=CourseType.Status.APPROVED
    )
    TrainingCentreFactory(organisation=alice_org, name=CENTRE, city="Uppsala")
    TrainerFactory(organisation=alice_org, name=TRAINER)
    adjust_credits(alice_org, by=None, amount=10, reason="Credits for the spring courses")
    last_day = datetime.date.today() - datetime.timedelta(days=3)
    first_day = last_day - datetime.timedelta(days=1)
    uploads = tmp_path / "to-upload"  # beside media_root, not in it
    uploads.mkdir()

    # Alice logs in with the real form and goes to her organisation's courses.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="Geoskolan AB").click()
    expect(page.get_by_role("heading", name="Geoskolan AB", level=1)).to_be_visible()
    organisation_pages = page.get_by_role("navigation", name="Pages of this organisation")
    organisation_pages.get_by_role("link", name="Courses", exact=True).click()
    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()

    # She schedules a course of her approved course type.
    page.get_by_role("link", name="Schedule a course").click()
    expect(page.get_by_role("heading", name="Schedule a course", level=1)).to_be_visible()
    what = page.get_by_role("group", name="What and when")
    what.get_by_label("Course type").select_option(label=COURSE)
    what.get_by_label("First day").fill(first_day.isoformat())
    what.get_by_label("Last day").fill(last_day.isoformat())
    what.get_by_label("Language").select_option(label="Swedish")
    page.get_by_role("group", name="Who teaches").get_by_label(TRAINER).check()
    page.get_by_role("group", name="Where").get_by_label("Training centre").select_option(
        label=f"{CENTRE}, Uppsala"
    )
    page.get_by_role("button", name="Schedule the course").click()

    expect_message(page, "The course is scheduled. Add its attendees next.")
    expect(page.get_by_role("heading", name=COURSE, level=1)).to_be_visible()
    about = page.get_by_role("region", name="About the course")
    expect(about).to_contain_text("Swedish")
    expect(about).to_contain_text(TRAINER)
    expect(about).to_contain_text(CENTRE)
    expect(page.get_by_role("heading", name="0 attendees")).to_be_visible()
    course = Course.objects.get(organisation=alice_org)
    assert course.course_type == course_type
    assert (course.starts_on, course.ends_on, course.language) == (first_day, last_day, "sv")

    # She imports the attendees from a file with a mistake: the preview shows it.
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_role("heading", name="Import attendees", level=1)).to_be_visible()
    rows = list(ATTENDEES.items())
    wrong = write_csv(uploads / "deltagare.csv", [rows[0], ("Per Lind", BAD_EMAIL), *rows[2:]])
    page.get_by_label("CSV file").set_input_files(wrong)
    page.get_by_role("button", name="Check the file").click()

    preview = page.get_by_role("region", name="Preview")
    expect(preview.get_by_role("alert")).to_contain_text("1 row has problems.")
    expect(preview.get_by_role("alert")).to_contain_text(
        "Nothing is imported until every row is right."
    )
    bad_row = preview.get_by_role("row").filter(has_text=BAD_EMAIL)
    expect(bad_row).to_contain_text(f"“{BAD_EMAIL}” is not a valid email address.")
    expect(bad_row.get_by_role("cell").first).to_have_text("3")  # the spreadsheet's row
    for name in ("Åsa Öberg", "Zoë Ångström"):
        expect(preview.get_by_role("row").filter(has_text=name)).to_contain_text("Ready")
    expect(page.get_by_role("button", name=re.compile(r"^Import \d"))).to_have_count(0)
    expect(page.get_by_role("heading", name="Upload the corrected file")).to_be_visible()
    assert not course.attendees.exists()

    # She corrects the file and uploads it again: every row is ready, and she confirms.
    corrected = write_csv(uploads / "deltagare-rättad.csv", rows)
    page.get_by_label("CSV file").set_input_files(corrected)
    page.get_by_role("button", name="Check the file").click()
    expect(preview.get_by_role("status")).to_contain_text("All 3 rows are ready to import.")
    expect(preview.get_by_role("alert")).to_have_count(0)
    expect(preview.get_by_text("Ready", exact=True)).to_have_count(3)
    page.get_by_role("button", name="Import 3 attendees").click()

    expect_message(page, "3 attendees are imported.")
    expect(page.get_by_role("heading", name="3 attendees")).to_be_visible()
    attendees = page.get_by_role("region", name="3 attendees")
    for name, email in ATTENDEES.items():
        row = attendees.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
        expect(row).to_contain_text(email)
        expect(row).to_contain_text("Not issued")

    # She issues their certificates: Per Lind's of attendance, the others' of completion.
    panel = page.get_by_role("region", name="Certificates")
    expect(panel).to_contain_text("0 of 3 attendees have a valid certificate.")
    expect(panel).to_contain_text("No certificates have been issued for this course yet.")
    panel.get_by_role("link", name="Issue certificates (3 attendees without one)").click()
    expect(page.get_by_role("heading", name="Issue certificates", level=1)).to_be_visible()
    for name in ATTENDEES:
        page.get_by_label(name, exact=True).check()
        expect(page.get_by_label(f"Kind of certificate for {name}")).to_have_value("completion")
    page.get_by_label("Kind of certificate for Per Lind").select_option(
        label="Certificate of attendance"
    )
    page.get_by_role("button", name="Continue: check the cost").click()

    # The confirmation: what it costs against the balance; nothing issued yet.
    expect(page.get_by_role("heading", name="Check and issue", level=1)).to_be_visible()
    figures = {"Credits needed": "3", "Balance now": "10", "Balance afterwards": "7"}
    for term, value in figures.items():
        expect(figure(page, term)).to_have_text(value)
    chosen = page.get_by_role("region", name="3 certificates")
    expect(chosen).to_contain_text("Certificate of completion: 2 · Certificate of attendance: 1")
    expect(chosen.get_by_role("listitem").filter(has_text="Per Lind")).to_have_text(
        "Per Lind — Certificate of attendance"
    )
    expect(
        chosen.get_by_role("link", name=re.compile(r"^Preview the certificate of"))
    ).to_be_visible()
    assert not Certificate.objects.exists()
    page.get_by_role("button", name="Issue 3 certificates").click()

    expect_message(
        page,
        "3 certificates are issued. Their PDFs are being made and emailed to the attendees.",
    )
    expect(page.get_by_role("heading", name=f"Certificates: {COURSE}", level=1)).to_be_visible()
    panel = page.get_by_role("region", name="Certificates")
    expect(panel).to_contain_text("3 of 3 attendees have a valid certificate.")
    for name in ATTENDEES:
        row = certificate_row(page, name)
        expect(row).to_contain_text("Valid")
        expect(row).to_contain_text("Sent")
        expect(row.get_by_role("link", name=re.compile(r"^Download the PDF of"))).to_be_visible()
    expect(certificate_row(page, "Per Lind")).to_contain_text("Certificate of attendance")
    expect(certificate_row(page, "Åsa Öberg")).to_contain_text("Certificate of completion")

    # The course page shows the certificates panel, and the balance went down by three.
    page.get_by_role("link", name=COURSE).click()
    expect(page.get_by_role("heading", name=COURSE, level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Certificates")).to_contain_text(
        "3 of 3 attendees have a valid certificate."
    )
    page.screenshot(path=test_output_dir / "certificates-course-panel.png", full_page=True)
    assert balance(alice_org) == 7

    # Each attendee got an email with the PDF and the link to the verification page.
    certificates = {c.snapshot["name"]: c for c in Certificate.objects.filter(course=course)}
    assert set(certificates) == set(ATTENDEES)
    paths = {}
    for name, email in ATTENDEES.items():
        [message] = [message for message in mail.outbox if message.to == [email]]
        code = certificates[name].code
        assert message.subject == f"Ditt QGIS-certifikat för “{COURSE}”"  # the course's language
        assert f"Hej {name}," in message.body
        assert code in message.body
        [(filename, content, mimetype)] = message.attachments
        assert (filename, mimetype) == (f"QGIS-certificate-{code}.pdf", "application/pdf")
        printed = pdf_text(content)
        assert name in printed
        assert code in printed
        paths[name] = verification_path(message)
        assert paths[name] == f"/verify/{code}/"

    # She downloads one PDF from the panel.
    row = certificate_row(page, "Zoë Ångström")
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile(r"^Download the PDF of")).click()
    zoe_code = certificates["Zoë Ångström"].code
    assert download.value.suggested_filename == f"{zoe_code}.pdf"
    assert "Zoë Ångström" in pdf_text(Path(download.value.path()).read_bytes())

    # An anonymous visitor follows Per Lind's link: the certificate is valid.
    visitor = browser.new_context(base_url=live_server.url, locale="en-GB")
    visitor.set_default_timeout(10_000)
    try:
        public = visitor.new_page()
        public.goto(paths["Per Lind"])
        expect(public.get_by_role("heading", level=1)).to_have_text(
            re.compile(r"Valid QGIS certificate$")
        )
        expect(public.get_by_role("heading", name="Per Lind", level=2)).to_be_visible()
        expect(public.get_by_text("Certificate of attendance")).to_be_visible()
        expect(public.get_by_text("issued by Geoskolan AB")).to_be_visible()
        expect(public.get_by_text(certificates["Per Lind"].code)).to_be_visible()
        expect(public.get_by_text(COURSE)).to_be_visible()
        expect(public.get_by_text(TRAINER)).to_be_visible()
        expect(public.get_by_text("per.lind@example.org")).to_have_count(0)
        expect(
            public.get_by_role("link", name=re.compile("Add to LinkedIn profile"))
        ).to_be_visible()
        public.screenshot(path=test_output_dir / "certificates-verify-valid.png", full_page=True)

        # Alice revokes Per Lind's certificate, with a reason, after a confirmation.
        code = certificates["Per Lind"].code
        page.get_by_role("region", name="Certificates").get_by_role(
            "link", name=f"Revoke {code}"
        ).click()
        expect(page.get_by_role("heading", name=f"Revoke certificate {code}")).to_be_visible()
        expect(page.get_by_role("note")).to_contain_text("Revoking cannot be undone.")
        summary = page.get_by_role("region", name="The certificate")
        expect(summary).to_contain_text("Per Lind")
        expect(summary).to_contain_text("Certificate of attendance")
        page.get_by_label("Reason for the revocation").fill(REASON)
        page.get_by_role("button", name="Revoke the certificate").click()

        expect_message(
            page, f"Certificate {code} is revoked. Its verification page says so from now on."
        )
        panel = page.get_by_role("region", name="Certificates")
        expect(panel).to_contain_text("2 of 3 attendees have a valid certificate.")
        expect(panel).to_contain_text("1 revoked.")
        expect(certificate_row(page, "Per Lind")).to_contain_text("Revoked")
        expect(
            certificate_row(page, "Per Lind").get_by_role("link", name=re.compile("Revoke"))
        ).to_have_count(0)

        # The visitor looks again: revoked, with the reason.
        public.reload()
        expect(public.get_by_role("heading", level=1)).to_have_text(
            re.compile(r"Revoked certificate$")
        )
        expect(public.get_by_text("is no longer valid")).to_be_visible()
        expect(public.get_by_text(f"Reason: {REASON}")).to_be_visible()
        expect(public.get_by_role("heading", name="Per Lind", level=2)).to_be_visible()
        expect(
            public.get_by_role("link", name=re.compile("Add to LinkedIn profile"))
        ).to_have_count(0)
        public.screenshot(path=test_output_dir / "certificates-verify-revoked.png", full_page=True)

        # The others' certificates stay valid.
        public.goto(paths["Åsa Öberg"])
        expect(public.get_by_role("heading", level=1)).to_have_text(
            re.compile(r"Valid QGIS certificate$")
        )
    finally:
        visitor.close()
