"""The request type of views that only signed-in people reach.

Django types `request.user` as a user or an anonymous user; behind `@login_required` it is
always a `User`. Annotating such a view's request as `AuthenticatedHttpRequest` says so to the
type checker, as django-stubs recommends, so the view can hand the user to a service.
"""

from django.http import HttpRequest

from certification.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
