"""The schedules in ``deploy/`` stay honest: cron line and systemd units run ``csto refresh``.

``deploy/crontab``: one job line with five valid time fields running ``csto refresh``; its
shell command is run here with a stand-in ``csto`` to check what cron would mail: nothing
on success or when another refresh holds the lock (75), one line on a failure.
``deploy/systemd/``: the service's ExecStart runs ``csto refresh`` and counts 75 as success;
the timer has OnCalendar and Persistent and starts that service. ``systemd-analyze verify``
checks both units when the machine has it (the checkout's paths stand in for /srv/…).
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SERVICE = DEPLOY / "systemd" / "csto-refresh.service"
TIMER = DEPLOY / "systemd" / "csto-refresh.timer"
#: ``csto refresh``'s status when another refresh holds the lock.
EXIT_LOCKED = 75

CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
               ("day of week", 0, 7))
CRON_NAMES = {
    "month": {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)},
    "day of week": {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())},
}


def cron_field_ok(text: str, name: str, low: int, high: int) -> bool:
    """Whether one cron time field (``*``, ``N``, ``A-B``, lists, ``/step``) is in range."""
    names = CRON_NAMES.get(name, {})

    def value(token: str) -> int | None:
        token = token.lower()
        number = names.get(token, int(token) if token.isdigit() else None)
        return number if number is not None and low <= number <= high else None

    for part in text.split(","):
        span, _, step = part.partition("/")
        if step and not (step.isdigit() and 0 < int(step) <= high):
            return False
        if span == "*":
            continue
        bounds = [value(t) for t in span.split("-")]
        if len(bounds) > 2 or None in bounds or (len(bounds) == 2 and bounds[0] > bounds[1]):
            return False
        if step and len(bounds) == 1:
            return False
    return True


def crontab() -> tuple[dict[str, str], list[str]]:
    """The crontab's variable assignments and its job lines."""
    env, jobs = {}, []
    for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)", line)
        if match and not line[0].isdigit() and line[0] not in "*@":
            env[match[1]] = match[2].strip().strip("\"'")
        else:
            jobs.append(line)
    return env, jobs


def test_cron_line_has_five_valid_time_fields_and_runs_csto_refresh():
    env, jobs = crontab()
    assert len(jobs) == 1, jobs
    fields = jobs[0].split(None, 5)
    assert len(fields) == 6, "five time fields, then the command"
    for text, (name, low, high) in zip(fields[:5], CRON_FIELDS, strict=True):
        assert cron_field_ok(text, name, low, high), f"{name}: {text!r}"
    assert "%" not in fields[5], "cron turns % into a newline"
    assert re.search(r"(^|[\s/])csto refresh\b", fields[5])
    assert "CSTO_HOME" in env


def test_cron_field_check_rejects_bad_fields():
    assert cron_field_ok("*/4", "hour", 0, 23) and cron_field_ok("1-5,sun", "day of week", 0, 7)
    for text, (name, low, high) in [("60", CRON_FIELDS[0]), ("x", CRON_FIELDS[0]), ("*/0", CRON_FIELDS[1]),
                                     ("5-1", CRON_FIELDS[1]), ("1-2-3", CRON_FIELDS[1]), ("24", CRON_FIELDS[1]),
                                     ("0", CRON_FIELDS[3]), ("7/2", CRON_FIELDS[1])]:
        assert not cron_field_ok(text, name, low, high), (name, text)


def fake_home(tmp_path: Path, status: int) -> Path:
    """A CSTO_HOME whose ``.venv/bin/csto`` writes a summary and exits with ``status``."""
    home = tmp_path / f"home-{status}"
    (home / "archive").mkdir(parents=True)
    script = home / ".venv" / "bin" / "csto"
    script.parent.mkdir(parents=True)
    script.write_text(f'#!/bin/sh\necho "summary for $*"\necho "a warning" >&2\nexit {status}\n',
                      encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return home


@pytest.mark.parametrize(("status", "mailed"), [(0, False), (EXIT_LOCKED, False), (1, True), (2, True)])
def test_cron_command_mails_only_real_failures(tmp_path, status, mailed):
    env, jobs = crontab()
    home = fake_home(tmp_path, status)
    command = jobs[0].split(None, 5)[5]
    run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env, "CSTO_HOME": str(home),
               "HOME": str(tmp_path)}
    proc = subprocess.run(["/bin/sh", "-c", command], cwd=tmp_path, env=run_env,
                          capture_output=True, text=True, timeout=30)
    output = proc.stdout + proc.stderr  # cron mails both
    assert bool(output.strip()) == mailed, output
    if mailed:
        assert f"status {status}" in output
    log = (home / "archive" / "refresh.log").read_text(encoding="utf-8")
    assert "summary for refresh" in log and "a warning" in log


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",),
                                       comment_prefixes=("#", ";"), empty_lines_in_values=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser


def test_service_runs_csto_refresh_and_accepts_the_lock_status():
    service = unit(SERVICE)
    assert service["Service"]["Type"] == "oneshot"
    exec_start = shlex.split(service["Service"]["ExecStart"].lstrip("-@:+!"))
    assert Path(exec_start[0]).name == "csto" and exec_start[1] == "refresh", exec_start
    assert str(EXIT_LOCKED) in service["Service"]["SuccessExitStatus"].split()
    work = service["Service"]["WorkingDirectory"]
    assert exec_start[0].startswith(work + "/"), "the checkout's own venv runs the job"
    if "ReadWritePaths" in service["Service"]:
        assert f"{work}/archive" in service["Service"]["ReadWritePaths"].split(), "the archive is writable"


def test_timer_is_calendar_based_persistent_and_starts_the_service():
    timer = unit(TIMER)["Timer"]
    assert timer.get("OnCalendar", "").strip()
    assert timer.get("Persistent", "").lower() in ("true", "yes", "1", "on")
    assert timer.get("Unit", SERVICE.name) == SERVICE.name, "the timer starts csto-refresh.service"
    assert TIMER.stem == SERVICE.stem
    assert unit(TIMER)["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    # verify checks that ExecStart exists: point the units at this checkout's interpreter folder.
    work = unit(SERVICE)["Service"]["WorkingDirectory"]
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "csto").exists():
        pytest.skip(f"no csto script next to {sys.executable}")
    for source in (SERVICE, TIMER):
        text = source.read_text(encoding="utf-8").replace(f"{work}/.venv/bin", str(bin_dir))
        (tmp_path / source.name).write_text(text.replace(work, str(ROOT)), encoding="utf-8")
    proc = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / SERVICE.name), str(tmp_path / TIMER.name)],
        capture_output=True, text=True, timeout=60,
    )
    ours = [line for line in (proc.stdout + proc.stderr).splitlines() if "csto-refresh" in line]
    assert proc.returncode == 0 and not ours, proc.stdout + proc.stderr
    calendar = subprocess.run(["systemd-analyze", "calendar", unit(TIMER)["Timer"]["OnCalendar"]],
                              capture_output=True, text=True, timeout=30)
    assert calendar.returncode == 0, calendar.stderr
