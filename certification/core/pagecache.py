"""Whole public pages, cached for anonymous visitors.

The catalogue's pages look the same to every visitor who is not logged in, in one language:
they are rendered once per address and language and served from the cache for
PUBLIC_PAGE_CACHE_SECONDS (0 turns it off; tests do); `shared` keeps the parts that every
visitor sees alike (menus, blocks) as long, for the pages rendered for logged-in visitors. Anyone with a session (logged in, or in
the middle of something) or a message waiting gets the page rendered for them. Pages cached
here carry no per-visitor token: the base template writes the CSRF token only for people who
are logged in (see accounts.views.set_language for the one form anonymous visitors post).
"""

import hashlib
import uuid
from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

View = Callable[..., HttpResponse]
KEPT_HEADERS = ("Content-Type", "Content-Language")
# A query string longer than a real filter's is rendered, not cached.
LONGEST_VALUE = 100


def _pages() -> Any:
    """The cache alias of its own ("pages"): many pages never push out a counter."""
    return caches["pages"]


def _cacheable(request: HttpRequest, parameters: Collection[str] = ()) -> bool:
    """Anonymous, nothing waiting for them, and a query string of known, short parameters
    (made-up ones would only fill the cache)."""
    return (
        settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and all(name in parameters for name in request.GET)
        and all(len(value) <= LONGEST_VALUE for value in request.GET.values())
    )


def _key(request: HttpRequest) -> str:
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-page:{get_language()}:{address}"


def _named_key(name: str, language: str) -> str:
    return f"public-page:{language}:{name}"


def _version_key(name: str) -> str:
    return f"public-page-version:{name}"


def _stored(response: HttpResponse) -> dict[str, Any]:
    return {
        "content": response.content,
        "headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
    }


def _served(stored: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(stored["content"], headers=stored["headers"])
    # Logged-in visitors see another navigation: shared caches must not mix them up.
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def get(request: HttpRequest, name: str) -> tuple[HttpResponse | None, str]:
    """The page cached under `name` for this visitor's language if they may have it, and
    the version to `put` a freshly rendered one under (read before the data is).

    One cache read for both: the page is kept with the version it was rendered in, and
    served only while that is the current one.
    """
    if not _cacheable(request):
        return None, ""
    key = _named_key(name, get_language())
    found = _pages().get_many([_version_key(name), key])
    # `forget` gives the page a new version, so that an answer rendered from data read
    # before the change, and stored after it, is never served.
    version = str(found.get(_version_key(name), "0"))
    stored = found.get(key)
    if stored is None or stored.get("version") != version:
        return None, version
    return _served(stored), version


def put(request: HttpRequest, name: str, version: str, response: HttpResponse) -> None:
    """Keep a page under `name` (such as a certificate's), until `forget` is called."""
    if version and response.status_code == 200 and not response.cookies:
        _pages().set(
            _named_key(name, get_language()),
            {**_stored(response), "version": version},
            settings.PUBLIC_PAGE_CACHE_SECONDS,
        )


def forget(name: str) -> None:
    """From now on the page under `name` is rendered again, in every language."""
    _pages().set(_version_key(name), uuid.uuid4().hex, None)


def public_page(*parameters: str) -> Callable[[View], View]:
    """Serve the view's 200 answers to anonymous visitors from the cache, for addresses whose
    query string holds only `parameters` (the view's filters)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable(request, parameters):
                return view(request, *args, **kwargs)
            key = _key(request)
            stored = _pages().get(key)
            if stored is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming or response.cookies:
                    return response
                _pages().set(key, _stored(response), settings.PUBLIC_PAGE_CACHE_SECONDS)
                return response
            return _served(stored)

        return cached_view

    return decorate


def shared[T](name: str, compute: Callable[[], T]) -> T:
    """A part of a public page that every visitor sees alike (a menu's choices, a rendered
    block), computed at most once per PUBLIC_PAGE_CACHE_SECONDS: the staleness anonymous
    visitors already accept for the whole page, and kept beside the pages so that it never
    outlives them. With the page cache off (0) it is computed every time. `name` says what
    it varies with (the language of a rendered block, for example)."""
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = f"public-part:{name}"
    value: T | None = _pages().get(key)
    if value is None:
        value = compute()
        _pages().set(key, value, seconds)
    return value
