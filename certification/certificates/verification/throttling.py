"""Failed lookups counted per client address, to make guessing codes slow.

A lookup fails when its code is malformed (a wrong check character included) or unknown.
An address may fail VERIFY_RATE_LIMIT times in a fixed window of VERIFY_RATE_WINDOW_SECONDS;
then every lookup from it, of a valid code too, is refused until the window ends: were valid
codes still answered, the refusals would tell a guesser which codes exist. A valid lookup
writes nothing (an employer checks a whole list of certificates); it costs one cache read.

The counters are in the default cache: Redis when CACHE_URL says so, where add() and incr()
are atomic; the database cache's incr() reads and writes, so lookups failing at the very same
moment may be counted once. The address is REMOTE_ADDR: a reverse proxy in front of the site
must pass the visitor's address there, or every visitor shares the proxy's allowance. IPv6
clients are counted per /64, the block one subscriber gets.
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


class _Window:
    """The current window: its counter's key for the request's address, and its end."""

    def __init__(self, request: HttpRequest) -> None:
        self.limit: int = getattr(settings, "VERIFY_RATE_LIMIT", DEFAULT_RATE_LIMIT)
        self.seconds: int = getattr(
            settings, "VERIFY_RATE_WINDOW_SECONDS", DEFAULT_RATE_WINDOW_SECONDS
        )
        self.now = time.time()
        number = int(self.now // self.seconds)
        # A key per window: it needs no reset, and the database cache's incr(), which resets
        # the timeout, cannot make it outlive its window.
        self.key = f"verify-failures:{client_address(request)}:{number}"
        self.ends = (number + 1) * self.seconds

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.ends - self.now))


def refused(request: HttpRequest) -> int | None:
    """The seconds to wait when this address has failed too often in this window, else None.
    One cache read, no write."""
    window = _Window(request)
    failures = cache.get(window.key, 0)
    return window.retry_after if failures >= window.limit else None


def count_failure(request: HttpRequest) -> int | None:
    """Count one failed lookup; the seconds to wait when it was one too many, else None.

    Lookups in flight together all pass `refused`; this keeps the failures they are told
    about within the limit.
    """
    window = _Window(request)
    # incr() first: the common case when someone is guessing, and one statement fewer with
    # the database cache.
    try:
        count = cache.incr(window.key)
    except ValueError:  # the first failure in this window
        count = 1 if cache.add(window.key, 1, timeout=window.seconds) else cache.incr(window.key)
    return window.retry_after if count > window.limit else None
