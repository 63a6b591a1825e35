"""Forms of the organisation pages: the public profile and invitations to join."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from certification.core.weblinks import WebLinkField
from certification.organisations.models import Membership, Organisation

LOGO_MAX_BYTES = 2_000_000
LOGO_MAX_PIXELS_PER_SIDE = 4000
# Pillow's name of each accepted format -> the extension the stored file gets.
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


class OrganisationProfileForm(forms.ModelForm[Organisation]):
    """What owners and managers may change of their public profile.

    The legal name and the country are not here: the certification team changes them.
    """

    class Meta:
        model = Organisation
        fields = ["address", "website", "contact_email", "vat_number", "logo"]
        # Only web addresses: the website becomes a link on the public page.
        field_classes = {"website": WebLinkField}
        widgets = {
            "address": forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "website": _("The address of your website, starting with https://."),
            "contact_email": _("Shown on your public page for people who want to book a course."),
            "logo": _("A PNG, JPEG or WebP image of at most 2 MB, shown on your public page."),
        }
        error_messages = {
            "logo": {
                "invalid_image": _(
                    "This file is not an image we can read. Upload a PNG, JPEG or WebP image."
                ),
                "invalid_extension": _("Upload a PNG, JPEG or WebP image."),
            },
        }

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if not isinstance(logo, UploadedFile):
            return logo  # unchanged, or cleared
        size = logo.size or 0
        if size > LOGO_MAX_BYTES:
            raise ValidationError(
                _("The logo is %(size)s MB; it can be at most 2 MB."),
                params={"size": round(size / 1_000_000, 1)},
                code="too_large",
            )
        # forms.ImageField has already opened and verified the file with Pillow.
        image = getattr(logo, "image", None)
        extension = LOGO_FORMATS.get(getattr(image, "format", None) or "")
        if image is None or extension is None:
            raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="invalid_format")
        width, height = image.size
        if max(width, height) > LOGO_MAX_PIXELS_PER_SIDE:
            raise ValidationError(
                _("The logo can be at most %(limit)s pixels wide and high."),
                params={"limit": LOGO_MAX_PIXELS_PER_SIDE},
                code="too_many_pixels",
            )
        # The stored name says what the bytes are, whatever the uploaded name said.
        stem = slugify((logo.name or "").rsplit(".", 1)[0])[:60] or "logo"
        logo.name = f"{stem}.{extension}"
        return logo


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("We send the invitation link to this address."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.TRAINER,
        help_text=_(
            "Owners manage members; managers manage the profile and course types; "
            "trainers see the organisation."
        ),
    )
