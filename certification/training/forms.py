"""Forms of the course type pages of certified organisations."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from certification.training.languages import course_language_choices
from certification.training.models import CourseMaterial, CourseType
from certification.training.uploads import ACCEPTED_EXTENSIONS


class WebLinkField(forms.URLField):
    """A URL that browsers open as a web page: http or https, nothing else."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": _("Give a link that starts with http:// or https://.")}


class CourseTypeForm(forms.ModelForm):
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
        cleaned = super().clean()
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
