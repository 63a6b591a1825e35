import pytest
from django.core import mail

from certification.applications import services
from certification.applications.models import Contribution, Status
from certification.applications.services import ApplicationError
from certification.applications.tests.factories import in_initial_review_through_services
from certification.organisations.models import Organisation
from certification.training.models import CourseType

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_psc(rita):
    application = in_initial_review_through_services(rita, country="TZ", name="Dar Mapping Ltd")
    services.send_to_community_review(application, by=rita)
    application.refresh_from_db()
    assert application.status == Status.PSC_REVIEW
    return application


def test_approval_certifies_the_organisation_and_publishes_its_contributions(
    at_psc, paula, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.record_decision(
            at_psc,
            by=paula,
            outcome="approve",
            rationale="Strong community record.",
            votes_for=5,
            votes_against=0,
            abstentions=1,
        )

    at_psc.refresh_from_db()
    organisation = at_psc.organisation
    organisation.refresh_from_db()
    assert at_psc.status == Status.APPROVED
    assert organisation.status == Organisation.Status.CERTIFIED
    assert organisation.certified_at == decision.decided_at
    assert set(
        CourseType.objects.filter(organisation=organisation).values_list("status", flat=True)
    ) == {"approved"}
    assert all(Contribution.objects.filter(application=at_psc).values_list("published", flat=True))
    owner_mail = next(m for m in mail.outbox if m.to == [at_psc.created_by.email])
    assert "now QGIS certified" in owner_mail.subject
    assert "Strong community record." in owner_mail.body


def test_rejection_reaches_the_applicant_with_its_reasons(
    at_psc, paula, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.record_decision(
            at_psc, by=paula, outcome="reject", rationale="Material is outdated (QGIS 2.18)."
        )

    at_psc.organisation.refresh_from_db()
    assert at_psc.organisation.status == Organisation.Status.APPLICANT
    owner_mail = next(m for m in mail.outbox if m.to == [at_psc.created_by.email])
    assert "Material is outdated (QGIS 2.18)." in owner_mail.body
    assert not Contribution.objects.filter(published=True).exists()


def test_a_decision_needs_a_rationale(at_psc, paula) -> None:
    with pytest.raises(ApplicationError, match="rationale"):
        services.record_decision(at_psc, by=paula, outcome="approve", rationale=" ")


def test_an_application_is_decided_once(at_psc, paula) -> None:
    services.record_decision(at_psc, by=paula, outcome="approve", rationale="Yes.")

    with pytest.raises(ApplicationError, match="Only an application in PSC review"):
        services.record_decision(at_psc, by=paula, outcome="reject", rationale="No.")


def test_the_decision_email_is_written_in_swedish_for_swedish_applicants(
    at_psc, paula, django_capture_on_commit_callbacks
) -> None:
    owner = at_psc.created_by
    owner.preferred_language = "sv"
    owner.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.record_decision(at_psc, by=paula, outcome="approve", rationale="Bra.")

    owner_mail = next(m for m in mail.outbox if m.to == [owner.email])
    assert owner_mail.subject == "Dar Mapping Ltd är nu QGIS-certifierad"
    assert "Hej" in owner_mail.body
