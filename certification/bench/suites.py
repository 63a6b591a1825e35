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


# --- Certificate verification -------------------------------------------------------------
# The page in process (queries, requests/s), then a real server: gunicorn with the project's
# gunicorn.conf.py and 2 workers on loopback, against a throwaway SQLite database under
# var/bench/, driven by 16 client connections (threads with http.client) for a few seconds.
# The server reads VERIFY_RATE_LIMIT from the environment (settings.py), raised here.

import http.client  # noqa: E402 - this benchmark's imports, appended with it
import os  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import IO  # noqa: E402

from django.conf import settings  # noqa: E402
from django.test import override_settings  # noqa: E402

VERIFY_LOAD_SECONDS = 10
VERIFY_LOAD_CONNECTIONS = 16
VERIFY_SERVER_WORKERS = 2
# The shared cache counts lookups for throttling: the default (a database table) and, for
# comparison, an in-process cache (a stand-in for Redis: no database writes per lookup).
VERIFY_SERVER_CACHES = [("db://", VERIFY_LOAD_SECONDS), ("locmem://", VERIFY_LOAD_SECONDS // 2)]


def create_bench_certificate() -> str:
    """A certified organisation with one course and one valid certificate: its code."""
    from django.utils import timezone

    from certification.certificates.models import Certificate
    from certification.certificates.printing import printed_fields_for
    from certification.organisations.models import Organisation
    from certification.training.models import Attendee, Course, CourseType, TrainingCentre

    organisation = Organisation.objects.create(
        legal_name="Bench Geodata AB",
        slug="bench-geodata",
        country="SE",
        status=Organisation.Status.CERTIFIED,
        certified_at=timezone.now(),
    )
    course_type = CourseType.objects.create(
        organisation=organisation,
        title="QGIS for planners",
        description="Maps for planning.",
        learning_outcomes="Load data\nPrint a map",
        hours=14,
        qgis_version="3.40 LTR",
        languages=["sv"],
        status=CourseType.Status.APPROVED,
    )
    centre = TrainingCentre.objects.create(
        organisation=organisation,
        name="Bench Stockholm",
        address="Storgatan 1",
        city="Stockholm",
        country="SE",
        latitude=Decimal("59.33"),
        longitude=Decimal("18.06"),
    )
    course = Course.objects.create(
        organisation=organisation,
        course_type=course_type,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 3),
        language="sv",
        training_centre=centre,
    )
    attendee = Attendee.objects.create(
        course=course, name="Anna Svensson", email="anna@example.org"
    )
    kind = Certificate.Kind.COMPLETION
    return Certificate.objects.create(
        course=course,
        attendee=attendee,
        kind=kind,
        snapshot=printed_fields_for(course, attendee, kind, ["Bob Berg"]),
    ).code


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _drive(port: int, path: str, seconds: float, connections: int) -> tuple[list[float], int]:
    """GET `path` from `connections` threads for `seconds`: (sorted latencies in s, failures)."""
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [0] * connections

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failures[index] += 1
                connection.close()  # http.client opens a new one on the next request
                continue
            latencies[index].append(time.perf_counter() - started)
            if response.status != 200:
                failures[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(latency for per_thread in latencies for latency in per_thread), sum(failures)


def _manage(env: dict[str, str], *arguments: str) -> str:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _start_gunicorn(
    env: dict[str, str],
    port: int,
    path: str,
    log: IO[str],
    *,
    workers: int = VERIFY_SERVER_WORKERS,
    any_answer: bool = False,
) -> subprocess.Popen[bytes]:
    """gunicorn with the project's gunicorn.conf.py (read as it is at run time), once it
    answers `path` with 200, or with anything at all when `any_answer` (a 404 is an answer)."""
    server = subprocess.Popen(  # noqa: S603 - gunicorn from this virtualenv
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(settings.BASE_DIR / "gunicorn.conf.py"),
            # On the command line too, where they win over whatever the file says.
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "certification.wsgi",
        ],
        cwd=settings.BASE_DIR,
        env={
            **env,
            "SITE_URL": f"http://127.0.0.1:{port}",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
        },
        stdout=subprocess.DEVNULL,  # the access log
        stderr=log,
    )
    ready_by = time.monotonic() + 120  # a busy machine: 23 s seen to the first answer
    while server.poll() is None and time.monotonic() < ready_by:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            probe.request("GET", path)
            status = probe.getresponse().status
            probe.close()
        except OSError:
            time.sleep(0.02)  # short: the cold-start benchmark times this wait
            continue
        if status == 200 or any_answer:
            return server
        break
    _stop(server)
    raise RuntimeError(f"gunicorn did not answer GET {path} with 200: see {log.name}")


def _verify_under_load() -> Iterator[Row]:
    """One throwaway database, then gunicorn with each cache in turn."""
    (settings.BASE_DIR / "var" / "bench").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="verify-", dir=settings.BASE_DIR / "var" / "bench"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "certification.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "EMAIL_BACKEND": "console",
        "CACHE_URL": "db://",  # for createcachetable; each server run sets its own
        # The bench's one client address makes every lookup.
        "VERIFY_RATE_LIMIT": str(10**9),
        "LOG_LEVEL": "WARNING",
    }
    _manage(env, "createcachetable")  # first: migrate's system check writes to every cache
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    code = _manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from certification.bench.suites import create_bench_certificate; "
        "print(create_bench_certificate())",
    ).split()[-1]
    path = f"/verify/{code}/"
    for cache_url, seconds in VERIFY_SERVER_CACHES:
        port = _free_port()
        with (folder / "gunicorn.log").open("w") as log:
            server = _start_gunicorn({**env, "CACHE_URL": cache_url}, port, path, log)
            try:
                _drive(port, path, 1, VERIFY_LOAD_CONNECTIONS)  # every worker warm
                latencies, failures = _drive(port, path, seconds, VERIFY_LOAD_CONNECTIONS)
            finally:
                _stop(server)
        label = (
            f"gunicorn ×{VERIFY_SERVER_WORKERS}, {VERIFY_LOAD_CONNECTIONS} conns, cache {cache_url}"
        )
        milliseconds = [
            f"{latencies[int(share * (len(latencies) - 1))] * 1000:.1f}" for share in (0.5, 0.99)
        ]
        yield label, f"{len(latencies) / seconds:.0f}", "requests/s", "-"
        yield label, milliseconds[0], "ms p50", "-"
        yield label, milliseconds[1], "ms p99", "-"
        yield label, str(failures), "failed or not 200", "0"
    shutil.rmtree(folder, ignore_errors=True)  # kept when something failed, to read the log


