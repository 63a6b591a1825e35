"""Running work at the same moment, for the tests that prove a service holds under a race.

A plain module rather than a fixture: the tests call `at_once` with jobs of their own and
need nothing set up or torn down. It lives in `core` because every app may import core, so
the tests of certificates and billing share it without an import pointing the wrong way.
Such tests are marked `django_db(transaction=True)`, so that each thread sees the rows the
test wrote, and with `@needs_row_locks(...)`.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection


def at_once(*jobs: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Run the jobs in threads released together; each gets its own database connection.

    Returns what each job returned, or the exception it raised, in the order of `jobs`:
    the outcome is what the test checks. A thread still running after `timeout` seconds
    leaves None.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = job()
        except Exception as error:  # the outcome is what the test checks
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes


def needs_row_locks(who: str) -> pytest.MarkDecorator:
    """Skips the test on a database without row locks, naming `who` ("two issuers") would
    overlap there. A marker rather than a call in the test, so that the skip is reported
    at the test."""
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            f"Needs PostgreSQL: on {connection.vendor} writers take turns on the whole "
            f"database, so {who} never overlap; CI runs this on PostgreSQL."
        ),
    )
