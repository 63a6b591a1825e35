from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from certification.accounts.permissions import has_two_factor
from certification.accounts.roles import requires_two_factor

Handler = Callable[[HttpRequest], HttpResponse]

# Paths a staff member without two-factor authentication may still reach: what it takes to
# set it up, to confirm an email address, to log out, to switch language, and health checks.
TWO_FACTOR_SETUP_PATHS = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/email/",
    "/accounts/confirm-email/",
    "/accounts/reauthenticate/",
    "/i18n/",
    "/healthz",
    "/static/",
)


class PreferredLanguageMiddleware:
    """A logged-in person sees the site in the language saved on their profile."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "preferred_language", "") if user else ""
        if user is not None and user.is_authenticated and language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Certification team, PSC, treasurer and superusers set up 2FA before anything else."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            requires_two_factor(user)
            and not request.path.startswith(TWO_FACTOR_SETUP_PATHS)
            and not has_two_factor(user)
        ):
            messages.warning(
                request,
                _(
                    "Your role in the %(programme)s requires two-factor authentication. "
                    "Set it up to continue."
                )
                % {"programme": settings.PROGRAMME_NAME},
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
