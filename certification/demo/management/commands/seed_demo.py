import time
from typing import Any

from django.core.management.base import BaseCommand

from certification.demo.seed import seed


class Command(BaseCommand):
    help = "Create demo accounts for every role and demo organisations (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        counts = seed()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {summary} ({time.monotonic() - started:.1f} s).")
        )
