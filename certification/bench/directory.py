"""Benchmark: the public catalogue with 5,000 training centres and 20,000 courses.

In process: the map's GeoJSON (queries, size raw and gzipped) and the queries of /,
/organisations/, /courses/ and /verify/<code>/. Then a real server — gunicorn with the
project's gunicorn.conf.py and 2 workers on loopback, against its own database (PostgreSQL
when DATABASE_URL is, else SQLite) — under 16 client connections for DIRECTORY_LOAD_SECONDS
(30) per page, beside /healthz/live, a trivial view served the same way, as the ceiling.
"""

import gzip
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from certification.bench.suites import (
    VERIFY_LOAD_CONNECTIONS,
    VERIFY_SERVER_WORKERS,
    Row,
    _drive,
    _free_port,
    _manage,
    _start_gunicorn,
    _stop,
    benchmark,
    create_bench_certificate,
)

CENTRES = 5_000
COURSES = 20_000
ORGANISATIONS = 1_000
LOAD_SECONDS = int(os.environ.get("DIRECTORY_LOAD_SECONDS", "30"))
COUNTRIES = ["SE", "DE", "FR", "ES", "IT", "NL", "PL", "BR", "KE", "JP", "US", "CA", "NZ", "FJ"]
PAGES = ["/", "/organisations/", "/courses/"]
# As in production (the default): anonymous visitors get whole pages from the cache.
PAGE_CACHE_SECONDS = 60


def populate(
    organisations: int = ORGANISATIONS, centres: int = CENTRES, courses: int = COURSES
) -> None:
    """Certified organisations with their centres and upcoming public courses, in bulk; then
    the database's statistics, as a live database keeps them (autovacuum)."""
    from certification.organisations.models import Organisation
    from certification.training.models import Course, CourseType, TrainingCentre

    made = Organisation.objects.bulk_create(
        Organisation(
            legal_name=f"Bench Training {number:04d}",
            slug=f"bench-training-{number:04d}",
            country=COUNTRIES[number % len(COUNTRIES)],
            status=Organisation.Status.CERTIFIED,
        )
        for number in range(organisations)
    )
    types = CourseType.objects.bulk_create(
        CourseType(
            organisation=organisation,
            title=f"QGIS course {number}",
            description="Maps.",
            learning_outcomes="Load data\nPrint a map",
            hours=14,
            qgis_version="3.40 LTR",
            languages=["en"],
            status=CourseType.Status.APPROVED,
        )
        for number, organisation in enumerate(made)
    )
    places = TrainingCentre.objects.bulk_create(
        TrainingCentre(
            organisation=made[number % organisations],
            name=f"Centre {number}",
            address="Main Street 1",
            city=f"City {number % 700}",
            country=made[number % organisations].country,
            latitude=Decimal(f"{-60 + (number * 7919) % 130}.{number % 997:03d}"),
            longitude=Decimal(f"{-179 + (number * 104729) % 358}.{number % 991:03d}"),
        )
        for number in range(centres)
    )
    today = date.today()
    Course.objects.bulk_create(
        (
            Course(
                organisation=made[number % organisations],
                course_type=types[number % organisations],
                starts_on=today + timedelta(days=1 + number % 300),
                ends_on=today + timedelta(days=2 + number % 300),
                language="en",
                training_centre=places[number % centres],
                online=False,
            )
            for number in range(courses)
        ),
        batch_size=2_000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _queries(client: Client, path: str) -> tuple[int, bytes]:
    client.get(path)  # templates and caches warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured), response.content


@benchmark("public catalogue")
def public_catalogue() -> Iterator[Row]:
    from certification.certificates.models import Certificate

    populate()
    # The verification benchmark may have made one already in this database.
    code = Certificate.objects.values_list("code", flat=True).first() or create_bench_certificate()
    client = Client()
    queries, body = _queries(client, "/organisations/map.geojson")
    label = f"GeoJSON, {CENTRES:,} centres"
    yield label, str(queries), "queries", "≤ 3"
    yield label, f"{len(body) / 1024:.0f}", "KB", "-"
    yield label, f"{len(gzip.compress(body)) / 1024:.0f}", "KB gzipped", "≤ 400 KB"
    for path in [*PAGES, f"/verify/{code}/"]:
        count, _body = _queries(client, path)
        shown = path.replace(code, "<code>")
        yield f"GET {shown}, {COURSES:,} courses", str(count), "queries", "constant"
    yield from _under_load()


def _database(folder: Path) -> tuple[str, str | None]:
    """The load server's database: a fresh PostgreSQL one beside the bench's, or SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        name = f"certification_load_{secrets.token_hex(4)}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        return url.rsplit("/", 1)[0] + f"/{name}", name
    return f"sqlite:///{folder / 'db.sqlite3'}", None


@contextmanager
def served_bench_data(prefix: str) -> Iterator[tuple[dict[str, str], str]]:
    """A throwaway folder and database (see `_database`) holding the bench data of
    `populate` and one valid certificate, migrated, with the database cache's tables and the
    static files collected: the environment of a production-like server (DEBUG off, the
    database cache, pages cached for PAGE_CACHE_SECONDS, no verification limit) and the
    certificate's code. The database is dropped afterwards; the folder is kept when something
    failed, to read the server's log."""
    (settings.BASE_DIR / "var" / "bench").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=settings.BASE_DIR / "var" / "bench"))
    database_url, database = _database(folder)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "certification.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "VAR_DIR": str(folder),
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "console",
        "CACHE_URL": "db://",
        "PUBLIC_PAGE_CACHE_SECONDS": str(PAGE_CACHE_SECONDS),
        # The bench's one client address makes every lookup.
        "VERIFY_RATE_LIMIT": str(10**9),
        "LOG_LEVEL": "WARNING",
    }
    try:
        _manage(env, "createcachetable")  # first: a system check may write to every cache
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(env, "collectstatic", "--no-input", "-v", "0")
        code = _manage(
            env,
            "shell",
            "-v",
            "0",
            "-c",
            "from certification.bench.directory import populate; "
            "from certification.bench.suites import create_bench_certificate; "
            "populate(); print(create_bench_certificate())",
        ).split()[-1]
        yield env, code
    finally:
        if database:
            connection.close()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    shutil.rmtree(folder, ignore_errors=True)


