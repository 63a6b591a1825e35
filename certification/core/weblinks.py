"""The one rule for links people type in: absolute http(s) addresses, nothing else.

A link that passes is safe to put in an `href` or to redirect to; anything else (a
`javascript:` URL, `ftp://`, a relative path) is refused by the form and shown as text where
stored data predates the rule.
"""

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

WEB_SCHEMES = ("http", "https")
WEB_LINK_MESSAGE = _("Give a link that starts with http:// or https://.")

validate_web_link = URLValidator(schemes=list(WEB_SCHEMES), message=WEB_LINK_MESSAGE)


def is_web_link(url: str) -> bool:
    """True for an absolute http(s) address that browsers open as a web page."""
    try:
        validate_web_link(url)
        parts = urlsplit(url)
    except (ValidationError, ValueError):
        return False
    return parts.scheme in WEB_SCHEMES and bool(parts.netloc)


class WebLinkField(forms.URLField):
    """A form field for a link that becomes an `href`: http or https, nothing else."""

    default_validators = [validate_web_link]
    default_error_messages = {"invalid": WEB_LINK_MESSAGE}
