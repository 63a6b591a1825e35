"""Periodic work: reminders, escalations, expiry. Each app registers idempotent jobs;
`manage.py run_periodic` (run every few minutes by cron, systemd or `make run`) runs them all.
"""

from collections.abc import Callable
from datetime import datetime

Job = Callable[[datetime], int]
_jobs: dict[str, Job] = {}


def periodic_job(name: str) -> Callable[[Job], Job]:
    """Register `function(now) -> number of things it did` under `name`."""

    def register(function: Job) -> Job:
        _jobs[name] = function
        return function

    return register


def registered_jobs() -> dict[str, Job]:
    return dict(_jobs)
