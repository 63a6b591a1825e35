"""Benchmark: the home page's map in headless Chromium, with 2,000 training centres.

The site runs as in production: gunicorn with the project's gunicorn.conf.py (2 workers, 4
threads each), DEBUG off, static files collected and served compressed by WhiteNoise,
against a throwaway SQLite database under var/bench/. Each page load gets a fresh browser context (an empty cache,
as a first visit). The time is the page's own clock from navigation to the performance
mark map.js sets once the markers and clusters standing for every centre are on screen;
the country outlines have their own mark.
"""

import os
import secrets
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from certification.bench.suites import (
    Row,
    _free_port,
    _manage,
    _start_gunicorn,
    _stop,
    benchmark,
)

CENTRES = 2000
PAGE_LOADS = 5
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Centres around these cities, a few kilometres apart: clusters as on the real map.
CITIES = [
    ("SE", "Stockholm", 59.33, 18.07),
    ("SE", "Göteborg", 57.71, 11.97),
    ("DE", "Berlin", 52.52, 13.40),
    ("IT", "Roma", 41.90, 12.50),
    ("ES", "Madrid", 40.42, -3.70),
    ("GB", "London", 51.51, -0.13),
    ("US", "Denver", 39.74, -104.99),
    ("BR", "São Paulo", -23.55, -46.63),
    ("KE", "Nairobi", -1.29, 36.82),
    ("IN", "Pune", 18.52, 73.86),
    ("JP", "Tokyo", 35.68, 139.69),
    ("AU", "Brisbane", -27.47, 153.03),
    ("NZ", "Wellington", -41.29, 174.78),
    ("FJ", "Suva", -18.14, 178.44),
]


def create_map_centres(count: int) -> None:
    """`count` training centres of certified organisations, ten per organisation."""
    import random
    from decimal import Decimal

    from django.utils import timezone

    from certification.organisations.models import Organisation
    from certification.training.models import TrainingCentre

    place = random.Random(2026)  # noqa: S311 - coordinates, not secrets
    organisations = Organisation.objects.bulk_create(
        Organisation(
            legal_name=f"Map Bench {number} Ltd",
            slug=f"map-bench-{number}",
            country=CITIES[number % len(CITIES)][0],
            status=Organisation.Status.CERTIFIED,
            certified_at=timezone.now(),
        )
        for number in range(count // 10)
    )
    centres = []
    for number in range(count):
        country, city, latitude, longitude = CITIES[(number // 10) % len(CITIES)]
        centres.append(
            TrainingCentre(
                organisation=organisations[number // 10],
                name=f"Centre {number}",
                address=f"Street {number}",
                city=city,
                country=country,
                latitude=Decimal(f"{latitude + place.uniform(-0.4, 0.4):.6f}"),
                longitude=Decimal(f"{longitude + place.uniform(-0.6, 0.6):.6f}"),
            )
        )
    TrainingCentre.objects.bulk_create(centres)


def _server_environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "certification.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "EMAIL_BACKEND": "console",
        "CACHE_URL": "locmem://",
        "MAP_TILE_URL": "",
        "LOG_LEVEL": "WARNING",
        # Chromium opens connections ahead of need. Behind a proxy, as in production, they
        # cost nothing; straight to gunicorn's sync workers, each idle one blocks a worker
        # for seconds. Threaded workers stand in for the proxy.
        "GUNICORN_THREADS": "4",
    }


MEASURES = """() => {
    const mark = (name) => performance.getEntriesByName(name)[0].startTime;
    const resource = (part) => performance.getEntriesByType("resource")
        .find((entry) => entry.name.includes(part));
    return {
        markers: mark("map-markers-shown"),
        outlines: mark("map-outlines-shown"),
        icons: document.querySelectorAll(".map-marker, .map-cluster").length,
        geojson: resource("map.geojson").responseEnd,
        geojsonBytes: resource("map.geojson").encodedBodySize,
        countries: resource("countries-").responseEnd,
        countriesBytes: resource("countries-").encodedBodySize,
    };
}"""


def _page_loads(url: str, loads: int) -> list[dict[str, float]]:
    """Open `url` once to warm the server up, then `loads` times, each in a new context (an
    empty cache): the marks and counts of each."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(loads + 1):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(url)
                page.wait_for_function(
                    "count => document.querySelector('.map')?.dataset.mapMarkers === count",
                    arg=str(CENTRES),
                    timeout=60_000,
                )
                page.wait_for_function(
                    "() => performance.getEntriesByName('map-outlines-shown').length",
                    timeout=60_000,
                )
                results.append(page.evaluate(MEASURES))
                context.close()
        finally:
            browser.close()
    return results[1:]


@benchmark("map in Chromium")
def map_in_chromium() -> Iterator[Row]:
    if not Path(CHROMIUM).exists():
        yield "open / with 2,000 markers", "skipped", f"needs Chromium at {CHROMIUM}", "≤ 1500 ms"
        return
    (settings.BASE_DIR / "var" / "bench").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="map-", dir=settings.BASE_DIR / "var" / "bench"))
    env = _server_environment(folder)
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    _manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from certification.bench.map_browser import create_map_centres; "
        f"create_map_centres({CENTRES})",
    )
    port = _free_port()
    with (folder / "gunicorn.log").open("w") as log:
        server = _start_gunicorn(env, port, "/", log)
        try:
            loads = _page_loads(f"http://127.0.0.1:{port}/", PAGE_LOADS)
        finally:
            _stop(server)
    markers = statistics.median(load["markers"] for load in loads)
    outlines = statistics.median(load["outlines"] for load in loads)
    label = f"open / with {CENTRES:,} markers"
    yield (
        label,
        f"{markers:.0f}",
        f"ms until markers are on screen (median of {PAGE_LOADS}, empty cache)",
        "≤ 1500 ms",
    )
    yield label, f"{max(load['markers'] for load in loads):.0f}", "ms, slowest load", "-"
    yield label, str(loads[0]["icons"]), "markers and clusters drawn", "-"
    yield label, f"{outlines:.0f}", "ms until the country outlines are drawn", "-"
    for name, part in [("GeoJSON", "geojson"), ("country outlines", "countries")]:
        received = statistics.median(load[part] for load in loads)
        yield f"{name} received", f"{received:.0f}", "ms after navigation", "-"
        yield f"{name} received", f"{loads[0][part + 'Bytes'] / 1024:.0f}", "KB over the wire", "-"
    shutil.rmtree(folder, ignore_errors=True)  # kept when something failed, to read the log
