"""wrk, the HTTP load generator, run against a local server and its report read.

wrk is a separate program (Debian package `wrk`): `WRK` is None when it is not installed, and
the benchmarks that need it say so in their rows instead of failing.
"""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK = shutil.which("wrk")
# As a browser asks: the map's GeoJSON is served compressed to those who accept it.
ACCEPT_ENCODING = "gzip, deflate, br"
_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"


@dataclass(frozen=True)
class Load:
    """What wrk reports of one run."""

    # Completed within the run; a request still waiting at its end is not counted anywhere.
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    slowest_ms: float
    # Socket errors (connect, read, write, timeout) and answers other than 2xx or 3xx.
    errors: int


def _milliseconds(value: str, unit: str) -> float:
    return float(value) * _SECONDS[unit] * 1000


def parse_wrk(report: str) -> Load:
    """Read the report that `wrk --latency` prints."""
    throughput = re.search(r"^Requests/sec:\s+([\d.]+)", report, re.MULTILINE)
    slowest = re.search(
        rf"^\s+Latency\s+{_DURATION}\s+{_DURATION}\s+{_DURATION}", report, re.MULTILINE
    )
    completed = re.search(r"^\s*(\d+) requests in ", report, re.MULTILINE)
    p50 = re.search(rf"^\s+50(?:\.0+)?%\s+{_DURATION}", report, re.MULTILINE)
    p99 = re.search(rf"^\s+99(?:\.0+)?%\s+{_DURATION}", report, re.MULTILINE)
    if throughput is None or completed is None or p50 is None or p99 is None or slowest is None:
        raise ValueError(f"Not a report of wrk --latency:\n{report}")
    errors = sum(
        int(count)
        for count in re.findall(
            r"(?:connect|read|write|timeout) (\d+)", _line(report, "Socket errors:")
        )
    )
    non_2xx = re.search(r"^\s*Non-2xx or 3xx responses: (\d+)", report, re.MULTILINE)
    return Load(
        requests=int(completed[1]),
        requests_per_second=float(throughput[1]),
        p50_ms=_milliseconds(p50[1], p50[2]),
        p99_ms=_milliseconds(p99[1], p99[2]),
        slowest_ms=_milliseconds(slowest[5], slowest[6]),
        errors=errors + (int(non_2xx[1]) if non_2xx else 0),
    )


def _line(report: str, start: str) -> str:
    return next((line for line in report.splitlines() if line.strip().startswith(start)), "")


def run_wrk(
    port: int, path: str, seconds: int, connections: int, *, script: Path | None = None
) -> Load:
    """Load http://127.0.0.1:`port``path` from `connections` connections for `seconds`."""
    if WRK is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    command = [
        WRK,
        "--latency",
        f"--threads={min(2, connections)}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        # The longest answer that counts: a stalled request shows as a timeout error.
        "--timeout=30s",
        f"--header=Accept-Encoding: {ACCEPT_ENCODING}",
    ]
    if script is not None:
        command.append(f"--script={script}")
    completed = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [*command, f"http://127.0.0.1:{port}{path}"],
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    return parse_wrk(completed.stdout)
