"""The certification workflow in Chromium, person by person, as each of them sees it.

1. A new applicant in Sweden applies, is asked for a change, submits again; the certification
   team sends the application to the Swedish user group, whose reviewer recommends it; the PSC
   approves it, and the organisation's public page shows its contribution.
2. An organisation in a country without a user group goes straight to the PSC, which rejects
   it; the applicant reads the reasons on the application's page and in the emails.

The applicant logs in with the real login form; the staff come in with a session cookie.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from certification.accounts.models import User
from certification.accounts.tests.browser import become, log_in_with_form
from certification.accounts.tests.factories import UserFactory
from certification.applications.tests.factories import UserGroupFactory, submitted_through_services
from certification.organisations.models import Organisation
from certification.training.tests.factories import PDF

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NAME = "Kartverkstaden AB"
CONTRIBUTION = "Swedish translation of the QGIS desktop user guide, chapters 1 to 12."
EVIDENCE = "https://example.org/qgis-translation-sv"
COURSE = "QGIS for municipalities"


# --- Helpers ------------------------------------------------------------------------------


def expect_message(page: Page, text: str) -> None:
    """The confirmation (or refusal) shown at the top of the page after an action."""
    expect(page.get_by_role("status")).to_contain_text(text)


def expect_applicant_status(page: Page, status: str) -> None:
    """The status badge next to the application code, on the applicant's pages."""
    expect(page.locator(".application-meta")).to_contain_text(status)


def expect_reviewer_status(page: Page, status: str) -> None:
    """The status badge in the heading of the reviewer page."""
    expect(page.get_by_role("heading", level=1)).to_contain_text(status)


def emails_to(user: User) -> list[Any]:
    return [email for email in mail.outbox if user.email in email.to]


def open_from_queue(page: Page, name: str) -> None:
    page.goto("/review/")
    expect(page.get_by_role("heading", name="Review workspace", level=1)).to_be_visible()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


# --- Journey 1: apply, change, community review, approval, public page --------------------