@benchmark("certificate verification")
def certificate_verification() -> Iterator[Row]:
    code = create_bench_certificate()
    with override_settings(VERIFY_RATE_LIMIT=10**9):
        for path in [f"/verify/{code}/", f"/verify/{code}.json"]:
            per_second, queries = _time_requests(Client(), path, 200)
            shown = path.replace(code, "<code>")
            yield f"GET {shown} (in process)", f"{per_second:.0f}", "requests/s", "-"
            yield f"GET {shown} (in process)", str(queries), "queries", "≤ 3"
    yield from _verify_under_load()


# --- Certificate PDFs ---------------------------------------------------------------------
# A course of 200 attendees with names in ten scripts, rendered as the delivery task renders
# them: one HTML document per chunk of CHUNK_SIZE, one PDF/A file per certificate, in this
# one process. CPU time of the process makes the figure "per core". Beside it, the floor: a
# one-line PDF/A from the same engine and fonts. Memory is the process's high-water mark.

CERTIFICATE_BENCH_ATTENDEES = 200
CERTIFICATE_BENCH_LATIN_NAMES = ["Anna Svensson", "Zoë Ångström-Łukasiewicz", "Jean-Luc Müller"]
CERTIFICATE_BENCH_NAMES = [
    "Zoë Ångström-Łukasiewicz",
    "Αλέξανδρος Παπαδόπουλος",
    "Дмитрий Иванов",
    "محمد العلي",
    "דוד כהן",
    "अनिता शर्मा",
    "สมชาย ใจดี",
    "王小明",
    "山田太郎",
    "김민준",
]


