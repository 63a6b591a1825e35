"""The checks behind /healthz: database, task queue backlog and storage."""

import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.tasks import task_backends
from django.utils import timezone

Check = dict[str, Any]


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_task_queue() -> Check:
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task_backends["default"]
    backend_name = type(backend).__name__
    if not isinstance(backend, DatabaseBackend):
        # Immediate or dummy backends have no queue to fall behind.
        return {"ok": True, "backend": backend_name, "backlog": 0}

    try:
        ready = DBTaskResult.objects.ready()
        backlog = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except DatabaseError as exc:
        return {"ok": False, "backend": backend_name, "error": exc.__class__.__name__}
    oldest_age = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    return {
        "ok": oldest_age <= settings.TASK_BACKLOG_MAX_AGE_SECONDS,
        "backend": backend_name,
        "backlog": backlog,
        "oldest_age_seconds": oldest_age,
    }


def check_storage() -> Check:
    name = f"healthz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        default_storage.delete(saved)
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def run_checks() -> dict[str, Check]:
    return {
        "database": check_database(),
        "tasks": check_task_queue(),
        "storage": check_storage(),
    }
