"""Reading wrk's report (certification.bench.wrk.parse_wrk)."""

import pytest

from certification.bench.wrk import parse_wrk

REPORT = """Running 2s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.70ms   27.80ms    2.10s   94.19%
    Req/Sec   268.33    238.55   470.00     66.67%
  Latency Distribution
     50%  812.00us
     75%    5.66ms
     90%   11.67ms
     99%    1.66s
  5081 requests in 2.07s, 41.13KB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   2454.50
Transfer/sec:     38.34KB
"""


def test_it_reads_throughput_percentiles_in_milliseconds_and_errors() -> None:
    load = parse_wrk(REPORT)
    assert (load.requests, load.requests_per_second, load.errors) == (5081, 2454.5, 12)
    assert load.p50_ms == pytest.approx(0.812)
    assert load.p99_ms == pytest.approx(1660.0)
    assert load.slowest_ms == pytest.approx(2100.0)


def test_a_clean_run_has_no_errors() -> None:
    clean = REPORT.replace("  Socket errors: connect 0, read 2, write 0, timeout 3\n", "")
    assert parse_wrk(clean.replace("  Non-2xx or 3xx responses: 7\n", "")).errors == 0


def test_it_refuses_what_is_not_a_latency_report() -> None:
    with pytest.raises(ValueError, match="wrk --latency"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")