def create_bench_course_certificates(attendees: int, names: list[str]) -> list[int]:
    """A certified organisation's course with `attendees` certificates, named in turn from
    `names`: their ids."""
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from certification.certificates.models import Certificate
    from certification.certificates.printing import printed_fields_for
    from certification.organisations.models import Organisation
    from certification.training.models import (
        Attendee,
        Course,
        CourseType,
        Trainer,
        TrainingCentre,
    )

    number = Organisation.objects.filter(slug__startswith="bench-certificates").count()
    organisation = Organisation.objects.create(
        legal_name=f"Bench Certificates {number} AB",
        slug=f"bench-certificates-{number}",
        country="SE",
        contact_email="kurser@bench.example.org",
        status=Organisation.Status.CERTIFIED,
        certified_at=timezone.now(),
    )
    course_type = CourseType.objects.create(
        organisation=organisation,
        title="QGIS for spatial planning",
        description="Maps for planning.",
        learning_outcomes="Load data\nPrint a map",
        hours=21,
        qgis_version="3.40 LTR",
        languages=["en"],
        status=CourseType.Status.APPROVED,
    )
    centre = TrainingCentre.objects.create(
        organisation=organisation,
        name="Bench Göteborg",
        address="Avenyn 1",
        city="Göteborg",
        country="SE",
        latitude=Decimal("57.70"),
        longitude=Decimal("11.97"),
    )
    course = Course.objects.create(
        organisation=organisation,
        course_type=course_type,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 4),
        language="en",
        training_centre=centre,
    )
    trainers = Trainer.objects.bulk_create(
        [Trainer(organisation=organisation, name=name) for name in ("Bob Berg", "Anna Lind")]
    )
    course.trainers.set(trainers)
    people = Attendee.objects.bulk_create(
        [
            Attendee(
                course=course,
                name=names[number % len(names)],
                email=f"attendee{number}@example.org",
            )
            for number in range(attendees)
        ]
    )
    names = [trainer.name for trainer in trainers]
    kind = Certificate.Kind.COMPLETION
    certificates = Certificate.objects.bulk_create(
        [
            Certificate(
                course=course,
                attendee=person,
                kind=kind,
                snapshot=printed_fields_for(course, person, kind, names),
            )
            for person in people
        ]
    )
    return [certificate.pk for certificate in certificates]


def _one_line_pdfs_per_second(count: int) -> float:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    from certification.certificates.rendering import PDF_VARIANT

    # Set up once, as the certificates' renderer does: a new URLFetcher per document loads
    # the system's CA certificates each time (about 45 ms).
    fonts, fetcher = FontConfiguration(), URLFetcher(allowed_protocols={"data"})
    stylesheet = CSS(
        string='@page { size: A4 landscape } html { font-family: "Noto Sans" }', font_config=fonts
    )

    def write() -> bytes:
        pdf: bytes = HTML(string="<p>QGIS</p>", url_fetcher=fetcher).write_pdf(
            stylesheets=[stylesheet], font_config=fonts, pdf_variant=PDF_VARIANT
        )
        return pdf

    write()  # fonts loaded
    started = time.process_time()
    for _ in range(count):
        write()
    return count / (time.process_time() - started)


def _render_certificates(ids: list[int]) -> tuple[float, float, list[int]]:
    """Render as the task does, without storing: (CPU seconds, wall seconds, PDF sizes)."""
    from itertools import batched

    from certification.certificates import rendering
    from certification.certificates.models import Certificate

    certificates = list(
        Certificate.objects.filter(pk__in=ids).select_related("course__organisation").order_by("pk")
    )
    sizes: list[int] = []
    wall, cpu = time.perf_counter(), time.process_time()
    for chunk in batched(certificates, rendering.CHUNK_SIZE):
        sizes += [len(pdf) for pdf in rendering.render_certificates_pdf(chunk)]
    return time.process_time() - cpu, time.perf_counter() - wall, sizes


@benchmark("certificate PDFs (one process)")
def certificate_pdfs() -> Iterator[Row]:
    import logging
    import resource

    from certification.certificates.rendering import CHUNK_SIZE

    count = CERTIFICATE_BENCH_ATTENDEES
    mixed = create_bench_course_certificates(count, CERTIFICATE_BENCH_NAMES)
    latin = create_bench_course_certificates(count, CERTIFICATE_BENCH_LATIN_NAMES)
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.WARNING)  # otherwise seven log lines a page
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        _render_certificates(mixed[:10])  # fonts loaded, stylesheet parsed
        cpu, wall, sizes = _render_certificates(mixed)
        latin_cpu, _wall, _sizes = _render_certificates(latin)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        floor = _one_line_pdfs_per_second(50)
    finally:
        progress.setLevel(level)
    label = f"{count} certificates, 10 scripts, chunks of {CHUNK_SIZE}"
    yield label, f"{count / cpu:.1f}", "certificates/s per core", "≥ 50/s per core"
    yield label, f"{count / wall:.1f}", "certificates/s, wall clock", "-"
    yield label, f"{sum(sizes) / len(sizes) / 1024:.0f}", "KB per PDF, average", "-"
    yield (
        f"{count} certificates, Latin names only",
        f"{count / latin_cpu:.1f}",
        "certificates/s per core",
        "-",
    )
    yield "one-line PDF/A, same engine (floor)", f"{floor:.1f}", "PDFs/s per core", "-"
    yield "peak memory of the process", f"{peak / 1024:.0f}", "MB (ru_maxrss)", "< 500 MB"
    yield "rise of the peak while rendering", f"{(peak - before) / 1024:.0f}", "MB", "-"
