"""With REDIS_URL, rate limits and caches live in Redis (the real server at 127.0.0.1:6379).

Every test uses its own key prefix and deletes its keys afterwards. The second
"instance" in the rate-limit test is a separate Python process: Flask-Limiter's
state lives on one module-level object, so two apps in one process would share
counters even in memory and prove nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cache import MemoryBackend, RedisBackend, get_cache, get_or_set
from app.discussions.models import Discussion
from app.extensions import db, limiter

REDIS_URL = os.environ.get("AGORA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PROJECT = Path(__file__).resolve().parents[2]
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        if CI:
            pytest.fail(f"CI=true and Redis is unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    return client


@pytest.fixture
def redis_prefix():
    client = _redis()
    prefix = f"agora-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*", count=1000):
        client.delete(key)
    # Flask-Limiter keeps the first prefix it saw on its module-level object.
    limiter._key_prefix = ""


def _redis_config(prefix: str) -> dict:
    return {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"{prefix}:",
            "RATELIMIT_KEY_PREFIX": prefix}


# Each refused login hashes a password (scrypt): a low limit keeps the test quick.
LOW_LIMIT = {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}


LOGIN = {"login": "nobody@example.org", "password": "not-the-password"}

SECOND_INSTANCE = textwrap.dedent("""
    import json, sys
    from app import create_app
    config = json.loads(sys.argv[1])
    app = create_app(config)
    response = app.test_client().post("/en/auth/login", data=json.loads(sys.argv[2]))
    print(response.status_code)
""")


def _second_instance_login(app, **config) -> int:
    """POST the login form once from a fresh process built on the same settings."""
    keys = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING", "ENV_NAME", "SERVER_NAME",
            "WTF_CSRF_ENABLED", "PAGE_CACHE_ENABLED", "RATELIMIT_LOGIN")
    settings = {k: app.config[k] for k in keys}
    settings.update(config, RATELIMIT_ENABLED=True,
                    INSTANCE_PATH=str(Path(app.instance_path).parent / "second-instance"))
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", SECOND_INSTANCE, json.dumps(settings), json.dumps(LOGIN)],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def _use_up_login_limit(app) -> None:
    client = app.test_client()
    allowed = int(app.config["RATELIMIT_LOGIN"].split()[0])
    statuses = [client.post("/en/auth/login", data=LOGIN).status_code for _ in range(allowed)]
    assert 429 not in statuses
    assert client.post("/en/auth/login", data=LOGIN).status_code == 429


def test_rate_limits_are_shared_between_instances_through_redis(app_factory, redis_prefix):
    app = app_factory(**LOW_LIMIT, **_redis_config(redis_prefix))
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    _use_up_login_limit(app)
    assert _second_instance_login(app, **_redis_config(redis_prefix)) == 429
    assert list(_redis().scan_iter(match=f"*{redis_prefix}*"))


def test_without_redis_each_instance_counts_alone(app_factory):
    """The control: in memory, the second process has not seen the first one's hits."""
    app = app_factory(**LOW_LIMIT)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(get_cache(app).backend, MemoryBackend)
    _use_up_login_limit(app)
    assert _second_instance_login(app) != 429


def test_pages_cached_by_one_instance_are_served_by_another(app_factory, redis_prefix,
                                                           tmp_path):
    first = app_factory(PAGE_CACHE_ENABLED=True, **_redis_config(redis_prefix))
    # Another instance folder: no shared version file, only Redis in common.
    second = app_factory(PAGE_CACHE_ENABLED=True, INSTANCE_PATH=str(tmp_path / "other"),
                         **_redis_config(redis_prefix))
    assert isinstance(get_cache(second).backend, RedisBackend)
    assert first.test_client().get("/en/").headers["X-Cache"] == "MISS"
    assert second.test_client().get("/en/").headers["X-Cache"] == "HIT"
    assert list(_redis().scan_iter(match=f"{redis_prefix}:page:*"))

    with first.app_context():
        now = datetime.now(UTC)
        db.session.add(Discussion(language="en", title="Posted on the first machine",
                                  slug="posted", summary="", last_activity_at=now,
                                  created_at=now))
        db.session.commit()
        db.session.remove()
    response = second.test_client().get("/en/")
    assert response.headers["X-Cache"] == "MISS"
    assert "Posted on the first machine" in response.get_data(as_text=True)


def test_a_search_seen_by_one_instance_is_stored_by_another(app_factory, redis_prefix,
                                                             tmp_path):
    """A search is stored from its second request, whichever machine got the first."""
    first = app_factory(PAGE_CACHE_ENABLED=True, **_redis_config(redis_prefix))
    second = app_factory(PAGE_CACHE_ENABLED=True, INSTANCE_PATH=str(tmp_path / "other"),
                         **_redis_config(redis_prefix))
    url = "/en/search?q=orchards"
    assert first.test_client().get(url).headers["X-Cache"] == "MISS"
    assert not list(_redis().scan_iter(match=f"{redis_prefix}:page:*"))
    assert second.test_client().get(url).headers["X-Cache"] == "MISS"  # stored now
    assert first.test_client().get(url).headers["X-Cache"] == "HIT"


def test_panels_live_in_redis_and_follow_the_content_version(app_factory, redis_prefix):
    app = app_factory(**_redis_config(redis_prefix))
    calls: list[int] = []

    def compute() -> dict:
        calls.append(1)
        return {"items": ["a", "b"], "n": len(calls)}

    with app.app_context():
        assert get_or_set("redis-panel", 60, compute) == {"items": ["a", "b"], "n": 1}
        assert get_or_set("redis-panel", 60, compute)["n"] == 1
        assert _redis().exists(f"{redis_prefix}:panel:redis-panel")
        get_cache(app).bump()
        assert get_or_set("redis-panel", 60, compute)["n"] == 2
