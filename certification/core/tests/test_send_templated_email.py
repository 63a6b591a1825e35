import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.test import override_settings

from certification.core.emails import send_templated_email
from certification.core.tests.flaky_mailer import FlakyEmailBackend

pytestmark = pytest.mark.django_db

CONTEXT = {
    "name": "Alice",
    "role_label": "Treasurer",
    "needs_two_factor": True,
    "login_path": "/accounts/login/",
}
FLAKY = {"default": {"BACKEND": "certification.core.tests.flaky_mailer.FlakyEmailBackend"}}


def test_it_sends_only_after_the_transaction_commits(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_templated_email("role_granted", to=["alice@example.org"], context=CONTEXT)
        assert mail.outbox == []

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["alice@example.org"]
    assert message.from_email == "QGIS Certification <certification@qgis.org>"
    assert message.subject == "You now have the role “Treasurer”"
    assert "two-factor authentication" in message.body
    assert "http://testserver/accounts/login/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert isinstance(html, str)
    assert "<p>Hello Alice,</p>" in html


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                send_templated_email("role_granted", to=["alice@example.org"], context=CONTEXT)
                raise RuntimeError("the change failed halfway")
        except RuntimeError:
            pass

    assert mail.outbox == []


def test_it_writes_in_the_recipients_language(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(
            "role_granted", to=["alice@example.org"], context=CONTEXT, language="sv"
        )

    assert mail.outbox[0].subject.startswith("Du har nu rollen")
    assert "Hej Alice" in mail.outbox[0].body


def test_it_escapes_what_people_typed_in_the_html_part(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(
            "role_granted",
            to=["alice@example.org"],
            context={**CONTEXT, "name": "<script>alert(1)</script>"},
        )

    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@override_settings(MAILERS=FLAKY, EMAIL_TASK_MAX_ATTEMPTS=3)
def test_a_failed_delivery_is_retried(django_capture_on_commit_callbacks) -> None:
    FlakyEmailBackend.failures_left, FlakyEmailBackend.attempts = 2, 0

    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email("role_granted", to=["alice@example.org"], context=CONTEXT)

    assert FlakyEmailBackend.attempts == 3
    assert len(mail.outbox) == 1


@override_settings(MAILERS=FLAKY, EMAIL_TASK_MAX_ATTEMPTS=2)
def test_it_gives_up_after_the_last_attempt(django_capture_on_commit_callbacks) -> None:
    FlakyEmailBackend.failures_left, FlakyEmailBackend.attempts = 5, 0

    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email("role_granted", to=["alice@example.org"], context=CONTEXT)

    assert FlakyEmailBackend.attempts == 2
    assert mail.outbox == []


def test_nothing_is_sent_while_quiet(django_capture_on_commit_callbacks) -> None:
    from certification.core.emails import quiet

    with django_capture_on_commit_callbacks(execute=True), quiet():
        send_templated_email("role_granted", to=["alice@example.org"], context=CONTEXT)

    assert mail.outbox == []


@override_settings(MAILERS=FLAKY, EMAIL_TASK_MAX_ATTEMPTS=3)
def test_the_sender_is_told_once_the_message_went_out_even_after_a_retry() -> None:
    from certification.core.tasks import deliver_email
    from certification.core.tests import flaky_mailer

    flaky_mailer.SENT_CALLBACKS.clear()
    FlakyEmailBackend.failures_left, FlakyEmailBackend.attempts = 1, 0

    deliver_email.enqueue(
        {
            "subject": "Hello",
            "text": "Hello",
            "to": ["alice@example.org"],
            "on_sent": "certification.core.tests.flaky_mailer.remember_sent",
            "on_sent_args": [42],
        }
    )

    assert FlakyEmailBackend.attempts == 2
    assert flaky_mailer.SENT_CALLBACKS == [(42,)]
