"""Browser tests: the real app under gunicorn, driven by Debian's Chromium via Playwright.

One gunicorn (2 workers, a temporary instance folder, SQLite, demo data) serves the
whole session; each test gets a fresh browser context (no cookies carried over).

Skips, visibly, when Chromium or Playwright is missing or AGORA_SKIP_BROWSER=1 (the
PostgreSQL half of `make test` sets it: these tests always run the app on SQLite).
With CI=true a missing Chromium or Playwright is a failure, not a skip.
AGORA_CHROMIUM=/path/to/chromium picks another Chromium build.

Never `playwright install`: the browser is the system one (/usr/bin/chromium).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AXE_JS = HERE / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
SCREENS = ARTIFACTS / "screens"

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 45.0  # seconds: migrations are done before, this is only the boot
DEFAULT_TIMEOUT_MS = 10_000  # Playwright waits (a page on this server answers in < 1 s)


def _find_chromium() -> str | None:
    chosen = os.environ.get("AGORA_CHROMIUM", "")  # another build, e.g. chromium-browser
    if chosen:
        return chosen if os.path.exists(chosen) else None
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _playwright_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright for Python is not installed ({exc})"
    return None


CHROMIUM = _find_chromium()


def _why_not_run() -> tuple[str, bool] | None:
    """(reason, is_failure) when the browser tests cannot run here, else None."""
    if os.environ.get("AGORA_SKIP_BROWSER", "") == "1":
        return "browser tests skipped: AGORA_SKIP_BROWSER=1", False
    missing = _playwright_missing()
    if missing is None and CHROMIUM is None:
        missing = ("Chromium not found (/usr/bin/chromium or `chromium` on PATH; "
                   "apt install chromium)")
    if missing:
        if CI:
            return f"CI=true and browser tests cannot run: {missing}", True
        return f"browser tests skipped: {missing}", False
    return None


BLOCKER = _why_not_run()


def _is_here(item: pytest.Item) -> bool:
    return HERE in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: touch only the ones in this folder.
    # Screenshots first, while the server holds only the demo data (journeys add to it).
    screens = [i for i in items if _is_here(i) and Path(i.path).name == "test_screens.py"]
    if screens:
        rest = [i for i in items if i not in screens]
        first = next((n for n, i in enumerate(rest) if _is_here(i)), len(rest))
        items[:] = rest[:first] + screens + rest[first:]
    if BLOCKER is None:
        return
    reason, is_failure = BLOCKER
    if is_failure:
        return  # the autouse fixture below fails each test with the reason
    mark = pytest.mark.skip(reason=reason)
    for item in items:
        if _is_here(item):
            item.add_marker(mark)


def _stop_if_blocked() -> None:
    if BLOCKER is None:
        return
    reason, is_failure = BLOCKER
    if is_failure:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _browser_required() -> None:
    # Session fixtures (live_server, browser) are set up before this one: they check too.
    _stop_if_blocked()


# --- the server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    # SQLite in the temporary instance, whatever the surrounding run uses; no Redis, so
    # nothing is shared with another run.
    for key in ("DATABASE_URL", "REDIS_URL", "AGORA_SECRET_KEY"):
        env.pop(key, None)
    env.update(
        AGORA_INSTANCE_PATH=str(instance),
        AGORA_RATELIMIT_ENABLED="false",
        AGORA_LOG_LEVEL="warning",
        # Stopping the server at the end should not wait 30 s for idle keep-alive workers.
        AGORA_GRACEFUL_TIMEOUT="5",
        FLASK_APP="app",
        PYTHONUNBUFFERED="1",
    )
    return env


def _flask(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    if done.returncode != 0:
        pytest.fail(f"`flask {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}",
                    pytrace=False)


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-4000:]}",
                        pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = str(exc)
        time.sleep(0.1)  # polling interval, not a guess at how long the boot takes
    pytest.fail(f"{url} did not answer 200 within {SERVER_START_TIMEOUT}s ({last}):\n"
                f"{log.read_text()[-4000:]}", pytrace=False)


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:<port>, no trailing slash
    instance: Path
    log: Path

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _stop_if_blocked()
    instance = tmp_path_factory.mktemp("browser-instance")
    env = _server_env(instance)
    _flask(env, "db", "upgrade", "heads")
    _flask(env, "seed", "demo")
    port = _free_port()
    env.update(AGORA_BIND=f"127.0.0.1:{port}", AGORA_WORKERS="2")
    log = instance / "gunicorn.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    server = LiveServer(url=f"http://127.0.0.1:{port}", instance=instance, log=log)
    try:
        _wait_healthy(server("/healthz"), proc, log)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    # Errors logged by the app during the run fail loudly rather than hide in a temp dir.
    text = log.read_text(errors="replace")
    if "Traceback" in text:
        print(f"\n--- gunicorn log had tracebacks ({log}) ---\n{text[-6000:]}")


# --- the browser --------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(live_server: LiveServer) -> Iterator[Any]:
    _stop_if_blocked()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def locale() -> str:
    """The browser's language (Accept-Language and navigator.language); parametrize to change."""
    return "en-GB"


