"""A mail backend for tests that fails a set number of times before it delivers."""

from smtplib import SMTPServerDisconnected
from typing import Any

from django.core.mail.backends.locmem import EmailBackend


class FlakyEmailBackend(EmailBackend):
    failures_left = 0
    attempts = 0

    def send_messages(self, messages: Any) -> int:
        FlakyEmailBackend.attempts += 1
        if FlakyEmailBackend.failures_left > 0:
            FlakyEmailBackend.failures_left -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


SENT_CALLBACKS: list[tuple] = []


def remember_sent(*args: Any) -> None:
    """An `on_sent` callback for tests."""
    SENT_CALLBACKS.append(args)
