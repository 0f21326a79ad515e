"""A slower CPU emulated: each process of a benchmark capped at a share of one core.

``--steal`` spins beside the crawls, which takes time from every process but only what the
spinners win from the scheduler, and leaves a process alone whenever it runs uncontested. A
CPU that is ``1 / share`` times slower makes *every* step of *every* process that much longer:
the mirror's answers, bare Scrapy's event loop, the project's event loop and its extraction
workers alike. ``CpuCap(share)`` does that with Linux's CPU bandwidth control (the cgroup v1
``cpu`` controller: ``cpu.cfs_quota_us`` over ``cpu.cfs_period_us``): every process it
``confine``s gets a group of its own allowed ``share`` of one core in each 10 ms period, so it
runs at most that share as fast as it would alone, while the two cores are still two cores.
Processes a confined crawl starts (its extraction workers) are moved into groups of their own
as soon as ``confine_children`` sees them (``bench/crawl.py`` looks every 10 ms).

It needs root and a writable cgroup v1 ``cpu`` hierarchy (as on the project's machines); anything
else raises ``CpuCapUnavailable`` with the reason, and nothing is left behind. CPU *time* is not
changed by a cap (a throttled process waits, it does not work longer), so CPU ms per page stay
this machine's; pages per second are what a slower machine would see.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

__all__ = ["CpuCap", "CpuCapUnavailable", "PERIOD_US", "cpu_cap"]

logger = logging.getLogger(__name__)

#: The bandwidth period. Shorter periods hold a process back in smaller steps, but the kernel
#: enforces them loosely: at 1 ms a crawl capped at 0.45 of a core used 0.63 (its CPU time over
#: its elapsed time); at 10 ms it used the 0.45 it was given.
PERIOD_US = 10_000


class CpuCapUnavailable(RuntimeError):
    """This machine (or this user) cannot cap processes' CPU."""


def _cpu_hierarchy() -> Path:
    """The folder of this process's group in the cgroup v1 ``cpu`` hierarchy."""
    mount = None
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        for line in mounts:
            fields = line.split()
            if len(fields) > 3 and fields[2] == "cgroup" and "cpu" in fields[3].split(","):
                mount = Path(fields[1].replace("\\040", " "))
                break
    if mount is None:
        raise CpuCapUnavailable("no cgroup v1 'cpu' controller is mounted (a cgroup v2-only machine "
                                "is not supported); use --steal instead")
    relative = "/"
    with open("/proc/self/cgroup", encoding="utf-8") as groups:
        for line in groups:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if "cpu" in controllers.split(","):
                relative = path
    here = mount / relative.lstrip("/")
    if not (here / "cpu.cfs_quota_us").exists():
        raise CpuCapUnavailable(f"{here} has no cpu.cfs_quota_us (CPU bandwidth control is off)")
    return here


class CpuCap:
    """Processes confined to ``share`` of one core each; ``close()`` undoes everything."""

    def __init__(self, share: float, period_us: int = PERIOD_US) -> None:
        if not 0.05 <= share <= 1.0:
            raise ValueError(f"a CPU share must be between 0.05 and 1, not {share!r}")
        self.share, self.period_us = share, period_us
        self.home = _cpu_hierarchy()
        self.root = self.home / f"csto-bench-{os.getpid()}"
        try:
            self.root.mkdir()
        except OSError as err:
            raise CpuCapUnavailable(f"cannot create a CPU cgroup under {self.home}: {err} "
                                    "(root is needed); use --steal instead") from err
        self._groups: dict[int, Path] = {}

    def confine(self, pid: int) -> None:
        """Give ``pid`` (all its threads) a group of its own, capped at the share."""
        group = self.root / f"p{pid}"
        group.mkdir(exist_ok=True)
        (group / "cpu.cfs_period_us").write_text(str(self.period_us))
        (group / "cpu.cfs_quota_us").write_text(str(max(1000, round(self.share * self.period_us))))
        try:
            (group / "cgroup.procs").write_text(str(pid))
        except ProcessLookupError:  # it has ended already
            return
        self._groups[pid] = group

    def confine_children(self, pid: int) -> int:
        """Move every other process found in ``pid``'s group (one it started) to a group of its
        own; returns how many were moved."""
        group = self._groups.get(pid)
        if group is None:
            return 0
        try:
            members = [int(line) for line in (group / "cgroup.procs").read_text().split()]
        except OSError:
            return 0
        moved = 0
        for member in members:
            if member != pid:
                self.confine(member)
                moved += 1
        return moved

    def close(self) -> None:
        """Return this process to its own group and remove every group made (those whose
        processes have ended: the benchmark's crawls have, by then)."""
        if os.getpid() in self._groups:
            (self.home / "cgroup.procs").write_text(str(os.getpid()))
        for group in sorted(self.root.glob("p*")):
            try:
                group.rmdir()
            except OSError as err:  # a process still in it: left, and said
                logger.warning("CPU cgroup %s not removed: %s", group, err)
        with contextlib.suppress(OSError):
            self.root.rmdir()
        self._groups.clear()


@contextlib.contextmanager
def cpu_cap(share: float | None):
    """A ``CpuCap`` with this process (the benchmark's mirror) confined, or None without a share."""
    if not share:
        yield None
        return
    cap = CpuCap(share)
    try:
        cap.confine(os.getpid())
        yield cap
    finally:
        cap.close()