@dataclass
class PageProblems:
    """What went wrong inside the page: uncaught errors and CSP refusals."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        text = message.text
        if message.type == "error" and "Content Security Policy" in text:
            self.errors.append(f"CSP: {text}")


def _new_page(browser: Any, locale: str, width: int, height: int, bypass_csp: bool,
              storage_state: dict | None = None) -> tuple:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale=locale,
        # Only the axe runs bypass the CSP (it injects an inline script); journeys keep it
        # so a script the policy would block in production fails here too.
        bypass_csp=bypass_csp,
        storage_state=storage_state,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    return context, page, problems


@pytest.fixture
def page(browser: Any, locale: str) -> Iterator[Any]:
    """A page in a fresh context (1280x800, the test's locale), CSP enforced."""
    context, pg, problems = _new_page(browser, locale, 1280, 800, bypass_csp=False)
    yield pg
    context.close()
    assert not problems.errors, "errors inside the page:\n" + "\n".join(problems.errors)


@pytest.fixture
def new_page(browser: Any, locale: str) -> Iterator[Callable[..., Any]]:
    """new_page(width=1280, height=800, bypass_csp=False, storage_state=None) -> a page.

    Each has its own context: for journeys with two people at once, other sizes,
    or a logged-in state (storage_state=member_state).
    """
    opened: list[tuple] = []

    def make(width: int = 1280, height: int = 800, bypass_csp: bool = False,
             locale_: str | None = None, storage_state: dict | None = None) -> Any:
        context, pg, problems = _new_page(browser, locale_ or locale, width, height, bypass_csp,
                                          storage_state)
        opened.append((context, problems))
        return pg

    yield make
    errors = []
    for context, problems in opened:
        context.close()
        errors.extend(problems.errors)
    assert not errors, "errors inside the page:\n" + "\n".join(errors)


# --- helpers ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_password() -> str:
    from app.seed import DEMO_PASSWORD

    return DEMO_PASSWORD


@pytest.fixture
def log_in(live_server: LiveServer, demo_password: str) -> Callable[..., None]:
    """log_in(page, 'anna', lang='en'): through the real form, like a person."""

    def do(pg: Any, username: str, lang: str = "en", password: str | None = None) -> None:
        pg.goto(live_server(f"/{lang}/auth/login"))
        form = pg.locator("main form")
        form.locator("input[name=login]").fill(username)
        form.locator("input[name=password]").fill(password or demo_password)
        with pg.expect_navigation():
            form.locator("button[type=submit]").click()
        # Logged in: the header has the log-out button.
        pg.locator(".user-nav form button[type=submit]").wait_for()

    return do


@pytest.fixture(scope="session")
def axe() -> Callable[..., dict]:
    """axe(page, label) -> {'blocking': [...], 'other': [...]}; prints every finding."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} missing: run `make vendor`", pytrace=False)

    def run(pg: Any, label: str) -> dict:
        if not pg.evaluate("typeof window.axe !== 'undefined'"):
            pg.add_script_tag(path=str(AXE_JS))
        result = pg.evaluate(
            """async () => {
                // axe's default rule set: WCAG 2.x A/AA plus best practices.
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                              html: n.html.slice(0, 160)})),
                }));
            }"""
        )
        blocking = [v for v in result if v["impact"] in ("serious", "critical")]
        other = [v for v in result if v["impact"] not in ("serious", "critical")]
        for v in result:
            targets = "; ".join(n["target"] for n in v["nodes"][:5])
            print(f"[axe {label}] {v['impact']}: {v['id']} ({v['help']}) at {targets}")
        _record_axe(label, result)
        return {"blocking": blocking, "other": other}

    return run


def _record_axe(label: str, result: list[dict]) -> None:
    """Keep the raw findings beside the screenshots, for reading after a run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "axe.jsonl"
    with path.open("a") as out:
        out.write(json.dumps({"page": label, "violations": result}) + "\n")


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts() -> None:
    # One run's findings per file: the previous run's are dropped at the start.
    (ARTIFACTS / "axe.jsonl").unlink(missing_ok=True)


@pytest.fixture(scope="session")
def member_state(browser: Any, live_server: LiveServer, demo_password: str) -> dict:
    """Cookies of a logged-in demo member (lucia), for pages that only need *a* member.

    Logged in once per session through the form; tests that log out must use their
    own account, never this one (logging out ends every session of that member).
    """
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(live_server("/en/auth/login"))
    pg.locator("main input[name=login]").fill("lucia")
    pg.locator("main input[name=password]").fill(demo_password)
    with pg.expect_navigation():
        pg.locator("main form button[type=submit]").click()
    pg.locator(".user-nav form button[type=submit]").wait_for()
    state = context.storage_state()
    context.close()
    return state


NEW_MEMBER_PASSWORD = "Gentle-otter-Quartz-1987"


@pytest.fixture
def sign_up(live_server: LiveServer) -> Callable[..., str]:
    """sign_up(page, 'prefix') -> a new member's username, logged in, through the real form."""

    def do(pg: Any, prefix: str = "member", lang: str = "en") -> str:
        import uuid

        username = f"{prefix}{uuid.uuid4().hex[:6]}"
        pg.goto(live_server(f"/{lang}/auth/register"))
        form = pg.locator("main form")
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=email]").fill(f"{username}@example.org")
        form.locator("input[name=password]").fill(NEW_MEMBER_PASSWORD)
        form.locator("input[name=password2]").fill(NEW_MEMBER_PASSWORD)
        with pg.expect_navigation():
            form.locator("button[type=submit]").click()
        pg.locator(".user-nav form button[type=submit]").wait_for()
        return username

    return do