def test_a_swedish_organisation_applies_and_is_certified(
    page: Page,
    live_server: Any,
    rita: User,
    ugo: User,
    paula: User,
    test_output_dir: Path,
    tmp_path: Path,
) -> None:
    url = live_server.url
    applicant = UserFactory(email="sara@example.org", name="Sara Svensson")
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    slides = tmp_path / "to-upload" / "day-1-slides.pdf"  # beside media_root, not in it
    slides.parent.mkdir()
    slides.write_bytes(PDF)

    # The applicant reads what the programme asks, logs in and starts the application.
    page.goto("/apply/")
    expect(
        page.get_by_role("heading", name="Become a QGIS certified training organisation")
    ).to_be_visible()
    page.get_by_role("region", name="Apply").get_by_role("link", name="Log in").click()
    log_in_with_form(page, applicant)
    expect(page).to_have_url(re.compile(r"/apply/$"))
    start = page.get_by_role("group", name="A new organisation")
    start.get_by_label("Legal name").fill(NAME)
    start.get_by_label("Country").select_option("SE")
    page.get_by_role("button", name="Start the application").click()

    expect_message(page, "is started and saved as a draft")
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    expect_applicant_status(page, "Draft")
    code = re.search(r"/applications/([^/]+)/details/", page.url).group(1)
    applicant_cookies = page.context.cookies()

    # Step 1: the organisation and its training.
    expect(page.get_by_role("heading", name="Your organisation and its training")).to_be_visible()
    page.get_by_label("Address").fill("Kartvägen 3\n752 36 Uppsala")
    page.get_by_label("Website").fill("https://kartverkstaden.example.org")
    page.get_by_label("Contact email").fill("kurser@kartverkstaden.example.org")
    page.get_by_label("Your training activity").fill(
        "Two-day QGIS courses for Swedish municipalities, about ten times a year."
    )
    page.get_by_role("button", name="Save and continue").click()
    expect_message(page, "The organisation's details and training activity are saved.")

    # Step 2: a contribution, with a link that shows it.
    expect(page.get_by_role("heading", name="Your contributions to QGIS")).to_be_visible()
    page.get_by_role("link", name="Add a contribution").click()
    page.get_by_label("Category").select_option(label="Translation")
    page.get_by_label("Description").fill(CONTRIBUTION)
    page.get_by_label("Since (year)").fill("2018")
    page.get_by_label("Evidence links").fill(EVIDENCE)
    page.get_by_role("button", name="Save the contribution").click()
    expect_message(page, "The contribution is saved.")
    contribution_row = page.get_by_role("row").filter(has_text="Translation")
    expect(contribution_row).to_contain_text("2018–")
    expect(contribution_row).to_contain_text("1 link")

    # Step 3: a course type, and a real PDF as its material.
    page.get_by_role("link", name="Continue to course types").click()
    page.get_by_role("link", name="Add a course type").click()
    page.get_by_label("Title").fill(COURSE)
    page.get_by_label("Description").fill("Maps, layers, styles and print layouts.")
    page.get_by_label("Learning outcomes").fill("Load data\nStyle layers\nPrint a map")
    page.get_by_label("Hours").fill("14")
    page.get_by_label("QGIS version").fill("3.40 LTR")
    page.get_by_label("Languages").select_option(["sv", "en"])
    page.get_by_role("button", name="Save and add material").click()
    expect_message(page, "The course type is saved. Now add its training material below.")
    expect(page.get_by_role("heading", name=f"Training material of “{COURSE}”")).to_be_visible()
    expect(page.get_by_text("No training material yet.")).to_be_visible()

    upload = page.get_by_role("group", name="Upload a file")
    upload.get_by_label("Kind").select_option(label="Lecture")
    upload.get_by_label("Title").fill("Day 1 slides")
    upload.get_by_label("File").set_input_files(slides)
    upload.get_by_role("button", name="Upload").click()
    expect_message(page, "The material is added.")
    material_row = page.get_by_role("row").filter(has_text="Day 1 slides")
    expect(material_row).to_contain_text("Lecture")
    expect(material_row.get_by_role("link", name="day-1-slides.pdf")).to_be_visible()

    # Step 4: the declaration.
    page.get_by_role("link", name="Back to the course types").click()
    page.get_by_role("link", name="Continue to the declaration").click()
    page.get_by_label("I make this declaration on behalf of the organisation.").check()
    page.get_by_role("button", name="Make the declaration").click()
    expect_message(page, "Thank you: the declaration is made.")

    # Step 5: nothing is missing; the applicant submits.
    expect(page.get_by_role("heading", name="Ready to submit")).to_be_visible()
    expect(page.get_by_role("heading", name="Before you can submit")).to_have_count(0)
    expect(page.get_by_text(CONTRIBUTION)).to_be_visible()
    expect(page.get_by_role("link", name=EVIDENCE)).to_be_visible()
    expect(page.get_by_role("link", name="Day 1 slides")).to_be_visible()
    page.get_by_role("button", name="Submit the application").first.click()
    expect_message(page, f"Thank you: the application {code} is submitted.")
    expect_applicant_status(page, "Submitted")
    assert any("We received the application" in e.subject for e in emails_to(applicant))

    # The certification team starts the initial review and asks for a change.
    become(page, rita, url)
    rita_cookies = page.context.cookies()
    open_from_queue(page, NAME)
    expect_reviewer_status(page, "Submitted")
    expect(page.get_by_text(f"Application {code} from Sweden, version 1.")).to_be_visible()
    page.get_by_role("button", name="Start the initial review").click()
    expect_message(page, "The initial review has started.")
    expect_reviewer_status(page, "Initial review")

    request = "Please add the **exercises** of the course as well, not only the slides."
    page.get_by_label("What should change").fill(request)
    page.get_by_role("button", name="Request changes").click()
    # Without the confirmation, nothing happens but a reminder.
    expect(page.get_by_text("Tick the box to confirm.")).to_be_visible()
    expect_reviewer_status(page, "Initial review")
    page.get_by_label("Send the application back to the applicant.").check()
    page.get_by_role("button", name="Request changes").click()
    expect_message(page, "The application has gone back to the applicant with your request.")
    expect_reviewer_status(page, "Changes requested")
    change_email = emails_to(applicant)[-1]
    assert change_email.subject == f"Changes requested to your application {code}"
    assert "exercises" in change_email.body

    # The applicant reads the request, adds the exercises as a link and submits again.
    page.context.clear_cookies()
    page.context.add_cookies(applicant_cookies)  # type: ignore[arg-type]  # read back to set again
    page.goto(f"/applications/{code}/")
    expect_applicant_status(page, "Changes requested")
    changes = page.get_by_role("region", name="The reviewers ask for these changes")
    expect(changes).to_contain_text("Please add the exercises of the course as well")
    expect(changes.locator("strong")).to_have_text("exercises")  # the Markdown is rendered
    expect(changes).to_contain_text("Rita Reviewer")
    page.get_by_role("link", name="Review and submit again").click()
    page.get_by_role("link", name="Edit the course types").click()
    page.get_by_role("link", name=COURSE, exact=True).click()
    link = page.get_by_role("group", name="Or give a link")
    link.get_by_label("Kind").select_option(label="Exercise")
    link.get_by_label("Title").fill("Exercises, day 1 and 2")
    link.get_by_label("Link").fill("https://example.org/kartverkstaden/exercises")
    link.get_by_role("button", name="Add the link").click()
    expect_message(page, "The material is added.")
    expect(page.get_by_role("row").filter(has_text="Exercises, day 1 and 2")).to_contain_text(
        "Exercise"
    )
    page.get_by_role("navigation", name="Steps of the application").get_by_role(
        "link", name="Review and submit"
    ).click()
    expect(page.get_by_role("heading", name="Ready to submit")).to_be_visible()
    page.get_by_role("button", name="Submit the application").first.click()
    expect_message(page, f"Thank you: the application {code} is submitted.")
    expect_applicant_status(page, "Submitted")
    expect(page.get_by_role("link", name="Version 2")).to_be_visible()

    # The certification team reviews it again and sends it to the Swedish user group.
    page.context.clear_cookies()
    page.context.add_cookies(rita_cookies)  # type: ignore[arg-type]  # read back to set again
    open_from_queue(page, NAME)
    expect_reviewer_status(page, "Submitted")
    expect(page.get_by_text(f"Application {code} from Sweden, version 2.")).to_be_visible()
    page.get_by_role("button", name="Start the initial review").click()
    expect_message(page, "The initial review has started.")
    page.get_by_label(
        "Ask the user groups of the organisation's country for their opinion."
    ).check()
    page.get_by_role("button", name="Send to community review").click()
    expect_message(page, "The application has gone to 1 user group for its opinion: QGIS Sverige.")
    expect_reviewer_status(page, "Community review")

    # The user group's reviewer recommends it.
    become(page, ugo, url)
    open_from_queue(page, NAME)
    expect_reviewer_status(page, "Community review")
    opinion = page.get_by_role("heading", name="Give the opinion of QGIS Sverige")
    expect(opinion).to_be_visible()
    page.get_by_label("Recommend", exact=True).check()
    page.get_by_label("Reasons").fill("Active translators of QGIS in Sweden; good courses.")
    page.get_by_role("button", name="Record the opinion").click()
    expect_message(page, "The opinion of QGIS Sverige has been recorded. Thank you.")
    expect_reviewer_status(page, "PSC review")
    opinions = page.get_by_role("region", name="Opinions of the user groups")
    expect(opinions).to_contain_text("Recommend")
    expect(opinions).to_contain_text("Active translators of QGIS in Sweden")
    expect(opinions).to_contain_text("Given by Ugo Usergroup")

    # The PSC approves it.
    become(page, paula, url)
    open_from_queue(page, NAME)
    expect_reviewer_status(page, "PSC review")
    page.get_by_label("Approve").check()
    page.get_by_label("Rationale").fill("Long-standing contributor with well-made material.")
    page.get_by_label("I understand that this step cannot be undone.").check()
    page.get_by_role("button", name="Record the decision").click()
    expect_message(page, "The decision has been recorded and the applicant informed.")
    expect_reviewer_status(page, "Approved")
    decision = page.get_by_role("region", name="Decision of the PSC")
    expect(decision).to_contain_text("Long-standing contributor with well-made material.")
    page.screenshot(path=test_output_dir / "journey-approved-reviewer.png", full_page=True)
    assert any(e.subject == f"{NAME} is now QGIS certified" for e in emails_to(applicant))

    # Anyone can now see the organisation's public page, with its contribution.
    become(page, None, url)
    slug = Organisation.objects.get(legal_name=NAME).slug
    page.goto(f"/organisations/{slug}/")
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    expect(page.get_by_text("QGIS certified", exact=True)).to_be_visible()
    expect(page.get_by_text("Training organisation in Sweden")).to_be_visible()
    expect(page.get_by_role("heading", name=COURSE)).to_be_visible()
    contributions = page.get_by_role("region", name="Contributions to QGIS")
    expect(contributions.get_by_role("heading", name="Translation")).to_be_visible()
    expect(contributions).to_contain_text(CONTRIBUTION)
    expect(contributions.get_by_role("link", name=EVIDENCE)).to_be_visible()
    page.screenshot(path=test_output_dir / "journey-public-page.png", full_page=True)


