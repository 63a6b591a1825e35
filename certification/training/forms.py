"""Forms of the training pages of certified organisations: course types and their material,
training centres, trainers, courses and attendees.

Every choice is limited to the organisation's own rows: an id of another organisation's
training centre, trainer or course type is refused as an invalid choice.
"""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from certification.core.weblinks import WebLinkField
from certification.organisations.models import Organisation
from certification.training.attendee_import import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    attendee_email_problem,
    attendee_name_problem,
)
from certification.training.languages import course_language_choices
from certification.training.models import (
    Course,
    CourseMaterial,
    CourseType,
    Trainer,
    TrainingCentre,
)
from certification.training.uploads import ACCEPTED_EXTENSIONS

# --- Course types -----------------------------------------------------------------------------


class CourseTypeForm(forms.ModelForm[CourseType]):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=course_language_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages the course can be taught in."),
    )

    class Meta:
        model = CourseType
        fields = ["title", "description", "learning_outcomes", "hours", "qgis_version", "languages"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "learning_outcomes": forms.Textarea(attrs={"rows": 6}),
            "hours": forms.NumberInput(attrs={"min": 1, "max": 500}),
        }
        help_texts = {"hours": _("The length of the course in hours of teaching.")}


class MaterialForm(forms.Form):
    """Training material: an uploaded file or a link, never both."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CourseMaterial.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(
            attrs={"accept": ",".join(f".{extension}" for extension in ACCEPTED_EXTENSIONS)}
        ),
    )
    url = WebLinkField(
        label=_("or a link"),
        required=False,
        max_length=500,
        help_text=_("For material published elsewhere, such as a public repository."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "At most %(limit)s MB. Accepted: %(types)s. We check the content of the file."
        ) % {"limit": settings.MATERIAL_MAX_FILE_MB, "types": ", ".join(ACCEPTED_EXTENSIONS)}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        has_file, has_url = bool(cleaned.get("file")), bool(cleaned.get("url"))
        if has_file and has_url:
            raise ValidationError(_("Upload a file or give a link, not both."), code="both")
        if (
            not has_file
            and not has_url
            and not self.has_error("file")
            and not self.has_error("url")
        ):
            raise ValidationError(_("Upload a file or give a link."), code="neither")
        return cleaned


# --- Training centres, trainers and courses ---------------------------------------------------


class CoordinateField(forms.DecimalField):
    """Decimal degrees, typed with a point or a comma, rounded to six places (about 10 cm)."""

    def __init__(self, *, limit: int, example: str, **kwargs: Any) -> None:
        self.limit = limit
        message = _(
            "Give decimal degrees between −%(limit)s and %(limit)s, for example %(example)s."
        ) % {"limit": limit, "example": example}
        super().__init__(
            max_digits=9,
            decimal_places=6,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            error_messages={"invalid": message, "min_value": message, "max_value": message},
            **kwargs,
        )

    # django-stubs types DecimalField.to_python as its base IntegerField's, returning int.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(",", ".").replace("−", "-")
        number = super().to_python(value)
        if number is None:
            return None
        if not number.is_finite() or abs(number) > self.limit:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
        except InvalidOperation as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class TrainingCentreForm(forms.ModelForm[TrainingCentre]):
    latitude = CoordinateField(limit=90, example="59.329323", label=_("Latitude"))
    longitude = CoordinateField(limit=180, example="18.068581", label=_("Longitude"))

    class Meta:
        model = TrainingCentre
        fields = ["name", "address", "city", "country", "latitude", "longitude"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["latitude"].help_text = _(
            "Decimal degrees, north positive: for example 59.329323 for Stockholm."
        )
        self.fields["longitude"].help_text = _(
            "Decimal degrees, east positive: for example 18.068581 for Stockholm. Or click the "
            "place on the map."
        )


class TrainerForm(forms.ModelForm[Trainer]):
    account_email = forms.EmailField(
        label=_("Member account"),
        required=False,
        help_text=_(
            "Optional: the email a member of your organisation logs in with. Linked, they "
            "see the courses they teach and add their attendees."
        ),
    )

    class Meta:
        model = Trainer
        fields = ["name", "email"]
        help_texts = {"email": _("Optional. Not shown publicly.")}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if self.instance.user is not None:
            self.initial.setdefault("account_email", self.instance.user.email)

    def clean_account_email(self) -> Any:
        email = self.cleaned_data["account_email"].strip()
        if not email:
            return None
        user = (
            get_user_model()
            .objects.filter(email__iexact=email, memberships__organisation=self.organisation)
            .first()
        )
        if user is None:
            raise ValidationError(
                _(
                    "No member of your organisation logs in with this email. Invite them on "
                    "the members page first."
                ),
                code="not_a_member",
            )
        others = self.organisation.trainers.filter(user=user).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(
                _("This member's account is already linked to another trainer."),
                code="linked",
            )
        return user

    def save(self, commit: bool = True) -> Trainer:
        self.instance.user = self.cleaned_data.get("account_email")
        return super().save(commit=commit)

    @property
    def changed_fields(self) -> list[str]:
        """The model fields this form changes ("user" for the linked account)."""
        return [
            "user" if name == "account_email" else name
            for name in self.changed_data
            if name in ("name", "email", "account_email")
        ]


class CourseForm(forms.ModelForm[Course]):
    language = forms.ChoiceField(label=_("Language"), choices=course_language_choices)
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        max_value=10000,
        help_text=_("Optional: the number of places."),
    )

    class Meta:
        model = Course
        fields = [
            "course_type",
            "starts_on",
            "ends_on",
            "language",
            "trainers",
            "training_centre",
            "online",
            "is_public",
            "capacity",
            "registration_url",
        ]
        field_classes = {"registration_url": WebLinkField}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "trainers": forms.CheckboxSelectMultiple,
        }
        labels = {
            "course_type": _("Course type"),
            "training_centre": _("Training centre"),
            "online": _("Online course"),
            "is_public": _("Public"),
        }
        help_texts = {
            "course_type": _("Only approved course types can be run."),
            "training_centre": _("Where the course takes place; leave empty for an online course."),
            "online": _("Tick for a course taught online; it then has no training centre."),
            "is_public": _(
                "Public courses are listed in the course catalogue. Untick for a course for "
                "one client."
            ),
            "registration_url": _("Optional: where people sign up. http:// or https:// only."),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        course_types = organisation.course_types.approved()
        if self.instance.pk is not None:
            # A course keeps its type if that type is retired later.
            course_types = organisation.course_types.filter(
                status=CourseType.Status.APPROVED
            ) | organisation.course_types.filter(pk=self.instance.course_type_id)
        self._choice_field("course_type").queryset = course_types.order_by("title", "pk")
        self.fields["course_type"].error_messages["invalid_choice"] = _(
            "Choose one of your organisation's approved course types."
        )
        self._choice_field("trainers").queryset = organisation.trainers.order_by("name", "pk")
        self.fields["trainers"].required = True
        self.fields["trainers"].label = _("Trainers")
        self.fields["trainers"].help_text = _("Everyone who teaches the course.")
        self.fields["trainers"].error_messages.update(
            {
                "required": _("Choose at least one trainer."),
                "invalid_choice": _("Choose your organisation's own trainers."),
            }
        )
        self._choice_field("training_centre").queryset = organisation.training_centres.order_by(
            "name", "pk"
        )
        self.fields["training_centre"].error_messages["invalid_choice"] = _(
            "Choose one of your organisation's training centres."
        )
        for name in ("online", "is_public"):
            self.fields[name].label_suffix = ""
        if not self.instance.pk:
            self.fields["is_public"].initial = True
            language = get_language() or ""
            codes = {code for code, _name in course_language_choices()}
            self.fields["language"].initial = next(
                (code for code in (language, language.split("-")[0]) if code in codes), None
            )

    def _choice_field(self, name: str) -> forms.ModelChoiceField[Any]:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        return field

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        centre, online = cleaned.get("training_centre"), cleaned.get("online")
        # On the field, so that the model's own check of the same rule is not run as well.
        if not self.has_error("training_centre"):
            if centre and online:
                self.add_error(
                    "training_centre",
                    ValidationError(
                        _("Choose a training centre or tick “Online course”, not both."),
                        code="both",
                    ),
                )
            elif not centre and not online:
                self.add_error(
                    "training_centre",
                    ValidationError(
                        _("Choose a training centre, or tick “Online course”."), code="neither"
                    ),
                )
        return cleaned


# --- Attendees --------------------------------------------------------------------------------


def _attendee_error(problem: str | None) -> None:
    if problem:
        raise ValidationError(problem)


class AttendeeForm(forms.Form):
    name = forms.CharField(
        label=_("Name as printed"),
        strip=False,
        help_text=_(
            "Exactly as it is to appear on the certificate, at most 200 characters. Check "
            "the spelling with the attendee."
        ),
    )
    email = forms.CharField(
        label=_("Email"),
        help_text=_("The certificate is sent to this address."),
        widget=forms.EmailInput,
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        _attendee_error(attendee_name_problem(name))
        return name.strip()

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        _attendee_error(attendee_email_problem(email))
        return email


class AttendeeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8, separated by commas or semicolons, at most %(mb)s MB and %(rows)s "
            "attendees. A header row names the columns: “name” (or “first name” and “last "
            "name”) and “email”; the Swedish “namn”, “förnamn”, “efternamn” and “e-post” work too."
        ) % {"mb": MAX_FILE_BYTES // (1024 * 1024), "rows": MAX_ROWS}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s MB. Split it into smaller files.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return upload


class AttendeeImportConfirmForm(forms.Form):
    """The signed rows of a preview, carried back by the browser."""

    rows = forms.CharField(widget=forms.HiddenInput)
