from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from certification.core.tests.assertions import assert_unchanged

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_it_reports_every_check_healthy(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "tasks", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]


@override_settings(TASKS=DATABASE_TASKS)
def test_it_reports_the_task_backlog(client: Client) -> None:
    from certification.core.tasks import deliver_email

    deliver_email.enqueue({"subject": "s", "text": "t", "to": ["a@example.org"]})

    body = client.get("/healthz").json()

    assert body["checks"]["tasks"]["backend"] == "DatabaseBackend"
    assert body["checks"]["tasks"]["backlog"] == 1
    assert body["checks"]["tasks"]["ok"] is True


@override_settings(TASKS=DATABASE_TASKS, TASK_BACKLOG_MAX_AGE_SECONDS=60)
def test_it_is_unhealthy_when_no_worker_takes_the_tasks(client: Client) -> None:
    from certification.core.tasks import deliver_email

    deliver_email.enqueue({"subject": "s", "text": "t", "to": ["a@example.org"]})
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["checks"]["tasks"]["oldest_age_seconds"] >= 600


def test_it_is_unhealthy_when_storage_cannot_be_written(client: Client, tmp_path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("in the way")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(not_a_directory / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_it_refuses_to_change_anything(client: Client) -> None:
    with assert_unchanged():
        assert client.post("/healthz").status_code == 405


def test_liveness_answers_without_the_database(client, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]