# --- Journey 2: no user group, straight to the PSC, rejection ----------------------------


def test_without_a_user_group_the_psc_decides_alone_and_rejects(
    page: Page, live_server: Any, rita: User, paula: User, test_output_dir: Path
) -> None:
    url = live_server.url
    applicant = UserFactory(email="neema@example.org", name="Neema Mushi")
    name = "Ramani Training Ltd"
    application = submitted_through_services(applicant, country="TZ", name=name)
    code = application.code
    rationale = "The training material is written for QGIS 2.18, which is long out of date."

    # The certification team finds no user group for Tanzania: the PSC decides alone.
    become(page, rita, url)
    open_from_queue(page, name)
    expect(page.get_by_text(f"Application {code} from Tanzania, version 1.")).to_be_visible()
    page.get_by_role("button", name="Start the initial review").click()
    expect_message(page, "The initial review has started.")
    page.get_by_label(
        "Ask the user groups of the organisation's country for their opinion."
    ).check()
    page.get_by_role("button", name="Send to community review").click()
    expect_message(
        page,
        "No user group covers Tanzania, so the application has gone straight to the PSC. "
        "The applicant has been encouraged to found a user group.",
    )
    expect_reviewer_status(page, "PSC review")
    expect(
        page.get_by_text("No user group was asked: none covers the organisation's country.")
    ).to_be_visible()

    # The PSC rejects it, with its reasons.
    become(page, paula, url)
    open_from_queue(page, name)
    expect_reviewer_status(page, "PSC review")
    page.get_by_label("Reject").check()
    page.get_by_label("Rationale").fill(rationale)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Tick the box to confirm.")).to_be_visible()
    expect_reviewer_status(page, "PSC review")
    page.get_by_label("I understand that this step cannot be undone.").check()
    page.get_by_role("button", name="Record the decision").click()
    expect_message(page, "The decision has been recorded and the applicant informed.")
    expect_reviewer_status(page, "Rejected")

    # The applicant logs in and reads the decision and its reasons.
    become(page, None, url)
    page.goto(f"/applications/{code}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    log_in_with_form(page, applicant)
    expect(page).to_have_url(re.compile(rf"/applications/{code}/$"))
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect_applicant_status(page, "Rejected")
    expect(page.get_by_text("The PSC decided not to certify the organisation")).to_be_visible()
    decision = page.get_by_role("region", name=re.compile(r"^Decision of the PSC: Reject"))
    expect(decision).to_contain_text(rationale)
    expect(page.get_by_role("link", name="Apply again")).to_be_visible()
    page.screenshot(path=test_output_dir / "journey-rejected-applicant.png", full_page=True)

    # The emails: straight to the PSC, with an encouragement to found a user group; then the
    # decision with its reasons.
    received = emails_to(applicant)
    to_psc = [e for e in received if e.subject == f"Your application {code} goes to the PSC"]
    assert len(to_psc) == 1
    assert "There is no local QGIS user group in Tanzania yet" in to_psc[0].body
    assert "We encourage you to found a local QGIS user group" in to_psc[0].body
    decided = [e for e in received if e.subject == f"Decision on your application {code}"]
    assert len(decided) == 1
    assert "The PSC has decided not to certify your organisation" in decided[0].body
    assert rationale in decided[0].body