def _under_load() -> Iterator[Row]:
    with served_bench_data("directory-") as (env, code):
        yield (
            "pages for anonymous visitors",
            str(PAGE_CACHE_SECONDS),
            "s in the page cache (PUBLIC_PAGE_CACHE_SECONDS)",
            "-",
        )
        env = {**env, "CACHE_URL": "locmem://"}
        port = _free_port()
        ceiling = 0.0
        with (Path(env["VAR_DIR"]) / "gunicorn.log").open("w") as log:
            server = _start_gunicorn(env, port, "/healthz/live", log)
            try:
                for path in ["/healthz/live", *PAGES, f"/verify/{code}/"]:
                    _drive(port, path, 1, VERIFY_LOAD_CONNECTIONS)  # every worker warm
                    latencies, failures = _drive(port, path, LOAD_SECONDS, VERIFY_LOAD_CONNECTIONS)
                    per_second = len(latencies) / LOAD_SECONDS
                    p50, p99 = (
                        latencies[int(share * (len(latencies) - 1))] * 1000 for share in (0.5, 0.99)
                    )
                    shown = path.replace(code, "<code>")
                    label = (
                        f"GET {shown}, gunicorn ×{VERIFY_SERVER_WORKERS}, "
                        f"{VERIFY_LOAD_CONNECTIONS} conns, {LOAD_SECONDS} s"
                    )
                    if path == "/healthz/live":
                        ceiling = per_second
                        yield label + " (ceiling)", f"{per_second:.0f}", "requests/s", "-"
                    else:
                        share = per_second / ceiling * 100 if ceiling else 0
                        yield label, f"{per_second:.0f}", "requests/s", "-"
                        yield label, f"{share:.0f}", "% of the ceiling", "≥ 50 %"
                    yield label, f"{p50:.1f}", "ms p50", "-"
                    yield label, f"{p99:.1f}", "ms p99", "< 100 ms"
                    yield label, str(failures), "failed or not 200", "0"
            finally:
                _stop(server)
