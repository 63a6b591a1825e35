"""Forms of the reviewers' workspace. They only parse input; the services decide."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certification.applications.models import Decision, OpinionRequest, UserGroup
from certification.organisations.models import Organisation
from certification.organisations.services import STATUS_TRANSITIONS

CONFIRM_LABEL = _("I understand that this step cannot be undone.")


def _confirmation(label: Any = CONFIRM_LABEL) -> forms.BooleanField:
    return forms.BooleanField(
        label=label,
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )


def _text(label: Any, *, required: bool = True, rows: int = 4, help_text: Any = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


# --- Workspace filters --------------------------------------------------------------------


class FilterForm(forms.Form):
    """A GET form of filters: a missing or unknown value just means "no filter"."""

    def value(self, name: str) -> str:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""


class QueueFilterForm(FilterForm):
    """The state and country filters of a workspace queue."""

    status = forms.ChoiceField(label=_("State"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(
        self,
        *args: Any,
        statuses: list[tuple[str, Any]],
        countries: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any state")), *statuses]
        self.fields["country"].choices = [("", _("Any country")), *countries]


class OrganisationFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, statuses: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *statuses]


# --- Certification team: initial review ----------------------------------------------------


class ChecklistForm(forms.Form):
    material_current = forms.BooleanField(
        label=_("The training material is current (a recent QGIS LTR)."), required=False
    )
    accurate = forms.BooleanField(
        label=_("The material represents QGIS accurately."), required=False
    )
    quality = forms.BooleanField(label=_("The material is of good quality."), required=False)
    contributions_verified = forms.BooleanField(
        label=_("The contributions have been verified."), required=False
    )
    comment = _text(
        _("Comments"),
        required=False,
        rows=3,
        help_text=_("Saved as an internal note: the applicant never sees it."),
    )

    def checklist(self) -> dict[str, bool]:
        return {
            key: bool(self.cleaned_data.get(key))
            for key in ("material_current", "accurate", "quality", "contributions_verified")
        }


class RequestChangesForm(forms.Form):
    message = _text(
        _("What should change"),
        rows=5,
        help_text=_("The applicant receives this message by email and on the application."),
    )
    confirm = _confirmation(_("Send the application back to the applicant."))


class CommunityReviewForm(forms.Form):
    confirm = _confirmation(
        _("Ask the user groups of the organisation's country for their opinion.")
    )


class InviteOutsideReviewerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    language = forms.ChoiceField(
        label=_("Language of the email"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
    )


# --- Opinions and decision ----------------------------------------------------------------


class OpinionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Opinion"), choices=OpinionRequest.Verdict.choices, widget=forms.RadioSelect
    )
    reasons = _text(_("Reasons"), rows=5)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    rationale = _text(
        _("Rationale"), rows=5, help_text=_("The applicant receives the rationale by email.")
    )
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, required=False)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False)
    confirm = _confirmation()


class MessageForm(forms.Form):
    body = _text(_("Message"), rows=4)


class InternalNoteForm(forms.Form):
    body = _text(_("Note"), rows=3)


# --- User groups, course types, organisations ---------------------------------------------


class UserGroupForm(forms.ModelForm):
    reviewer_emails = forms.CharField(
        label=_("Reviewers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The email addresses of the people who give the group's opinions, one per line. "
            "Each needs an account on this site; they are given the user group reviewer role."
        ),
    )

    class Meta:
        model = UserGroup
        fields = ["name", "slug", "countries", "website", "contact_email", "is_active"]
        help_texts = {
            "countries": _("Hold Ctrl (⌘ on a Mac) to choose more than one country."),
            "slug": _("A short name for addresses: lower-case letters, digits and hyphens."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["countries"].widget.attrs["size"] = 12
        if self.instance.pk and not self.is_bound:
            self.initial["reviewer_emails"] = "\n".join(
                user.email for user in self.instance.reviewers.order_by("email")
            )

    def clean_reviewer_emails(self) -> list[Any]:
        raw = self.cleaned_data["reviewer_emails"]
        emails = list(dict.fromkeys(e.strip().lower() for e in raw.replace(",", "\n").split()))
        invalid = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                invalid.append(email)
        if invalid:
            raise ValidationError(
                _("These are not email addresses: %(emails)s"),
                params={"emails": ", ".join(invalid)},
            )
        matching = Q(pk__in=[])
        for email in emails:
            matching |= Q(email__iexact=email)
        users = {
            user.email.lower(): user
            for user in get_user_model().objects.filter(matching, is_active=True)
        }
        unknown = [email for email in emails if email not in users]
        if unknown:
            raise ValidationError(
                _(
                    "No account uses these addresses: %(emails)s. Ask the people to sign up "
                    "first, then add them."
                ),
                params={"emails": ", ".join(unknown)},
            )
        return [users[email] for email in emails]


class CourseTypeReviewForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Do not approve"))],
        widget=forms.RadioSelect,
    )
    comment = _text(
        _("Comment"),
        required=False,
        help_text=_("Sent to the organisation. Required when the course type is not approved."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("outcome") == self.REJECT and not cleaned.get("comment"):
            self.add_error("comment", _("Say why the course type is not approved."))
        return cleaned


# How each move reads on its button; which moves exist is the service's to say.
STATUS_ACTIONS = {
    Organisation.Status.SUSPENDED: _("Suspend"),
    Organisation.Status.ARCHIVED: _("Archive"),
    Organisation.Status.CERTIFIED: _("Reinstate"),
}


class OrganisationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = _text(
        _("Reason"), help_text=_("The organisation's owners receive the reason by email.")
    )
    confirm = _confirmation(_("Change the organisation's status now."))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (status, STATUS_ACTIONS[status])
            for status in STATUS_TRANSITIONS.get(organisation.status, [])
        ]
