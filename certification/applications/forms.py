"""The applicant's forms: they parse and check input; the services in services.py act on it."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certification.applications.models import Application, Contribution
from certification.applications.services import ORGANISATION_DETAILS
from certification.core.weblinks import WebLinkField, is_web_link, validate_web_link
from certification.organisations.models import Organisation
from certification.training.languages import course_language_choices, language_names
from certification.training.models import CourseMaterial, CourseType
from certification.training.uploads import ACCEPTED_EXTENSIONS

# --- Organisation -------------------------------------------------------------------------


class OrganisationForm(forms.ModelForm[Organisation]):
    """The organisation's details, when it applies for the first time and while it is a draft."""

    class Meta:
        model = Organisation
        fields = ORGANISATION_DETAILS
        help_texts = {
            "legal_name": _("The name your organisation is registered under."),
            "address": _("The postal address of your organisation. Needed before you submit."),
            "website": _("Needed before you submit."),
            "contact_email": _(
                "Where attendees and the programme can reach your organisation. "
                "Needed before you submit."
            ),
            "vat_number": _("If your organisation has one; it appears on invoices."),
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "legal_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].validators.append(validate_web_link)

    def clean_legal_name(self) -> str:
        name = " ".join(self.cleaned_data["legal_name"].split())
        others = Organisation.objects.filter(legal_name__iexact=name)
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(
                _(
                    "An organisation with this name is already registered. If it is yours, "
                    "ask one of its owners to invite you, then apply from its page here."
                ),
                code="duplicate",
            )
        return name


class TrainingActivityForm(forms.ModelForm[Application]):
    class Meta:
        model = Application
        fields = ["training_activity"]
        widgets = {"training_activity": forms.Textarea(attrs={"rows": 8})}


class ReapplyForm(forms.Form):
    """Start a new application for an organisation that already exists here."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=None,
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField[Organisation], self.fields["organisation"]
        ).queryset = organisations


# --- Contributions ------------------------------------------------------------------------


class WebAddressLinesField(forms.CharField):
    """Web addresses, one per line, as a list; each bad line gets its own error."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    # CharField.to_python returns a str; this field's value is the list of its lines.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        errors = [
            ValidationError(
                _(
                    "Line %(number)s, “%(line)s”, is not a web address starting with http:// or https://."
                ),
                code="invalid_link",
                params={"number": number, "line": line},
            )
            for number, line in enumerate(value, start=1)
            if len(line) > 500 or not is_web_link(line)
        ]
        if errors:
            raise ValidationError(errors)


class ContributionForm(forms.ModelForm[Contribution]):
    evidence_links = WebAddressLinesField(
        label=_("Evidence links"),
        required=False,
        help_text=_(
            "Web pages that show the contribution: commits, pull requests, translation "
            "statistics, sponsorship pages, books. One address per line, starting with https://."
        ),
    )

    class Meta:
        model = Contribution
        fields = ["category", "description", "start_year", "end_year", "evidence_links"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "description": _("What your organisation did, and its part in it."),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start is not None and end is not None and end < start:
            self.add_error(
                "end_year",
                _("The end year cannot be before the start year (%(start)s).") % {"start": start},
            )
        return cleaned


# --- Course types and their material ------------------------------------------------------


class CourseTypeForm(forms.ModelForm[CourseType]):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=[],
        help_text=_(
            "The languages you teach this course in. Hold Ctrl (Cmd on a Mac) to choose several."
        ),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = CourseType
        fields = ["title", "description", "learning_outcomes", "hours", "qgis_version", "languages"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "learning_outcomes": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "qgis_version": _(
                "The QGIS version the material is written for, for example 3.40 LTR. The review "
                "checks that it is a recent long-term release."
            ),
            "hours": _("Teaching hours in all."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        languages = cast(forms.MultipleChoiceField, self.fields["languages"])
        languages.choices = course_language_choices()
        if self.instance.languages:
            # In a long list the chosen languages may be scrolled out of sight.
            languages.help_text = format_lazy(
                "{} {}",
                languages.help_text,
                _("Chosen now: %(names)s.")
                % {"names": ", ".join(language_names(self.instance.languages))},
            )


def material_help_text() -> str:
    return gettext(
        "Accepted file types: %(types)s. Each file can be at most %(file_mb)s MB, and the "
        "material of the whole application at most %(total_mb)s MB."
    ) % {
        "types": ", ".join(ACCEPTED_EXTENSIONS),
        "file_mb": settings.MATERIAL_MAX_FILE_MB,
        "total_mb": settings.APPLICATION_MAX_TOTAL_MB,
    }


class MaterialFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseMaterial.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "upload")
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = material_help_text()
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{extension}" for extension in ACCEPTED_EXTENSIONS
        )


class MaterialLinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseMaterial.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    url = WebLinkField(
        label=_("Link"),
        max_length=500,
        help_text=_(
            "Material published elsewhere, for example a public repository or a shared folder "
            "the reviewers can open without logging in. Starts with https://."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "link")
        super().__init__(*args, **kwargs)


# --- Declaration, discussion, withdrawal --------------------------------------------------


class DeclarationForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I make this declaration on behalf of the organisation."),
        error_messages={"required": _("Tick the box to make the declaration.")},
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("You can use Markdown: **bold**, *italic*, lists and links."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw the application? (optional)"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
