"""The verification form: a certificate code, typed any reasonable way."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.certificates.codes import normalise

# Longer input is not a code: it is refused before any work is done on it.
MAX_CODE_INPUT = 100


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Certificate code"),
        help_text=_(
            "The code printed on the certificate, for example QGIS-7K3M-9QX2-HT4R-5W. "
            "Upper or lower case, with or without spaces and dashes."
        ),
        error_messages={"required": _("Type the code printed on the certificate.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "QGIS-XXXX-XXXX-XXXX-XX",
            }
        ),
    )

    def clean_code(self) -> str:
        typed = self.cleaned_data["code"]
        canonical = normalise(typed) if len(typed) <= MAX_CODE_INPUT else None
        if canonical is None:
            raise forms.ValidationError(
                _("This is not a valid certificate code — check for typos."), code="malformed"
            )
        return canonical
