"""The benchmarks. Each yields (measure, value, unit, goal) rows."""

import time
from collections.abc import Callable, Iterator

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

Row = tuple[str, str, str, str]
BENCHMARKS: list[tuple[str, Callable[[], Iterator[Row]]]] = []


def benchmark(name: str) -> Callable[[Callable[[], Iterator[Row]]], Callable[[], Iterator[Row]]]:
    def register(function: Callable[[], Iterator[Row]]) -> Callable[[], Iterator[Row]]:
        BENCHMARKS.append((name, function))
        return function

    return register


def _time_requests(client: Client, path: str, count: int) -> tuple[float, int]:
    client.get(path)  # warm up templates and caches
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    query_count = len(queries)  # read now: the next request resets the query log
    started = time.perf_counter()
    for _ in range(count):
        response = client.get(path)
        assert response.status_code in (200, 503), (path, response.status_code)
    elapsed = time.perf_counter() - started
    return count / elapsed, query_count


@benchmark("pages (in process)")
def pages() -> Iterator[Row]:
    client = Client()
    for path in ["/", "/accounts/login/", "/healthz"]:
        per_second, queries = _time_requests(client, path, 200)
        yield f"GET {path}", f"{per_second:.0f}", "requests/s", "-"
        yield f"GET {path}", str(queries), "queries", "constant"
