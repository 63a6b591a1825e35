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

import uuid
from typing import Any

from django.core.cache import caches
from django.db import transaction

VERSION_KEY = "map-version"


def _cache() -> Any:
    """The cache of whole public answers ("pages"), where the map's bytes are kept too."""
    return caches["pages"]


def map_version() -> str:
    """The map's current version: one cache read.

    A version the cache has lost (evicted, or the cache emptied) is replaced by a new one, never
    by an earlier value, so that bytes kept under an old version are never served again.
    """
    version = _cache().get(VERSION_KEY)
    if version is None:
        candidate = uuid.uuid4().hex
        # add(): when several processes find it missing at once, they all take the first one.
        version = candidate if _cache().add(VERSION_KEY, candidate, None) else None
        version = version or _cache().get(VERSION_KEY) or candidate
    return str(version)


def _new_version() -> None:
    _cache().set(VERSION_KEY, uuid.uuid4().hex, None)


def map_changed() -> None:
    """The map shows something else once the current transaction commits (at once outside
    one). A request that read the old version may still keep what it built under it: nobody
    asks for that version again."""
    transaction.on_commit(_new_version)
