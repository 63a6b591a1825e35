from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from certification.core.emails import queue_django_message


# allauth ships no type information, so its adapter is Any to the type checker.
class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth renders the message in the visitor's language; delivery goes through the
        # same retried task as every other email of the platform.
        message = self.render_mail(template_prefix, email, context)
        queue_django_message(message)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True
