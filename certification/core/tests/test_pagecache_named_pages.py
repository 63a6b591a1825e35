"""Pages cached under a name (a certificate's verification page) are read with their version
in one cache read, and served only while that version is the current one."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.test import RequestFactory

from certification.core import pagecache

NAME = "verify:QGIS-TEST"


@pytest.fixture(autouse=True)
def _cache_on(settings: Any) -> Iterator[None]:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def test_a_named_page_and_its_version_are_one_cache_read(monkeypatch: pytest.MonkeyPatch) -> None:
    request = RequestFactory().get("/verify/QGIS-TEST/")
    _nothing, version = pagecache.get(request, NAME)
    pagecache.put(request, NAME, version, HttpResponse("Valid"))
    pages = caches["pages"]
    reads: list[Any] = []
    inside = [False]  # locmem's get_many() calls get(): one read, as Redis's MGET is

    def counted(real: Any) -> Any:
        def read(*args: Any, **kwargs: Any) -> Any:
            if not inside[0]:
                reads.append(args)
            outer, inside[0] = inside[0], True
            try:
                return real(*args, **kwargs)
            finally:
                inside[0] = outer

        return read

    for method in ("get", "get_many"):
        monkeypatch.setattr(pages, method, counted(getattr(pages, method)))

    cached, again = pagecache.get(request, NAME)

    assert cached is not None
    assert cached.content == b"Valid"
    assert again == version
    assert len(reads) == 1


def test_a_page_kept_under_an_older_version_is_not_served() -> None:
    request = RequestFactory().get("/verify/QGIS-TEST/")
    _nothing, version = pagecache.get(request, NAME)
    pagecache.put(request, NAME, version, HttpResponse("Valid"))

    pagecache.forget(NAME)
    cached, newer = pagecache.get(request, NAME)
    pagecache.put(request, NAME, newer, HttpResponse("Revoked"))
    fresh, _version = pagecache.get(request, NAME)

    assert cached is None
    assert newer != version
    assert fresh is not None
    assert fresh.content == b"Revoked"
