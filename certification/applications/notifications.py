"""The emails of the application workflow. Each is written in the recipient's language."""

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from certification.accounts.models import User
from certification.accounts.roles import GlobalRole
from certification.applications.models import (
    Application,
    Decision,
    Message,
    OpinionRequest,
    ReviewerInvitation,
)
from certification.core.notifications import Addressee, Notice, notify
from certification.organisations.models import Membership


def applicant_contacts(application: Application) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organisation=application.organisation,
        memberships__role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
        is_active=True,
    )


def people_with_role(role: GlobalRole) -> QuerySet[User]:
    return User.objects.filter(groups__name=role.value, is_active=True)


def _applicant_path(application: Application) -> str:
    return reverse("applications:detail", args=[application.code])


def _review_path(application: Application) -> str:
    return reverse("review:application", args=[application.code])


def _day(moment: datetime) -> str:
    return date_format(moment, "DATE_FORMAT")


def application_submitted(application: Application) -> None:
    name = application.organisation.legal_name
    notify(
        applicant_contacts(application),
        lambda: Notice(
            subject=_("We received the application of %(name)s") % {"name": name},
            paragraphs=[
                _("Thank you: the application %(code)s has been submitted.")
                % {"code": application.code},
                _(
                    "The certification team will now review it. You can follow every step, and answer "
                    "the reviewers' questions, on the application's page."
                ),
            ],
            action_label=_("Follow the application"),
            action_path=_applicant_path(application),
        ),
    )
    notify(
        people_with_role(GlobalRole.CERTIFICATION_TEAM),
        lambda: Notice(
            subject=_("New application: %(name)s") % {"name": name},
            paragraphs=[
                _("%(name)s (%(country)s) has submitted the application %(code)s.")
                % {
                    "name": name,
                    "country": application.organisation.country.name,
                    "code": application.code,
                },
            ],
            action_label=_("Review the application"),
            action_path=_review_path(application),
        ),
    )


def application_withdrawn(application: Application, *, reason: str) -> None:
    notify(
        people_with_role(GlobalRole.CERTIFICATION_TEAM),
        lambda: Notice(
            subject=_("Application withdrawn: %(name)s")
            % {"name": application.organisation.legal_name},
            paragraphs=[
                _("The applicant has withdrawn the application %(code)s.")
                % {"code": application.code}
            ],
            quote=reason,
        ),
    )


def changes_requested(application: Application, *, message: str) -> None:
    notify(
        applicant_contacts(application),
        lambda: Notice(
            subject=_("Changes requested to your application %(code)s")
            % {"code": application.code},
            paragraphs=[
                _("The reviewers ask you to change the application before it can go further:"),
                _("Edit the application and submit it again. It stays open while you work on it."),
            ],
            quote=message,
            action_label=_("Edit the application"),
            action_path=_applicant_path(application),
        ),
    )


def no_user_group(application: Application) -> None:
    country = application.organisation.country.name
    notify(
        applicant_contacts(application),
        lambda: Notice(
            subject=_("Your application %(code)s goes to the PSC") % {"code": application.code},
            paragraphs=[
                _(
                    "There is no local QGIS user group in %(country)s yet, so the QGIS Project "
                    "Steering Committee (PSC) will decide on the material provided and your standing "
                    "in the QGIS community."
                )
                % {"country": country},
                _(
                    "We encourage you to found a local QGIS user group: it strengthens the community "
                    "around your courses. The QGIS website explains how: %(url)s"
                )
                % {"url": settings.QGIS_USER_GROUPS_URL},
            ],
            action_label=_("Follow the application"),
            action_path=_applicant_path(application),
        ),
    )


def opinion_requested(opinion_request: OpinionRequest) -> None:
    application = opinion_request.application
    notify(
        opinion_request.user_group.reviewers.filter(is_active=True),
        lambda: Notice(
            subject=_("Your user group's opinion is asked: %(name)s")
            % {"name": application.organisation.legal_name},
            paragraphs=[
                _(
                    "%(name)s has applied to the QGIS Certification Programme. As a reviewer for "
                    "%(group)s, please give the group's opinion: recommend, do not recommend or "
                    "abstain, with your reasons."
                )
                % {
                    "name": application.organisation.legal_name,
                    "group": opinion_request.user_group.name,
                },
                _("The opinion is due on %(date)s.") % {"date": _day(opinion_request.due_at)},
            ],
            action_label=_("Give the opinion"),
            action_path=_review_path(application),
        ),
    )


def opinion_reminder(opinion_request: OpinionRequest, *, days_left: int) -> None:
    application = opinion_request.application
    notify(
        opinion_request.user_group.reviewers.filter(is_active=True),
        lambda: Notice(
            subject=_("Reminder: opinion on %(name)s due on %(date)s")
            % {"name": application.organisation.legal_name, "date": _day(opinion_request.due_at)},
            paragraphs=[
                _(
                    "The opinion of %(group)s on this application is still missing. When the due date "
                    "passes, the PSC decides without it."
                )
                % {"group": opinion_request.user_group.name},
            ],
            action_label=_("Give the opinion"),
            action_path=_review_path(application),
        ),
    )


def opinion_given(opinion_request: OpinionRequest) -> None:
    application = opinion_request.application
    notify(
        people_with_role(GlobalRole.CERTIFICATION_TEAM),
        lambda: Notice(
            subject=_("Opinion of %(group)s on %(name)s")
            % {
                "group": opinion_request.user_group.name,
                "name": application.organisation.legal_name,
            },
            paragraphs=[
                _("Opinion: %(verdict)s.") % {"verdict": opinion_request.get_verdict_display()},
            ],
            quote=opinion_request.reasons,
            action_label=_("Open the application"),
            action_path=_review_path(application),
        ),
    )


