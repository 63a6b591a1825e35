"""Benchmark `http`: the site served as in production, measured with wrk.

The data of `directory.populate` (1,000 organisations, 5,000 centres, 20,000 courses) and a
certificate, in a throwaway database (PostgreSQL when DATABASE_URL is set, else SQLite), DEBUG
off, gunicorn started with the repository's gunicorn.conf.py as it is at run time:

- cold start: from starting gunicorn with 1 worker to its first answer (a 404), median of 3;
- every public page and the map's GeoJSON under wrk (16 connections, HTTP_LOAD_SECONDS each,
  default 10, after 1 s of warm-up) on 2 workers, with the database cache and with Redis
  (HTTP_BENCH_REDIS_URL, default db 14 of the local Redis, flushed first), each cached (the
  anonymous visitor's page cache on, PUBLIC_PAGE_CACHE_SECONDS as shipped) and uncached (a
  second server with PUBLIC_PAGE_CACHE_SECONDS=0: the same anonymous page, rendered for every
  request, which also turns off the GeoJSON's cache);
- beside them, on each server, the ceiling: /healthz/live, a view that returns two bytes
  through the same middleware. Each row is a share of the ceiling of its own server;
- a mixed public load per cache (pages cached as shipped): 4 workers, 32 connections, each
  request's address drawn by a wrk Lua script from pages, filtered lists, organisations'
  pages, GeoJSON (whole and filtered) and verifications.
"""

import http.client
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from certification.bench.directory import COUNTRIES, COURSES, ORGANISATIONS, served_bench_data
from certification.bench.suites import Row, _free_port, _start_gunicorn, _stop, benchmark
from certification.bench.wrk import WRK, Load, run_wrk

