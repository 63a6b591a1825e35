"""System checks of the platform's own: every configured cache stores and returns a value.

Settings alone cannot tell that the Redis client library is installed, that the server in
CACHE_URL answers, or that `createcachetable` has run: each of these makes every page an
error. The check writes, reads and deletes a key in each cache and reports the alias, the
backend and the exception. It runs with `manage.py check` (and `--deploy`), runserver, migrate
and every management command that checks; `certification/wsgi.py` runs it before the site
serves anything (in gunicorn's master, before the workers fork), and refuses to start.

A cache kept in the database is probed where databases are named (migrate,
`check --database default`) and at the WSGI start-up: Django leaves checks that query the
database out of a plain `manage.py check`.
"""

import uuid
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.cache import caches
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

CACHE_UNUSABLE = "core.E001"
DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"


def _probe(alias: str) -> None:
    """Write, read back and delete one key; raise whatever the backend raises."""
    cache = caches[alias]
    key = f"system-check:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        read = cache.get(key)
    finally:
        cache.delete(key)
    if read != value:
        raise RuntimeError(f"a value written under {key!r} read back as {read!r}")


def _hint(backend: str) -> str:
    if backend == DATABASE_CACHE:
        return "Run `manage.py createcachetable` (CACHE_URL=db://), or choose another CACHE_URL."
    if "redis" in backend.lower():
        return (
            "Check CACHE_URL (redis://host:port/db): the server must answer from this machine, "
            "and the `redis` package (requirements.txt) must be installed."
        )
    return "Check CACHE_URL and the cache's settings, and that its client library is installed."


def cache_problems(*, in_database: bool) -> list[CheckMessage]:
    """An Error for each configured cache (those kept in the database, or all the others)
    that cannot store and return a value."""
    problems: list[CheckMessage] = []
    for alias, config in settings.CACHES.items():
        backend = str(config.get("BACKEND", ""))
        if (backend == DATABASE_CACHE) != in_database:
            continue
        try:
            _probe(alias)
        except Exception as exc:
            problems.append(
                Error(
                    f"The cache {alias!r} ({backend}) does not work: {type(exc).__name__}: {exc}",
                    hint=_hint(backend),
                    obj=f"CACHES[{alias!r}]",
                    id=CACHE_UNUSABLE,
                )
            )
    return problems


@register(Tags.caches)
def check_caches_work(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    return cache_problems(in_database=False)


# Tagged "database": Django runs it only where databases are named (migrate, check --database).
@register(Tags.caches, Tags.database)
def check_database_caches_work(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    return cache_problems(in_database=True)


def require_working_caches() -> None:
    """Raise ImproperlyConfigured naming each cache that does not work: the start-up check,
    run where the site is about to serve, database caches included."""
    problems = cache_problems(in_database=False) + cache_problems(in_database=True)
    if problems:
        raise ImproperlyConfigured(
            "The site cannot start:\n" + "\n".join(str(problem) for problem in problems)
        )
