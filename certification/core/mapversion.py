"""The version of what the public map shows.

The map's GeoJSON (directory/mapdata.py) is built once per version and then served from the
cache as ready bytes. Whatever changes what it shows calls `map_changed()` inside its
transaction: a training centre created, changed or deleted; an organisation certified,
suspended, archived or reinstated, or its name, slug or country changed while certified; a
course type approved (the map's language and subject filters read course types). The
services do it, and so does the admin for the models it can change; anything else that writes
those rows (a data migration, a script) must call it too. Once the transaction commits, the
map has a new version and its next request builds it again.

This lives in core so that the services of every app below the directory can call it.
"""

import time
import uuid
from typing import Any

from django.core.cache import caches
from django.db import transaction

VERSION_KEY = "map-version"
# Each process reads the version at most this often: a change shows at once in the process
# that made it, and within this time in the others (browsers may keep the map five minutes
# anyway: Cache-Control). Most requests for the map then read nothing from the cache.
READ_EVERY_SECONDS = 1.0

_last_read: tuple[str, float] | None = None  # (version, time.monotonic() when read)


def _cache() -> Any:
    """The cache of whole public answers ("pages"), where the map's bytes are kept too."""
    return caches["pages"]


def map_version() -> str:
    """The map's current version: one cache read, at most every READ_EVERY_SECONDS.

    A version the cache has lost (evicted, or the cache emptied) is replaced by a new one, never
    by an earlier value, so that bytes kept under an old version are never served again.
    """
    global _last_read
    now = time.monotonic()
    if _last_read is not None and now - _last_read[1] < READ_EVERY_SECONDS:
        return _last_read[0]
    version = _cache().get(VERSION_KEY)
    if version is None:
        candidate = uuid.uuid4().hex
        # add(): when several processes find it missing at once, they all take the first one.
        version = candidate if _cache().add(VERSION_KEY, candidate, None) else None
        version = version or _cache().get(VERSION_KEY) or candidate
    _last_read = (str(version), now)
    return _last_read[0]


def _new_version() -> None:
    global _last_read
    version = uuid.uuid4().hex
    _cache().set(VERSION_KEY, version, None)
    _last_read = (version, time.monotonic())


def forget_read_version() -> None:
    """Read the version from the cache next time (after the cache was emptied, in tests)."""
    global _last_read
    _last_read = None


def map_changed() -> None:
    """The map shows something else once the current transaction commits (at once outside
    one). A request that read the old version may still keep what it built under it: nobody
    asks for that version again."""
    transaction.on_commit(_new_version)
