"""The shipped gunicorn.conf.py: workers forked warm from the master, recycled without cost."""

import http.client
import os
import runpy
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

CONF = Path(settings.BASE_DIR) / "gunicorn.conf.py"


def load_conf(**environment: str) -> dict[str, Any]:
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        return runpy.run_path(str(CONF))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Worker:
    def __init__(self, *, booted: bool) -> None:
        self.booted = booted


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    codes: list[int] = []
    monkeypatch.setattr(os, "_exit", codes.append)
    return codes


def leave(conf: dict[str, Any], worker: Worker, code: int) -> None:
    """Call the hook as gunicorn does: in the `finally` of a worker on its way out."""
    try:
        raise SystemExit(code)
    finally:
        conf["worker_exit"](None, worker)


def test_the_master_loads_the_application_and_workers_are_recycled_rarely() -> None:
    conf = load_conf()

    assert conf["preload_app"] is True
    assert conf["max_requests"] == 10_000
    assert conf["max_requests_jitter"] == 1_000
    assert load_conf(GUNICORN_MAX_REQUESTS="0")["max_requests"] == 0


def test_a_worker_leaves_at_once_with_its_exit_code(exits: list[int]) -> None:
    conf = load_conf()

    for code in (0, 1):
        with pytest.raises(SystemExit):
            leave(conf, Worker(booted=True), code)

    assert exits == [0, 1]


def test_a_worker_that_could_not_boot_exits_as_gunicorn_expects(exits: list[int]) -> None:
    conf = load_conf()

    with pytest.raises(SystemExit):
        leave(conf, Worker(booted=False), 3)  # gunicorn's WORKER_BOOT_ERROR: it stops

    assert exits == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.fixture
def gunicorn_recycling_every_request(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "certification.settings_test",
        "CACHE_URL": "locmem://",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_MAX_REQUESTS": "1",
    }
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - gunicorn of this virtualenv
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(CONF), "certification.wsgi"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_recycled_workers_serve_every_request(
    gunicorn_recycling_every_request: tuple[int, Path],
) -> None:
    port, log = gunicorn_recycling_every_request

    statuses = [_get(port, "/healthz/live") for _ in range(3)]

    assert statuses == [200, 200, 200], log.read_text()
    output = log.read_text()
    assert output.count("Booting worker") >= 3  # a new worker for each request
    assert "exited with code" not in output
    assert "Traceback" not in output
