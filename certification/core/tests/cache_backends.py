"""The shared caches of production, for tests that must hold on each of them.

The test settings use the local-memory cache. The page cache and the rate limits run in
production on the database cache (CACHE_URL=db://, the default) or on Redis
(CACHE_URL=redis://…): the `shared_cache` fixture runs a test once on each, with the
settings `CACHE_URL` gives (`certification.env.cache_settings`).

Redis is the server at TEST_REDIS_URL (redis://127.0.0.1:6379/13 by default: a database of
the tests' own). Each test run writes under a key prefix of its own and clears only its own
keys, never the whole database, so that two runs at once (or anything else on that server)
keep theirs. When Redis does not answer, the Redis variants are skipped, loudly, except in
CI (CI set), where they fail.

`collect_again(module)` gives a test module's tests and fixtures, to run them again in another
module (on these caches). There, `django_assert_num_queries` and
`django_assert_max_num_queries` count the queries a test means (those on the data): the
database cache's own queries on its tables are not counted.
"""

import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from types import ModuleType
from typing import Any

import pytest
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext, override_settings

from certification.env import cache_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# Unique to this test run (and process): every key this run writes starts with it.
RUN_PREFIX = f"tests-{uuid.uuid4().hex[:12]}"
DATABASE_CACHE_TABLES = tuple(
    str(config["LOCATION"]) for config in cache_settings("db://").values()
)


class ScopedRedisCache(RedisCache):
    """Redis whose clear() deletes this cache's keys (its KEY_PREFIX) instead of running
    FLUSHDB on the whole database."""

    def clear(self) -> None:
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)


def redis_caches() -> dict[str, dict[str, Any]]:
    caches = cache_settings(REDIS_URL)
    for alias, config in caches.items():
        config["BACKEND"] = f"{ScopedRedisCache.__module__}.{ScopedRedisCache.__qualname__}"
        config["KEY_PREFIX"] = f"{RUN_PREFIX}:{alias}"
    return caches


@lru_cache(maxsize=1)
def redis_unreachable() -> str:
    """Why Redis cannot be used, or "" when it answers."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def require_redis() -> None:
    problem = redis_unreachable()
    if not problem:
        return
    message = (
        f"Redis does not answer at {REDIS_URL} ({problem}): the tests on Redis cannot run. "
        "Start it (redis-server --port 6379) or set TEST_REDIS_URL."
    )
    if os.environ.get("CI"):
        pytest.fail(message + " CI must run them.")
    pytest.skip(message)


@pytest.fixture(scope="session")
def _database_cache_tables(  # outside any test's transaction, which would roll them back
    django_db_setup: None, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock(), override_settings(CACHES=cache_settings("db://")):
        call_command("createcachetable", verbosity=0)


@pytest.fixture(params=["database", "redis"])
def shared_cache(
    request: pytest.FixtureRequest, settings: Any, _database_cache_tables: None
) -> Iterator[str]:
    """The test runs on the database cache, then on Redis: both caches (default and pages)."""
    from django.core.cache import caches

    if request.param == "redis":
        require_redis()
        settings.CACHES = redis_caches()
    else:
        settings.CACHES = cache_settings("db://")
    for alias in settings.CACHES:
        caches[alias].clear()
    yield request.param
    for alias in settings.CACHES:
        caches[alias].clear()


class DataQueries(CaptureQueriesContext):
    """The queries run inside the block, less those of the database cache: the statements on
    its tables, and the savepoints (cache.set() is atomic) that hold nothing else."""

    CACHE_TABLES = re.compile(rf"\b({'|'.join(map(re.escape, DATABASE_CACHE_TABLES))})\b")

    @property
    def captured_queries(self) -> list[dict[str, str]]:
        kept: list[dict[str, str]] = []
        for query in super().captured_queries:
            sql = query["sql"]
            if self.CACHE_TABLES.search(sql):
                continue
            if kept and sql.startswith("RELEASE SAVEPOINT ") and kept[-1]["sql"] == sql[8:]:
                kept.pop()  # an empty savepoint: only the cache's statements were inside
                continue
            kept.append(query)
        return kept


@contextmanager
def _assert_data_queries(
    num: int, exact: bool = True, connection: Any = None, info: str | None = None
) -> Iterator[DataQueries]:
    context = DataQueries(connection or connections[DEFAULT_DB_ALIAS])
    with context:
        yield context
    count = len(context.captured_queries)
    if count == num or (not exact and count < num):
        return
    queries = "\n".join(f"  {query['sql']}" for query in context.captured_queries)
    pytest.fail(
        f"Expected {'' if exact else 'at most '}{num} queries on the data, not counting the "
        f"database cache's own, but {count} were done"
        + (f"\n{info}" if info else "")
        + f":\n{queries}"
    )


@pytest.fixture
def django_assert_num_queries() -> Callable[..., Any]:
    return partial(_assert_data_queries, exact=True)


@pytest.fixture
def django_assert_max_num_queries() -> Callable[..., Any]:
    return partial(_assert_data_queries, exact=False)


def _is_fixture(value: object) -> bool:
    return hasattr(value, "_fixture_function_marker")


def collect_again(module: ModuleType) -> dict[str, Any]:
    """The tests and fixtures of `module`, to be collected again by the module that adds
    them to its globals, together with the query counters and `shared_cache` above."""
    found = {
        name: value
        for name, value in vars(module).items()
        if (name.startswith("test_") and callable(value)) or _is_fixture(value)
    }
    return {
        **found,
        "_database_cache_tables": _database_cache_tables,
        "shared_cache": shared_cache,
        "django_assert_num_queries": django_assert_num_queries,
        "django_assert_max_num_queries": django_assert_max_num_queries,
    }