def outside_reviewer_invited(invitation: ReviewerInvitation, *, token: str) -> None:
    opinion_request = invitation.opinion_request
    application = opinion_request.application
    notify(
        [Addressee(email=invitation.email, name=invitation.name, language=invitation.language)],
        lambda: Notice(
            subject=_("Your opinion on a QGIS certification application is asked"),
            paragraphs=[
                _(
                    "The certification team invites you to give the opinion of %(group)s on the "
                    "application of %(name)s to the QGIS Certification Programme."
                )
                % {
                    "group": opinion_request.user_group.name,
                    "name": application.organisation.legal_name,
                },
                _(
                    "The link below lets you read the application and give one opinion; it works until "
                    "%(date)s and for nothing else."
                )
                % {"date": _day(invitation.expires_at)},
            ],
            action_label=_("Read the application and give the opinion"),
            action_path=reverse("review:invited_opinion", args=[token]),
        ),
    )


def psc_review_started(application: Application, *, reason: str) -> None:
    reasons = {
        "no_user_group": _("There is no local user group for %(country)s."),
        "all_opinions_given": _("Every user group asked has given its opinion."),
        "opinions_overdue": _("The month for the user groups' opinions has passed."),
    }
    notify(
        people_with_role(GlobalRole.PSC_MEMBER),
        lambda: Notice(
            subject=_("Ready for the PSC's decision: %(name)s")
            % {"name": application.organisation.legal_name},
            paragraphs=[
                reasons.get(reason, "") % {"country": application.organisation.country.name},
                _("Any PSC member can record the final decision with its rationale."),
            ],
            action_label=_("Decide"),
            action_path=_review_path(application),
        ),
    )
    if reason != "no_user_group":
        notify(
            applicant_contacts(application),
            lambda: Notice(
                subject=_("Your application %(code)s is with the PSC") % {"code": application.code},
                paragraphs=[
                    _(
                        "The community review is over. The QGIS Project Steering Committee "
                        "(PSC) will now make the final decision."
                    )
                ],
                action_label=_("Follow the application"),
                action_path=_applicant_path(application),
            ),
        )


def decision_recorded(application: Application, decision: Decision) -> None:
    approved = decision.outcome == Decision.Outcome.APPROVE

    def build() -> Notice:
        if approved:
            return Notice(
                subject=_("%(name)s is now QGIS certified")
                % {"name": application.organisation.legal_name},
                paragraphs=[
                    _(
                        "Congratulations: the PSC has approved your application. Your organisation "
                        "is now QGIS certified, its course types are approved and its contributions "
                        "are published on its public page."
                    ),
                    _("You can now schedule courses and issue official QGIS certificates."),
                ],
                quote=decision.rationale,
                action_label=_("Open your application"),
                action_path=_applicant_path(application),
            )
        return Notice(
            subject=_("Decision on your application %(code)s") % {"code": application.code},
            paragraphs=[
                _(
                    "The PSC has decided not to certify your organisation at this time, for these "
                    "reasons:"
                ),
                _("You may apply again when the reasons have been addressed."),
            ],
            quote=decision.rationale,
            action_label=_("Open your application"),
            action_path=_applicant_path(application),
        )

    notify(applicant_contacts(application), build)
    notify(
        people_with_role(GlobalRole.CERTIFICATION_TEAM),
        lambda: Notice(
            subject=_("PSC decision on %(name)s: %(outcome)s")
            % {
                "name": application.organisation.legal_name,
                "outcome": decision.get_outcome_display(),
            },
            paragraphs=[],
            quote=decision.rationale,
            action_label=_("Open the application"),
            action_path=_review_path(application),
        ),
    )


def message_posted(message: Message) -> None:
    application = message.application
    author_id = message.author_id
    from_applicant = (
        author_id is not None and applicant_contacts(application).filter(pk=author_id).exists()
    )
    if from_applicant:
        recipients = people_with_role(GlobalRole.CERTIFICATION_TEAM)
        path = _review_path(application)
    else:
        recipients = applicant_contacts(application)
        path = _applicant_path(application)
    notify(
        [person for person in recipients if person.pk != author_id],
        lambda: Notice(
            subject=_("New message on the application %(code)s") % {"code": application.code},
            paragraphs=[_("%(author)s wrote:") % {"author": message.author_label}],
            quote=message.body,
            action_label=_("Reply"),
            action_path=path,
        ),
    )


def expiry_warning(application: Application, *, expires_at: datetime) -> None:
    notify(
        applicant_contacts(application),
        lambda: Notice(
            subject=_("Your application %(code)s will expire on %(date)s")
            % {"code": application.code, "date": _day(expires_at)},
            paragraphs=[
                _(
                    "Nothing has changed on this application for a long time. Unless you work on it "
                    "or submit it, it expires on %(date)s and you would have to start again."
                )
                % {"date": _day(expires_at)},
            ],
            action_label=_("Continue the application"),
            action_path=_applicant_path(application),
        ),
    )


def application_expired(application: Application) -> None:
    notify(
        applicant_contacts(application),
        lambda: Notice(
            subject=_("Your application %(code)s has expired") % {"code": application.code},
            paragraphs=[
                _(
                    "The application expired after a long time without activity. You are welcome to "
                    "apply again at any time."
                ),
            ],
            action_label=_("Apply again"),
            action_path=reverse("applications:apply"),
        ),
    )
