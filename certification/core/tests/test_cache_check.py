"""A configured cache that does not work stops the start-up with a message naming it."""

import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.checks import Error, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from certification.core.checks import CACHE_UNUSABLE, check_caches_work, require_working_caches
from certification.core.tests.cache_backends import (
    REDIS_URL,
    RUN_PREFIX,
    _database_cache_tables,  # noqa: F401 - a fixture, used by name
    redis_caches,
    require_redis,
    shared_cache,  # noqa: F401 - a fixture, used by name
)
from certification.env import cache_settings

# Django's own system checks ask the database what it supports.
pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def cache_errors(*, databases: list[str] | None = None) -> list[Error]:
    return [
        message
        for message in run_checks(databases=databases)
        if message.id == CACHE_UNUSABLE and isinstance(message, Error)
    ]


def test_it_passes_with_the_local_memory_cache(settings: Any) -> None:
    settings.CACHES = cache_settings("locmem://")

    assert cache_errors() == []
    require_working_caches()


@pytest.mark.usefixtures("_database_cache_tables")
def test_it_passes_with_the_database_cache(settings: Any) -> None:
    settings.CACHES = cache_settings("db://")

    assert cache_errors(databases=["default"]) == []
    require_working_caches()


def test_it_passes_with_redis(settings: Any) -> None:
    require_redis()
    settings.CACHES = redis_caches()

    assert cache_errors() == []


def test_it_names_each_cache_that_redis_does_not_answer_for(settings: Any) -> None:
    settings.CACHES = cache_settings(UNREACHABLE_REDIS)

    errors = cache_errors()

    assert [error.obj for error in errors] == ["CACHES['default']", "CACHES['pages']"]
    message = errors[0].msg
    assert "'default'" in message
    assert "django.core.cache.backends.redis.RedisCache" in message
    assert "ConnectionError" in message
    assert "127.0.0.1:1" in message
    assert "CACHE_URL" in (errors[0].hint or "")


def test_it_refuses_a_backend_that_does_not_exist(settings: Any) -> None:
    settings.CACHES = {
        **cache_settings("locmem://"),
        "pages": {"BACKEND": "certification.no_such_module.Cache"},
    }

    # (Django's own cache checks stop `manage.py check` on it first, with a traceback.)
    [error] = check_caches_work(None)

    assert "'pages' (certification.no_such_module.Cache) does not work" in error.msg
    assert "InvalidCacheBackendError" in error.msg
    with pytest.raises(ImproperlyConfigured, match=r"CACHES\['pages'\]"):
        require_working_caches()


def test_it_says_when_the_redis_library_is_missing(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # as if it were not installed
    settings.CACHES = cache_settings("redis://127.0.0.1:6379/0")

    errors = cache_errors()

    assert len(errors) == 2
    assert "ModuleNotFoundError" in errors[0].msg or "ImportError" in errors[0].msg
    assert "`redis` package" in (errors[0].hint or "")


def test_a_database_cache_without_its_table_is_refused_where_databases_are_checked(
    settings: Any,
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_such_cache_table",
        }
    }

    assert cache_errors() == []  # a plain `manage.py check` does not query the database
    [error] = cache_errors(databases=["default"])
    assert "no_such_cache_table" in error.msg
    assert "createcachetable" in (error.hint or "")


def test_manage_py_check_fails(settings: Any) -> None:
    settings.CACHES = cache_settings(UNREACHABLE_REDIS)

    with pytest.raises(SystemCheckError, match=r"core\.E001.*'default'"):
        call_command("check")
    with pytest.raises(SystemCheckError, match=r"core\.E001"):
        call_command("check", "--deploy")


def test_the_start_up_check_raises_naming_the_caches(settings: Any) -> None:
    settings.CACHES = cache_settings(UNREACHABLE_REDIS)

    with pytest.raises(ImproperlyConfigured) as raised:
        require_working_caches()

    assert "The site cannot start" in str(raised.value)
    assert "CACHES['default']" in str(raised.value)
    assert "CACHES['pages']" in str(raised.value)


def _start_wsgi(cache_url: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "certification.settings_test",
        "CACHE_URL": cache_url,
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, gc, certification.wsgi; from django.db import connections; "
            "print('views loaded:', 'certification.certificates.views' in sys.modules); "
            "print('connections open:', any(c.connection for c in connections.all())); "
            "print('frozen:', gc.get_freeze_count() > 0)",
        ],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_wsgi_application_refuses_to_start_without_a_working_cache() -> None:
    started = _start_wsgi(UNREACHABLE_REDIS)

    assert started.returncode != 0
    assert "The site cannot start" in started.stderr
    assert "CACHES['default']" in started.stderr
    assert "Connection refused" in started.stderr


def test_the_wsgi_application_starts_warm_with_no_database_connection_open() -> None:
    started = _start_wsgi("locmem://")

    assert started.returncode == 0, started.stderr
    assert "views loaded: True" in started.stdout
    assert "connections open: False" in started.stdout
    assert "frozen: True" in started.stdout


@pytest.mark.usefixtures("shared_cache")
def test_the_shared_cache_runs_on_the_backend_it_names(request: pytest.FixtureRequest) -> None:
    from django.core.cache import cache, caches

    named = request.node.callspec.params["shared_cache"]

    backends = {type(caches[alias]).__name__ for alias in ("default", "pages")}
    cache.set("named", "value")

    if named == "redis":
        import redis

        assert backends == {"ScopedRedisCache"}
        server = redis.Redis.from_url(REDIS_URL)
        assert server.exists(f"{RUN_PREFIX}:default:1:named")
    else:
        assert backends == {"DatabaseCache"}
    assert cache.get("named") == "value"


def test_clearing_the_redis_cache_keeps_keys_of_others(settings: Any) -> None:
    require_redis()
    import redis
    from django.core.cache import caches

    settings.CACHES = redis_caches()
    server = redis.Redis.from_url(REDIS_URL)
    someone_elses = f"not-{RUN_PREFIX}:kept"
    server.set(someone_elses, "1", ex=60)
    caches["default"].set("mine", 1)
    try:
        caches["default"].clear()

        assert caches["default"].get("mine") is None
        assert server.get(someone_elses) == b"1"
    finally:
        server.delete(someone_elses)
