"""Read settings from environment variables, failing loudly on bad values.

Every variable read here is documented in `.env.example`.
"""

import os
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value is not None else None


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below its minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_decimal(name: str, default: str, *, places: int = 2, minimum: str = "0") -> Decimal:
    """A decimal number such as a price or a rate, with at most `places` decimal places."""
    value = env_str(name, default)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={value!r} is not a decimal number.") from None
    if not number.is_finite() or number.as_tuple().exponent < -places:  # type: ignore[operator]
        raise ImproperlyConfigured(f"{name}={value!r} may have at most {places} decimals.")
    if number < Decimal(minimum):
        raise ImproperlyConfigured(f"{name}={number} is below its minimum of {minimum}.")
    return number.quantize(Decimal(1).scaleb(-places))


# A Redis server that stops answering fails the request (and the start-up check) in seconds,
# instead of holding a worker until gunicorn's timeout.
REDIS_TIMEOUT_SECONDS = 5


def cache_settings(url: str) -> dict[str, dict[str, Any]]:
    """CACHES for a CACHE_URL: "default" (rate limits, counters) and "pages" (whole pages)."""
    if url.startswith(("redis://", "rediss://")):
        return {
            name: {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": name,
                "OPTIONS": {
                    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                    "socket_timeout": REDIS_TIMEOUT_SECONDS,
                },
            }
            for name in ("default", "pages")
        }
    if url == "db://":
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "django_cache",
            },
            "pages": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "django_page_cache",
                "OPTIONS": {"MAX_ENTRIES": 3000},
            },
        }
    if url == "locmem://":
        return {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "pages": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "pages",
                "OPTIONS": {"MAX_ENTRIES": 3000},
            },
        }
    raise ImproperlyConfigured(
        f"CACHE_URL={url!r} must be redis://host:port/db, db:// or locmem://."
    )
