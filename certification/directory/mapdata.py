"""The map's GeoJSON: built once per version of the map, kept in the cache as ready bytes.

Building the map of every training centre takes a few hundred milliseconds; serving it from
the cache takes two cache reads (the version, then the bytes in the visitor's encoding), and
no database query. Its version (core.mapversion) changes whenever what the map shows does, so
bytes kept here never go stale; they are kept per version, per filter of /organisations/ and
per language (country names follow it), each as JSON, gzip and, when the brotli library is
installed (WeasyPrint's fonttools brings it), brotli.

Only the filters' own parameters, with short values, are cached (as the page cache does);
any other query string is answered by building the map for it.
"""

import dataclasses
import gzip
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django_countries import countries

from certification.core.pagecache import LONGEST_VALUE
from certification.directory.queries import OrganisationFilter

try:
    # Untyped; not a dependency of ours (fonttools brings it): without it, gzip is served.
    import brotli  # type: ignore[import-untyped]
except ImportError:
    brotli = None

CONTENT_TYPE = "application/geo+json"
# The query parameters of the map's filters (OrganisationFilterForm).
PARAMETERS = frozenset({"q", "country", "language", "words", "organisation"})
# Preferred first. Compressed once per version: at the strongest level that takes
# milliseconds (brotli's quality 11 takes seconds on the map of 5,000 centres).
ENCODINGS = ("br", "gzip") if brotli is not None else ("gzip",)
GZIP_LEVEL = 9
BROTLI_QUALITY = 9
# Kept this long without being asked for; a new version is asked for under another key.
CACHE_SECONDS = 24 * 3600
# While one request builds a map, others asking for it wait for its bytes this long at most
# (then build it themselves); its lock lapses by itself if that request dies.
WAIT_SECONDS = 3.0
WAIT_STEP_SECONDS = 0.05
BUILD_LOCK_SECONDS = 30


@dataclass(frozen=True)
class MapFile:
    body: bytes
    encoding: str  # "identity", "gzip" or "br"
    last_modified: datetime | None


# --- Building -----------------------------------------------------------------------------


def _coordinate(value: Any) -> float:
    return round(float(value), 5)


def geojson(filters: OrganisationFilter) -> tuple[bytes, datetime | None]:
    """The training centres `filters` choose, as GeoJSON with the countries they are in, and
    the last change of any of them or of their organisations. One query."""
    rows = filters.centres().values_list(
        "public_id",
        "name",
        "city",
        "country",
        "latitude",
        "longitude",
        "organisation__legal_name",
        "organisation__slug",
        "organisation__country",
        "updated_at",
        "organisation__updated_at",
    )
    features = []
    organisations_per_country: dict[str, set[str]] = {}
    last_modified: datetime | None = None
    for row in rows:
        public_id, name, city, country, latitude, longitude, org, slug, org_country = row[:9]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [_coordinate(longitude), _coordinate(latitude)],
                },
                "properties": {
                    "id": str(public_id),
                    "name": name,
                    "city": city,
                    "org": org,
                    "slug": slug,
                    "country": str(country),
                },
            }
        )
        organisations_per_country.setdefault(str(org_country), set()).add(slug)
        changed = max(row[9], row[10])
        last_modified = changed if last_modified is None else max(last_modified, changed)
    collection = {
        "type": "FeatureCollection",
        "countries": [
            {
                "code": code,
                "numeric": f"{countries.numeric(code) or 0:03d}",
                "name": str(countries.name(code)),
                "organisations": len(slugs),
            }
            for code, slugs in sorted(organisations_per_country.items())
        ],
        "features": features,
    }
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
    return body, last_modified


def _encoded(body: bytes, encoding: str) -> bytes:
    # No BREACH padding as GZipMiddleware adds: the map holds no secret to guess.
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    if encoding == "br":
        compressed: bytes = brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
        return compressed
    return body


# --- What a request asks for ----------------------------------------------------------------


def cacheable(request: HttpRequest) -> bool:
    """The cache is on (PUBLIC_PAGE_CACHE_SECONDS, as for pages) and the query string holds
    only the filters' parameters, with short values: made-up ones would only fill the cache."""
    return (
        settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and all(name in PARAMETERS for name in request.GET)
        and all(len(value) <= LONGEST_VALUE for value in request.GET.values())
    )


def accepted_encoding(request: HttpRequest) -> str:
    """The best of ENCODINGS the client accepts (a q-value of 0 refuses), else "identity"."""
    accepted = set()
    for item in request.headers.get("Accept-Encoding", "").split(","):
        coding, _, parameters = item.partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        if weight > 0:
            accepted.add(coding.strip().lower())
    return next((encoding for encoding in ENCODINGS if encoding in accepted), "identity")


def _key(filters: OrganisationFilter, *, version: str, language: str) -> str:
    chosen = json.dumps(dataclasses.astuple(filters))
    return f"map-geojson:{version}:{language}:{hashlib.sha256(chosen.encode()).hexdigest()[:32]}"


def etag(filters: OrganisationFilter, *, version: str, language: str) -> str:
    """The entity tag of the map these filters choose, in this version and language (quoted,
    strong: that of the JSON; compressed bodies get its weak form, as GZipMiddleware does)."""
    key = _key(filters, version=version, language=language)
    return f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'


# --- The cache ------------------------------------------------------------------------------


def _cache() -> Any:
    """Beside the public pages ("pages"): many maps never push out a rate-limit counter."""
    return caches["pages"]


def cached_map(
    filters: OrganisationFilter, *, version: str, language: str, encoding: str
) -> MapFile:
    """The map's bytes in `encoding`, from the cache, or built (and kept) when missing."""
    key = _key(filters, version=version, language=language)
    stored = _cache().get(f"{key}:{encoding}")
    if stored is None:
        stored = _built(filters, key, encoding)
    body, last_modified = stored
    return MapFile(body=body, encoding=encoding, last_modified=last_modified)


Stored = tuple[bytes, datetime | None]


def _built(filters: OrganisationFilter, key: str, encoding: str) -> Stored:
    """Build the map and keep it in every encoding, unless another request is doing so: then
    wait for its bytes rather than build them again (16 visitors arriving together after a
    change build the map once). Returns it in `encoding`."""
    lock = f"{key}:building"
    locked = _cache().add(lock, 1, BUILD_LOCK_SECONDS)
    if not locked:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP_SECONDS)
            stored: Stored | None = _cache().get(f"{key}:{encoding}")
            if stored is not None:
                return stored
    try:
        body, last_modified = geojson(filters)
        files = {name: (_encoded(body, name), last_modified) for name in ("identity", *ENCODINGS)}
        _cache().set_many({f"{key}:{name}": file for name, file in files.items()}, CACHE_SECONDS)
    finally:
        if locked:
            _cache().delete(lock)
    return files[encoding]
