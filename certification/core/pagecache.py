"""Whole public pages, cached for anonymous visitors.

The catalogue's pages look the same to every visitor who is not logged in, in one language:
they are rendered once per address and language and served from the cache for
PUBLIC_PAGE_CACHE_SECONDS (0 turns it off; tests do). Anyone with a session (logged in, or in
the middle of something) or a message waiting gets the page rendered for them. Pages cached
here carry no per-visitor token: the base template writes the CSRF token only for people who
are logged in (see accounts.views.set_language for the one form anonymous visitors post).
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

View = Callable[..., HttpResponse]
KEPT_HEADERS = ("Content-Type", "Content-Language")


def _cacheable(request: HttpRequest) -> bool:
    return (
        settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request: HttpRequest) -> str:
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-page:{get_language()}:{address}"


def _named_key(name: str, language: str) -> str:
    return f"public-page:{language}:{name}"


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


def get(request: HttpRequest, name: str) -> HttpResponse | None:
    """The page cached under `name` for this visitor's language, if they may have it."""
    if not _cacheable(request):
        return None
    stored = cache.get(_named_key(name, get_language()))
    return _served(stored) if stored is not None else None


def put(request: HttpRequest, name: str, response: HttpResponse) -> None:
    """Keep a page under `name` (such as a certificate's), to be `forget`-ten when it changes."""
    if _cacheable(request) and response.status_code == 200 and not response.cookies:
        cache.set(
            _named_key(name, get_language()), _stored(response), settings.PUBLIC_PAGE_CACHE_SECONDS
        )


def forget(name: str) -> None:
    """Drop the page cached under `name`, in every language."""
    cache.delete_many([_named_key(name, code) for code, _label in settings.LANGUAGES])


def public_page(view: View) -> View:
    """Serve the view's 200 answers to anonymous visitors from the cache."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return response
            cache.set(key, _stored(response), settings.PUBLIC_PAGE_CACHE_SECONDS)
            return response
        return _served(stored)

    return cached_view
