"""Lookups counted per client address, to make guessing codes slow.

A fixed window in the shared cache: VERIFY_RATE_LIMIT lookups per VERIFY_RATE_WINDOW_SECONDS.
The address is REMOTE_ADDR: a reverse proxy in front of the site must pass the visitor's
address there, or every visitor shares the proxy's allowance. IPv6 clients are counted per
/64, the block one subscriber gets.
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_RATE_LIMIT = 30
DEFAULT_RATE_WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    """The address lookups are counted against: REMOTE_ADDR, or its /64 for IPv6."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def count_lookup(request: HttpRequest) -> int | None:
    """Count one lookup; the seconds to wait when over the limit, else None."""
    limit = getattr(settings, "VERIFY_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    window = getattr(settings, "VERIFY_RATE_WINDOW_SECONDS", DEFAULT_RATE_WINDOW_SECONDS)
    now = time.time()
    window_number = int(now // window)
    key = f"verify-lookups:{client_address(request)}:{window_number}"
    # incr() first: the common case when someone is hammering, and the cheapest with the
    # database cache. incr() and add() are atomic in Redis, so no count is lost there.
    # (A key per window: the database cache's incr() resets timeouts, which is harmless.)
    try:
        count = cache.incr(key)
    except ValueError:  # the first lookup in this window
        count = 1 if cache.add(key, 1, timeout=window) else cache.incr(key)
    if count <= limit:
        return None
    return max(1, math.ceil((window_number + 1) * window - now))
