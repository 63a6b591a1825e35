"""Notification emails: one plain message layout, written per recipient in their language.

A notification is built by a function called inside the recipient's language, so that every
`gettext` in it speaks that language. Each recipient gets their own message.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation

from certification.core.emails import send_templated_email


@dataclass
class Notice:
    subject: str
    paragraphs: list[str] = field(default_factory=list)
    action_label: str = ""
    action_path: str = ""
    quote: str = ""


def notify(
    recipients: Iterable[Any],
    build: Callable[[], Notice],
    *,
    reply_to: Iterable[str] = (),
) -> int:
    """Email each recipient (a user, or anything with `email`, `language` and a name)."""
    sent = 0
    seen: set[str] = set()
    for person in recipients:
        email = person.email.lower()
        if not email or email in seen or not getattr(person, "is_active", True):
            continue
        seen.add(email)
        language = getattr(person, "language", settings.LANGUAGE_CODE)
        with translation.override(language):
            notice = build()
        send_templated_email(
            "notification",
            to=[person.email],
            language=language,
            reply_to=list(reply_to),
            context={
                "name": person.get_short_name() if hasattr(person, "get_short_name") else "",
                "notice": notice,
                "action_url": f"{settings.SITE_URL}{notice.action_path}"
                if notice.action_path
                else "",
            },
        )
        sent += 1
    return sent


@dataclass
class Addressee:
    """Someone without an account, such as an invited outside reviewer."""

    email: str
    name: str = ""
    language: str = settings.LANGUAGE_CODE

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else ""
