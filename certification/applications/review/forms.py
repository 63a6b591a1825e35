"""Forms of the reviewers' workspace. They only parse input; the services decide."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certification.accounts.models import User
from certification.applications.models import ChecklistItem, Decision, OpinionRequest, UserGroup
from certification.core.forms import FilterForm, confirmation_field, text_field

# --- Workspace filters --------------------------------------------------------------------


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
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Any state")), *statuses]
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Any country")),
            *countries,
        ]


# --- Certification team: initial review ----------------------------------------------------


class ChecklistForm(forms.Form):
    material_current = forms.BooleanField(
        label=ChecklistItem.MATERIAL_CURRENT.label, required=False
    )
    accurate = forms.BooleanField(label=ChecklistItem.ACCURATE.label, required=False)
    quality = forms.BooleanField(label=ChecklistItem.QUALITY.label, required=False)
    contributions_verified = forms.BooleanField(
        label=ChecklistItem.CONTRIBUTIONS_VERIFIED.label, required=False
    )
    comment = text_field(
        _("Comments"),
        required=False,
        rows=3,
        help_text=_("Saved as an internal note: the applicant never sees it."),
    )

    def checklist(self) -> dict[str, bool]:
        return {item.value: bool(self.cleaned_data.get(item.value)) for item in ChecklistItem}


class RequestChangesForm(forms.Form):
    message = text_field(
        _("What should change"),
        rows=5,
        help_text=_("The applicant receives this message by email and on the application."),
    )
    confirm = confirmation_field(_("Send the application back to the applicant."))


class CommunityReviewForm(forms.Form):
    confirm = confirmation_field(
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
    reasons = text_field(_("Reasons"), rows=5)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    rationale = text_field(
        _("Rationale"), rows=5, help_text=_("The applicant receives the rationale by email.")
    )
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, required=False)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False)
    confirm = confirmation_field()


class MessageForm(forms.Form):
    body = text_field(_("Message"), rows=4)


class InternalNoteForm(forms.Form):
    body = text_field(_("Note"), rows=3)


# --- User groups ----------------------------------------------------------------------------


class UserGroupForm(forms.ModelForm[UserGroup]):
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

    def clean_reviewer_emails(self) -> list[User]:
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
        users = {user.email.lower(): user for user in User.objects.filter(matching, is_active=True)}
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
