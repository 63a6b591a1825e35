"""The access helper every applicant view uses to load an application."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from certification.accounts.permissions import can
from certification.applications.models import Application


def get_application_for(
    request: HttpRequest, code: str, action: str = "application.view"
) -> Application:
    """The application, if the user may see it and do `action` to it.

    Someone who may not even see the application gets a 404, so that codes cannot be probed;
    someone who may see it but not do `action` (a reviewer, or a submitted application that
    is no longer editable) gets a 403.
    """
    application = get_object_or_404(Application.objects.select_related("organisation"), code=code)
    if not can(request.user, "application.view", application):
        raise Http404
    if action != "application.view" and not can(request.user, action, application):
        raise PermissionDenied
    return application


def posted_data(request: HttpRequest) -> Any:
    """What a form is bound to: the POSTed data, or nothing on a GET."""
    return request.POST if request.method == "POST" else None
