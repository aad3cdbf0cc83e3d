"""`make test`: the suite on SQLite, then on a fresh PostgreSQL database when one answers.

With CI=true an unreachable PostgreSQL (or a missing Chromium) fails the run instead
of being skipped. Exit status: non-zero when any half fails or no test ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

PG_ADMIN_URL = os.environ.get("AGORA_TEST_PG_ADMIN", "postgresql://127.0.0.1:5432/test")
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest(extra_env: dict[str, str], label: str, args: list[str]) -> int:
    env = dict(os.environ, **extra_env)
    print(f"\n=== {label} ===", flush=True)
    code = subprocess.call([sys.executable, "-m", "pytest", *args], env=env)
    if code == 5:
        print(f"{label}: no test ran", flush=True)
        return 1
    return code


def pg_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}", flush=True)
        return False


def main() -> int:
    args = sys.argv[1:]
    sqlite_env = {"DATABASE_URL": ""}
    code = pytest(sqlite_env, "SQLite", args)
    if not pg_reachable():
        if CI:
            print("CI=true: PostgreSQL is required; failing.", flush=True)
            return 1
        print("\nPostgreSQL half SKIPPED (no server at 127.0.0.1:5432).", flush=True)
        return code
    import psycopg

    name = f"agora_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        pg_env = {"DATABASE_URL": f"{url}/{name}", "AGORA_SKIP_BROWSER": "1"}
        pg_code = pytest(pg_env, "PostgreSQL", args)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return code or pg_code


if __name__ == "__main__":
    sys.exit(main())
