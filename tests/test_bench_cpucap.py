"""``bench/cpucap.py``: each process of a benchmark confined to its own capped CPU group.

Nothing here measures speed (that is the benchmark's job); it checks the bookkeeping: the
quota written, the process moved, a process it starts moved to a group of its own, everything
removed at the end, and a clear error where caps cannot be set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import cpucap  # noqa: E402
from bench.cpucap import CpuCap, CpuCapUnavailable, cpu_cap  # noqa: E402


def _cap_or_skip(share: float) -> CpuCap:
    try:
        return CpuCap(share)
    except CpuCapUnavailable as err:
        pytest.skip(f"CPU caps cannot be set here: {err}")


def _group_of(pid: int) -> str:
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "cpu" in controllers.split(","):
            return path
    return ""


def test_a_share_out_of_range_is_refused():
    for share in (0, 0.01, 1.5, -0.3):
        with pytest.raises(ValueError, match="between 0.05 and 1"):
            CpuCap(share)


def test_a_process_and_the_one_it_starts_get_capped_groups_of_their_own_and_all_is_removed():
    cap = _cap_or_skip(0.4)
    parent = child = None
    try:
        # a parent that starts a child only once it is confined (as a crawl starts its workers)
        parent = subprocess.Popen(
            [sys.executable, "-c",
             "import subprocess, sys, time\n"
             "sys.stdin.readline()\n"
             "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
             "print(child.pid, flush=True)\n"
             "time.sleep(30)\n"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        cap.confine(parent.pid)
        group = cap.root / f"p{parent.pid}"
        assert (group / "cpu.cfs_quota_us").read_text().strip() == str(round(0.4 * cpucap.PERIOD_US))
        assert (group / "cpu.cfs_period_us").read_text().strip() == str(cpucap.PERIOD_US)
        assert _group_of(parent.pid).endswith(f"/{cap.root.name}/p{parent.pid}")
        parent.stdin.write("go\n")
        parent.stdin.flush()
        child = int(parent.stdout.readline())
        assert _group_of(child) == _group_of(parent.pid)  # started inside its parent's group
        assert cap.confine_children(parent.pid) == 1
        assert _group_of(child).endswith(f"/{cap.root.name}/p{child}")
        assert (cap.root / f"p{child}" / "cpu.cfs_quota_us").read_text().strip() == str(round(0.4 * cpucap.PERIOD_US))
        assert cap.confine_children(parent.pid) == 0  # nothing new
    finally:
        for pid in (child, parent.pid if parent else None):
            if pid:
                os.kill(pid, 9)
        if parent:
            parent.wait()
        deadline = time.monotonic() + 5
        while child and Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # the orphan is reaped by init
        cap.close()
    assert not cap.root.exists()


def test_the_benchmark_process_is_confined_and_returned(tmp_path):
    _cap_or_skip(0.5).close()
    before = _group_of(os.getpid())
    with cpu_cap(0.5) as cap:
        assert _group_of(os.getpid()).endswith(f"/{cap.root.name}/p{os.getpid()}")
    assert _group_of(os.getpid()) == before
    assert not cap.root.exists()
    with cpu_cap(None) as nothing:
        assert nothing is None


def test_no_cpu_controller_is_a_clear_error(monkeypatch, tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\nproc /proc proc rw 0 0\n")
    real_open = open

    def fake_open(path, *args, **kwargs):
        return real_open(mounts if path == "/proc/self/mounts" else path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    with pytest.raises(CpuCapUnavailable, match="no cgroup v1 'cpu' controller"):
        CpuCap(0.5)
