"""The map's GeoJSON: built once per version of the map, kept in the cache as ready bytes.

Building the map of every training centre takes a few hundred milliseconds; serving it from
the cache takes no database query, and usually no cache read either: the version is read at
most once a second, and the bytes in the visitor's encoding come from this process's memory
when it served them lately. The version (core.mapversion) changes whenever what the map shows does, so bytes kept under it never go stale; they are
kept per version, per query of the filters of /organisations/ and per language (country names
follow it), as JSON, gzip and, when the brotli library is installed (WeasyPrint's fonttools
brings it), brotli.

Only the filters' own parameters, with short values, are cached (as the page cache does);
any other query string is answered by building the map for it.
"""

import gzip
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.http import urlencode
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
# Each process keeps the maps it served last, up to this many bytes (the map of 5,000
# centres: 1.2 MB as JSON, 0.2 MB compressed).
RECENT_BYTES = 16 * 1024 * 1024


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


def cache_query(request: HttpRequest) -> str | None:
    """The query string as maps are kept under it: the filters' parameters in order, each with
    its last value (the one the filter form reads), empty ones left out. None when the cache is
    off (PUBLIC_PAGE_CACHE_SECONDS, as for pages) or the query string holds anything else, or
    a long value: made-up ones would only fill the cache.

    Cheaper than the filter form, which runs only to build a map: a value the form ignores
    (an unknown country) gets its own key, holding what the form makes of it.
    """
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return None
    if not all(name in PARAMETERS for name in request.GET):
        return None
    if not all(len(value) <= LONGEST_VALUE for value in request.GET.values()):
        return None
    return urlencode(sorted((name, request.GET[name]) for name in request.GET if request.GET[name]))


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


def _key(query: str, *, version: str, language: str) -> str:
    return f"map-geojson:{version}:{language}:{hashlib.sha256(query.encode()).hexdigest()[:32]}"


def etag(query: str, *, version: str, language: str) -> str:
    """The entity tag of the map for this query, in this version and language (quoted, strong:
    that of the JSON; compressed bodies get its weak form, as GZipMiddleware gives them)."""
    key = _key(query, version=version, language=language)
    return f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'


# --- The cache ------------------------------------------------------------------------------

Stored = tuple[bytes, datetime | None]


def _cache() -> Any:
    """Beside the public pages ("pages"): many maps never push out a rate-limit counter."""
    return caches["pages"]


class _Recent:
    """The maps this process served last, up to `limit` bytes: what is kept under a key never
    changes (the version is in the key), so a copy here is as good as the cache's, with any
    number of processes, and saves reading a few hundred kilobytes for every request."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[str, Stored] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Stored | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: str, stored: Stored) -> None:
        with self.lock:
            if key in self.entries or len(stored[0]) > self.limit:
                return
            self.entries[key] = stored
            self.size += len(stored[0])
            while self.size > self.limit:
                _key, oldest = self.entries.popitem(last=False)
                self.size -= len(oldest[0])


recent = _Recent(RECENT_BYTES)


def cached_map(
    query: str,
    filters: Callable[[], OrganisationFilter],
    *,
    version: str,
    language: str,
    encoding: str,
) -> MapFile:
    """The map for `query` in `encoding`: from this process, from the cache, or built from
    `filters()` (and kept) when missing."""
    key = f"{_key(query, version=version, language=language)}:{encoding}"
    stored = recent.get(key) or _cache().get(key) or _built(filters, key, encoding)
    recent.put(key, stored)
    body, last_modified = stored
    return MapFile(body=body, encoding=encoding, last_modified=last_modified)


def _built(filters: Callable[[], OrganisationFilter], key: str, encoding: str) -> Stored:
    """Build the map and keep it in every encoding, unless another request is doing so: then
    wait for its bytes rather than build them again (16 visitors arriving together after a
    change build the map once). Returns it in `encoding`, kept under `key`."""
    prefix = key.removesuffix(f":{encoding}")
    lock = f"{prefix}:building"
    locked = _cache().add(lock, 1, BUILD_LOCK_SECONDS)
    if not locked:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP_SECONDS)
            stored: Stored | None = _cache().get(key)
            if stored is not None:
                return stored
    try:
        body, last_modified = geojson(filters())
        files = {name: (_encoded(body, name), last_modified) for name in ("identity", *ENCODINGS)}
        _cache().set_many({f"{prefix}:{name}": file for name, file in files.items()}, CACHE_SECONDS)
    finally:
        if locked:
            _cache().delete(lock)
    return files[encoding]
