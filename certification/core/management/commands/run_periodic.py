import logging
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from certification.core.periodic import registered_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs (reminders, escalation, expiry). Safe to run at any time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--only", help="Run only the job of this name.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        failures = 0
        for name, job in registered_jobs().items():
            if options["only"] and name != options["only"]:
                continue
            try:
                done = job(now)
            except Exception:
                # One failing job must not stop the others; it is logged and retried next run.
                logger.exception("Periodic job %s failed", name)
                failures += 1
                continue
            self.stdout.write(f"{name}: {done}")
        if failures:
            raise SystemExit(1)
