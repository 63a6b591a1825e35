"""`make bench`: run the benchmarks on a fresh test database and print a table.

Each benchmark is a function registered with `@benchmark`; it returns rows of
(measure, value, unit, goal). Later features add their own benchmarks to `suites.py`.
BENCH_ONLY=http (names, comma-separated, or the start of names: `BENCH_ONLY="http,public"`)
runs only those.
"""

import os
import platform
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certification.settings_test")


def main() -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from certification.bench import (  # noqa: F401 - registered
        directory,
        http_load,
        issuing,
        map_browser,
    )
    from certification.bench.suites import BENCHMARKS

    only = [name.strip().lower() for name in os.environ.get("BENCH_ONLY", "").split(",")]
    selected = [
        (name, function)
        for name, function in BENCHMARKS
        if not any(only) or any(part and name.lower().startswith(part) for part in only)
    ]
    if not selected:
        known = ", ".join(name for name, _function in BENCHMARKS)
        print(f"BENCH_ONLY={os.environ['BENCH_ONLY']!r} names none of: {known}", file=sys.stderr)
        return 2

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    rows: list[tuple[str, str, str, str, str]] = []
    started = time.monotonic()
    try:
        for name, function in selected:
            for measure, value, unit, goal in function():
                rows.append((name, measure, value, unit, goal))
    finally:
        teardown_databases(old_config, verbosity=0)

    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, database {connection.vendor}, "
        f"{time.monotonic() - started:.1f} s in all"
    )
    headers = ("benchmark", "measure", "value", "unit", "goal")
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    line = "+".join("-" * (width + 2) for width in widths)
    print(line)
    print("|".join(f" {h:<{w}} " for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print("|".join(f" {c!s:<{w}} " for c, w in zip(row, widths, strict=True)))
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
