"""bench/run.py's check that nothing else is using the CPUs before a run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402  (bench/run.py)


def test_cpu_busy_sees_a_process_spinning_on_one_cpu() -> None:
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        busy = run.cpu_busy(0.5)
    finally:
        spinner.kill()
        spinner.wait()
    assert busy is not None  # Linux: /proc/stat
    # One CPU of them all taken by the spinner (less a little: it is not alone).
    assert 0.7 / os.cpu_count() <= busy <= 1.0


def test_the_warning_follows_the_busy_share_and_falls_back_to_the_load_average() -> None:
    cpus = os.cpu_count() or 1
    assert run.busy_warning(0.05, load=cpus * 4.0) == ""  # a past run still in the average
    assert run.busy_warning(0.6, load=0.0) == "60% of the CPUs busy"
    assert run.busy_warning(None, load=cpus * 0.6) == f"load average {cpus * 0.6}"
    assert run.busy_warning(None, load=cpus * 0.4) == ""