HTTP_LOAD_SECONDS = int(os.environ.get("HTTP_LOAD_SECONDS", "10"))
CONNECTIONS = 16
WORKERS = 2
COLD_STARTS = 3
REDIS_URL = os.environ.get("HTTP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CEILING = "/healthz/live"
MIXED_WORKERS = 4
MIXED_CONNECTIONS = 32


def public_paths(code: str) -> list[str]:
    return [
        "/",
        "/organisations/",
        "/organisations/?country=SE",
        "/courses/",
        "/organisations/bench-training-0001/",
        "/statistics/",
        "/organisations/map.geojson",
        "/organisations/map.geojson?country=SE",
        f"/verify/{code}/",
    ]


def mixed_paths(code: str) -> list[str]:
    """The addresses of the mixed load, repeated as often as visitors ask for them."""
    countries = COUNTRIES[:6]
    return [
        *["/", "/organisations/", "/courses/", "/statistics/"] * 5,
        *[f"/organisations/?country={country}" for country in countries],
        *[f"/courses/?country={country}" for country in countries],
        *[f"/organisations/bench-training-{number:04d}/" for number in range(0, ORGANISATIONS, 50)],
        *["/organisations/map.geojson"] * 5,
        *[f"/organisations/map.geojson?country={country}" for country in countries],
        *[f"/verify/{code}/"] * 10,
    ]


def _mixed_script(folder: Path, paths: list[str]) -> Path:
    script = folder / "mixed.lua"
    quoted = ", ".join(f'"{path}"' for path in paths)
    script.write_text(
        f"local paths = {{{quoted}}}\n"
        "request = function()\n"
        "  return wrk.format(nil, paths[math.random(#paths)])\n"
        "end\n"
    )
    return script


def _mixed_load(env: dict[str, str], code: str, cache: str) -> Iterator[Row]:
    port = _free_port()
    log_path = Path(env["VAR_DIR"]) / f"gunicorn-{cache.replace(' ', '-')}-mixed.log"
    script = _mixed_script(Path(env["VAR_DIR"]), mixed_paths(code))
    with log_path.open("w") as log:
        server = _start_gunicorn(env, port, CEILING, log, workers=MIXED_WORKERS)
        try:
            ceiling = _measure(port, CEILING, HTTP_LOAD_SECONDS, MIXED_CONNECTIONS)
            booted = _workers_booted(log_path)
            load = _measure(port, "/", HTTP_LOAD_SECONDS, MIXED_CONNECTIONS, script=script)
            restarts = _workers_booted(log_path) - booted
        finally:
            _stop(server)
    yield _load_row(
        f"mixed public load, {cache}, cached, gunicorn ×{MIXED_WORKERS}, {MIXED_CONNECTIONS} conns",
        load,
        ceiling.requests_per_second,
        restarts,
        "p99 ≤ 100 ms, slowest ≤ 1 s, 0 errors",
    )


def _cold_starts(env: dict[str, str]) -> Iterator[Row]:
    seconds = []
    for number in range(COLD_STARTS):
        port = _free_port()
        with (Path(env["VAR_DIR"]) / f"gunicorn-cold-{number}.log").open("w") as log:
            started = time.monotonic()
            server = _start_gunicorn(
                env, port, "/bench/cold-start/", log, workers=1, any_answer=True
            )
            seconds.append(time.monotonic() - started)
            _stop(server)
    each = ", ".join(f"{value:.2f}" for value in seconds)
    yield (
        "cold start: gunicorn ×1 started to its first answer (a 404)",
        f"{statistics.median(seconds):.2f}",
        f"s, median of {COLD_STARTS} ({each})",
        "≤ 1 s",
    )


def _redis_ready(url: str) -> str:
    """'' when the Redis at `url` answers (and is emptied for the bench), else why not."""
    try:
        import redis
    except ImportError:
        return "the redis library is not installed"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as error:
        return f"{url} does not answer ({error})"
    return ""


def _load_row(label: str, load: Load, ceiling: float, restarts: int, goal: str) -> Row:
    # A worker restarted by gunicorn (max_requests) pays its first request again: the reason
    # for most stalls, so it is counted beside each row (from gunicorn's log).
    restarted = f"; {restarts} worker restarts" if restarts else ""
    if not load.requests:
        return label, "0", f"req/s: no request completed within the run{restarted}", goal
    share = f"{load.requests_per_second / ceiling * 100:.0f} %" if ceiling else "-"
    return (
        label,
        f"{load.requests_per_second:.0f}",
        f"req/s; p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, "
        f"slowest {load.slowest_ms:.0f} ms; {share} of the ceiling; {load.errors} errors"
        f"{restarted}",
        goal,
    )


def _settled(port: int) -> None:
    """Wait until the requests that wrk left queued are served (a sync worker finishes a
    request whose client has gone), so that they do not slow the next row down."""
    for _ in range(WORKERS + 1):
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        probe.request("GET", CEILING)
        probe.getresponse().read()
        probe.close()


def _measure(
    port: int, path: str, seconds: int, connections: int, *, script: Path | None = None
) -> Load:
    """Warm up (every worker's first request, the caches filled), then load for `seconds`."""
    run_wrk(port, path, 1, connections, script=script)
    _settled(port)
    load = run_wrk(port, path, seconds, connections, script=script)
    _settled(port)
    return load


def _workers_booted(log: Path) -> int:
    return log.read_text(errors="replace").count("Booting worker")


def _one_server(env: dict[str, str], code: str, cache: str, cached: bool) -> Iterator[Row]:
    port = _free_port()
    mode = "cached" if cached else "uncached"
    log_path = Path(env["VAR_DIR"]) / f"gunicorn-{cache.replace(' ', '-')}-{mode}.log"
    with log_path.open("w") as log:
        server = _start_gunicorn(env, port, CEILING, log, workers=WORKERS)
        try:
            booted = _workers_booted(log_path)
            ceiling = _measure(port, CEILING, HTTP_LOAD_SECONDS, CONNECTIONS)
            restarts = _workers_booted(log_path) - booted
            yield _load_row(f"{CEILING} (the ceiling), {cache}, {mode}", ceiling, 0, restarts, "-")
            for path in public_paths(code):
                booted = _workers_booted(log_path)
                load = _measure(port, path, HTTP_LOAD_SECONDS, CONNECTIONS)
                restarts = _workers_booted(log_path) - booted
                if not cached:
                    goal = "-"
                elif path.startswith(("/organisations/map.geojson", "/verify/")):
                    goal = "≥ 50 %, p99 ≤ 50 ms" if "geojson" in path else "≥ 50 %"
                else:
                    goal = "≥ 80 %" if cache == "Redis" else "≥ 60 %"
                shown = path.replace(code, "<code>")
                yield _load_row(
                    f"GET {shown}, {cache}, {mode}",
                    load,
                    ceiling.requests_per_second,
                    restarts,
                    goal,
                )
        finally:
            _stop(server)


@benchmark("http")
def http_table() -> Iterator[Row]:
    with served_bench_data("http-") as (env, code):
        yield from _cold_starts(env)
        if WRK is None:
            yield "pages under load", "skipped", "needs wrk: apt-get install wrk", "-"
            return
        yield (
            f"under load: gunicorn ×{WORKERS}, wrk {CONNECTIONS} conns",
            str(HTTP_LOAD_SECONDS),
            f"s per row (HTTP_LOAD_SECONDS), {COURSES:,} courses",
            "-",
        )
        for cache, cache_url in [("database cache", "db://"), ("Redis", REDIS_URL)]:
            if cache == "Redis" and (why := _redis_ready(REDIS_URL)):
                yield "pages under load, Redis", "skipped", why, "-"
                continue
            shipped = {**env, "CACHE_URL": cache_url}
            del shipped["PUBLIC_PAGE_CACHE_SECONDS"]  # the page cache as shipped
            yield from _one_server(shipped, code, cache, cached=True)
            uncached = {**shipped, "PUBLIC_PAGE_CACHE_SECONDS": "0"}
            yield from _one_server(uncached, code, cache, cached=False)
            yield from _mixed_load(shipped, code, cache)
