"""bench/wrk/search_varied.lua: the uncached searches must never ask for the same URL
twice, within a run or across runs (the page cache would answer the repeat)."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "wrk" / "search_varied.lua"

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed "
                                "(make bench installs it: apt-get install wrk)")


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.paths: list[str] = []
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # (wrk drops its connections when its time is up)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Recorder

    def do_GET(self) -> None:  # noqa: N802  (the name http.server calls)
        with self.server.lock:
            self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    server = _Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _run(server: _Recorder, threads: int) -> list[str]:
    start = len(server.paths)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    subprocess.run(["wrk", f"-t{threads}", "-c4", "-d1s", "-s", str(SCRIPT), url,
                    "--", "adult", "learning", "skills"],
                   check=True, capture_output=True, timeout=30)
    return server.paths[start:]


def test_varied_searches_never_repeat_a_url(recorder: _Recorder) -> None:
    """Three words make nine pairs: without a number of its own, each URL would come
    back many times in a second."""
    warmup, measured = _run(recorder, threads=1), _run(recorder, threads=2)
    assert len(warmup) > 9 and len(measured) > 9
    assert len(set(measured)) == len(measured)
    assert not set(warmup) & set(measured)
    # Still two of the words per request, as the search page reads them.
    for path in measured:
        parts = urlsplit(path)
        assert parts.path == "/en/search"
        words = parse_qs(parts.query)["q"][0].split()
        assert len(words) == 2 and set(words) <= {"adult", "learning", "skills"}
