"""`make serve` migrates a fresh instance and starts gunicorn, which answers /healthz.

The server runs on a free port with its own instance folder (SQLite there), in
its own process group, and is stopped (TERM, then KILL after a bounded wait)
whatever the outcome.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90  # migrations + two workers importing the app on a slow machine
STOP_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _serve_command() -> list[str]:
    if shutil.which("make"):
        # -o: treat the venv as installed, so the test never runs pip.
        return ["make", "--no-print-directory", "-o", ".venv/.installed", "serve"]
    venv = PROJECT / ".venv" / "bin"
    return ["sh", "-c", f"{venv}/flask --app app db upgrade heads && "
                        f"exec {venv}/gunicorn -c gunicorn.conf.py 'app:create_app()'"]


def _server_env(instance: Path, port: int, **settings: str) -> dict[str, str]:
    """The environment with its own instance (SQLite there) and port, no Redis."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(AGORA_INSTANCE_PATH=str(instance), AGORA_BIND=f"127.0.0.1:{port}", **settings)
    return env


def _first_answer(process: subprocess.Popen, url: str) -> tuple[int, dict[str, str], bytes] | None:
    """`url`'s answer once the server listens; None if it exited or never answered."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return _get(url)
        except OSError:  # not listening yet
            time.sleep(0.2)
    return None


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # our own group: make, gunicorn, its workers
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


@pytest.mark.slow
def test_make_serve_starts_gunicorn_that_answers_healthz(tmp_path):
    port = _free_port()
    instance = tmp_path / "instance"
    env = _server_env(instance, port, AGORA_WORKERS="2", AGORA_PAGE_CACHE_ENABLED="true")
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(_serve_command(), cwd=PROJECT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        status, _headers, body = _first_answer(process, base + "/healthz") or (None, {}, b"")
        log_text = log_path.read_text(errors="replace")
        assert status == 200, f"no healthy answer within {START_TIMEOUT}s:\n{log_text}"
        assert b'"database":"ok"' in body.replace(b" ", b"")
        assert (instance / "agora.db").exists()  # migrated into the temp instance

        first = _get(base + "/en/")
        assert first[0] == 200
        assert first[1]["X-Request-ID"]
        assert "Booting worker" in log_text or "Booting worker" in log_path.read_text()
    finally:
        _stop(process)
    log_text = log_path.read_text(errors="replace")
    assert log_text.count("Booting worker") == 2
    assert "agora.request: GET /healthz 200" in log_text


@pytest.mark.parametrize(("env", "expected"), [
    ({"AGORA_WORKER_CLASS": "gthread"}, 8),
    ({"AGORA_WORKER_CLASS": "gthread", "AGORA_THREADS": "2"}, 4),
    ({"AGORA_WORKER_CLASS": "gthread", "AGORA_WORKER_CONNECTIONS": "50"}, 50),
])
def test_a_gthread_worker_holds_only_the_connections_it_can_serve_soon(monkeypatch, env,
                                                                       expected):
    import runpy

    for name in ("AGORA_THREADS", "AGORA_WORKER_CONNECTIONS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    assert config["worker_connections"] == expected


def _serve_once(tmp_path: Path, access_log: str) -> tuple[str, str, str]:
    """gunicorn with gunicorn.conf.py, one worker, answering one request: its stdout,
    stderr and the request id it answered with."""
    port = _free_port()
    env = _server_env(tmp_path / "instance", port, AGORA_WORKERS="1",
                      AGORA_ACCESS_LOG=access_log)
    out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
            cwd=PROJECT, env=env, stdout=out, stderr=err, start_new_session=True)
    try:
        answer = _first_answer(process, f"http://127.0.0.1:{port}/healthz")
    finally:
        _stop(process)
    headers = answer[1] if answer else {}
    assert headers.get("X-Request-ID"), err_path.read_text(errors="replace")
    return (out_path.read_text(errors="replace"), err_path.read_text(errors="replace"),
            headers["X-Request-ID"])


@pytest.mark.slow
@pytest.mark.parametrize("access_log", ["-", "", "access.log"])
def test_the_access_log_goes_where_agora_access_log_says(tmp_path, access_log):
    if access_log == "access.log":
        access_log = str(tmp_path / "access.log")
    stdout, stderr, request_id = _serve_once(tmp_path, access_log)

    access_line = '"GET /healthz HTTP/1.1"'
    # The app's own line is on stderr, once, whatever the access log does.
    assert stderr.count("agora.request: GET /healthz") == 1
    assert f"id={request_id}" in stderr
    if access_log == "-":
        assert stdout.count(access_line) == 1 and f"id={request_id}" in stdout
        assert access_line not in stderr
    elif access_log == "":
        assert access_line not in stdout + stderr  # off means off
    else:
        assert access_line not in stdout + stderr
        assert access_line in Path(access_log).read_text()


@pytest.fixture
def logging_as_gunicorn_leaves_it():
    """on_starting's changes to the logging module, undone after the test."""
    import logging

    saved = (logging._srcfile, logging.logThreads, logging.logMultiprocessing)  # noqa: SLF001
    loggers = {name: logging.getLogger(name) for name in ("agora", "")}
    state = {name: (lg.level, list(lg.handlers), lg.propagate) for name, lg in loggers.items()}
    yield
    logging._srcfile, logging.logThreads, logging.logMultiprocessing = saved  # noqa: SLF001
    for name, (level, handlers, propagate) in state.items():
        loggers[name].setLevel(level)
        loggers[name].handlers[:] = handlers
        loggers[name].propagate = propagate


def test_request_lines_skip_the_caller_lookup_and_read_as_before(
        gunicorn_config, logging_as_gunicorn_leaves_it, capsys):
    """The master sets up the app's logger for its workers: each request's line is built
    without walking the stack for the caller (on every request), and still reads
    time, process, level, logger and message."""
    import logging

    gunicorn_config["on_starting"](None)
    assert logging._srcfile is None  # noqa: SLF001
    assert not logging.logThreads and not logging.logMultiprocessing
    logging.getLogger("agora.request").info("GET %s %s 0.1ms id=%s cache=%s", "/en/", 200,
                                            "ab12", "HIT")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"\[\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{{4}}\] \[{os.getpid()}\] \[INFO\] "
        r"agora\.request: GET /en/ 200 0\.1ms id=ab12 cache=HIT", line), line
