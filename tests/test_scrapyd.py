"""Scrapyd deployment end to end: deploy the project to a real ``scrapyd`` and run a spider.

A ``scrapyd`` process is started on a free loopback port with its eggs, logs, items and dbs
in a temporary folder. ``scrapyd-deploy`` builds the project's egg from the checkout (via
``setup.py``) and uploads it, to a target that a ``scrapy.cfg`` under ``XDG_CONFIG_HOME``
defines (the way an operator adds a target without editing the repository). Checked:

* the egg holds both packages, the seeds byte for byte as in ``seeds/``, and the Scrapy
  settings entry point; imported alone (no checkout, no editable install) its settings find
  the seeds and every spider loads;
* Scrapyd lists the project's spiders (its runner loads them from the egg);
* ``akorda`` scheduled through ``schedule.json`` with ``setting=CSTO_MIRROR=…`` and
  ``setting=CSTO_ARCHIVE_DB=…`` finishes and writes exactly the site's CSTO-related articles
  to that archive, with a finished ``runs`` row, and the items feed Scrapyd asked for.
"""

from __future__ import annotations

import configparser
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest
from helpers import load_sidecar, sidecars

pytest.importorskip("scrapyd", reason="scrapyd is a test dependency (pyproject [test])")
pytest.importorskip("scrapyd_client", reason="scrapyd-client is a test dependency (pyproject [test])")

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SPIDER = "akorda"
VERSION = "e2e-1"


def _deploy_project() -> str:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "scrapy.cfg")
    return cfg.get("deploy", "project")


PROJECT = _deploy_project()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the project's and Scrapy's variables, nor a PYTHONPATH that
    could put the checkout ahead of the deployed egg."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CSTO_", "SCRAPY_", "SCRAPYD_")) and k != "PYTHONPATH"}
    env.update(extra)
    return env


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None, **query: str) -> dict:
    url = f"{base}/{endpoint}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=30) as response:
        return json.load(response)


class Scrapyd:
    """A ``scrapyd`` process in its own folder and process group; ``url`` is its API root."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dirs = {name: home / name for name in ("eggs", "logs", "items", "dbs")}
        for path in self.dirs.values():
            path.mkdir(parents=True)
        # Scrapyd reads ./scrapyd.conf (its working folder, which is also its jobs' one).
        (home / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            "bind_address = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            "max_proc = 2\n"
            "poll_interval = 0.5\n"
            + "".join(f"{name}_dir = {path}\n" for name, path in self.dirs.items()),
            encoding="utf-8",
        )
        self.output = home / "scrapyd.out"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        with open(self.output, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "scrapyd", "--pidfile="], cwd=self.home, env=clean_env(),
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"scrapyd exited: {self.tail()}"
            try:
                if api(self.url, "daemonstatus.json")["status"] == "ok":
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"scrapyd did not answer on {self.url}: {self.tail()}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        # Jobs are children in scrapyd's process group: end any a failed test left running.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def tail(self, chars: int = 3000) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")[-chars:] if self.output.exists() else ""


@pytest.fixture
def mirror():
    from csto_crawler.mirror import MirrorServer

    server = MirrorServer(port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def scrapyd(tmp_path):
    server = Scrapyd(tmp_path / "scrapyd")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def deploy(server: Scrapyd, tmp_path: Path) -> dict:
    """``scrapyd-deploy e2e`` from the checkout, the target defined outside the repository."""
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    (xdg / "scrapy.cfg").write_text(f"[deploy:e2e]\nurl = {server.url}/\nproject = {PROJECT}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "e2e", "--version", VERSION],
        cwd=ROOT, env=clean_env(XDG_CONFIG_HOME=str(xdg)), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, f"scrapyd-deploy failed:\n{proc.stdout}\n{proc.stderr}\n{server.tail()}"
    return json.loads(proc.stdout)


def check_egg(egg: Path) -> None:
    with zipfile.ZipFile(egg) as zf:
        names = set(zf.namelist())
        assert {"csto_crawler/__init__.py", "csto_crawler/settings.py", "pipelines/__init__.py"} <= names
        seeds = sorted((ROOT / "seeds").glob("*.yml"))
        assert seeds
        for seed in seeds:
            assert zf.read(f"csto_crawler/seed_data/{seed.name}") == seed.read_bytes(), seed.name
        entry_points = configparser.ConfigParser()
        entry_points.read_string(zf.read("EGG-INFO/entry_points.txt").decode())
        assert entry_points.get("scrapy", "settings") == "csto_crawler.settings"


# Run with ``python -S``: no .pth files, so neither the editable install nor the checkout is
# reachable; only the egg and the dependencies' folders are on sys.path.
EGG_ALONE = """
import json, os, sys
egg, site_dirs = sys.argv[1], json.loads(sys.argv[2])
sys.path[:0] = [egg]
sys.path.extend(site_dirs)
import csto_crawler
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
settings = Settings()
settings.setmodule("csto_crawler.settings", priority="project")
from pipelines.relevance import load_terms
load_terms(settings["CSTO_RELEVANCE_TERMS"])
print(json.dumps({
    "package": csto_crawler.__file__,
    "seeds": sorted(os.listdir(settings["CSTO_SEEDS_DIR"])),
    "archive": settings["CSTO_ARCHIVE_DB"],
    "spiders": SpiderLoader.from_settings(settings).list(),
}))
"""


def egg_alone(egg: Path, cwd: Path) -> dict:
    import site

    site_dirs = [*site.getsitepackages(), site.getusersitepackages()]
    proc = subprocess.run(
        [sys.executable, "-S", "-c", EGG_ALONE, str(egg), json.dumps(site_dirs)],
        cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)


def wait_finished(server: Scrapyd, job: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = api(server.url, "listjobs.json", project=PROJECT)
        for finished in jobs["finished"]:
            if finished["id"] == job:
                return finished
        time.sleep(0.5)
    api(server.url, "cancel.json", [("project", PROJECT), ("job", job)])
    raise AssertionError(f"job {job} did not finish in {timeout} s: {server.tail()}")


def test_deploy_and_schedule_through_scrapyd(mirror, scrapyd, tmp_path):
    from csto_crawler.sites import spider_classes

    deployed = deploy(scrapyd, tmp_path)
    assert deployed["status"] == "ok" and deployed["project"] == PROJECT and deployed["version"] == VERSION
    assert deployed["spiders"] == len(spider_classes())

    egg = scrapyd.dirs["eggs"] / PROJECT / f"{VERSION}.egg"
    check_egg(egg)
    alone = egg_alone(egg, tmp_path)
    assert alone["package"].startswith(str(egg)), "the egg's own code was imported"
    assert alone["seeds"] == sorted(p.name for p in (ROOT / "seeds").glob("*.yml"))
    assert alone["archive"] == str(tmp_path / "archive" / "archive.db"), "default archive: the working folder"
    assert set(alone["spiders"]) == set(spider_classes())

    listed = api(scrapyd.url, "listspiders.json", project=PROJECT)
    assert listed["status"] == "ok" and set(listed["spiders"]) == set(spider_classes())

    db = tmp_path / "archive" / "scrapyd.db"
    scheduled = api(scrapyd.url, "schedule.json", [
        ("project", PROJECT), ("spider", SPIDER),
        ("setting", f"CSTO_MIRROR={mirror.base_url}"), ("setting", f"CSTO_ARCHIVE_DB={db}"),
    ])
    assert scheduled["status"] == "ok", scheduled
    finished = wait_finished(scrapyd, scheduled["jobid"])
    assert finished["spider"] == SPIDER

    log = (scrapyd.dirs["logs"] / PROJECT / SPIDER / f"{scheduled['jobid']}.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log[-4000:]
    assert f"archive {db}: run" in log

    fixtures = [load_sidecar(p) for p in sidecars(SPIDER, "article")]
    relevant = {f["expected"]["canonical_url"] for f in fixtures if f["relevant"]}
    assert relevant and len(relevant) < len(fixtures)
    with sqlite3.connect(db) as con:
        documents = dict(con.execute("SELECT url, site FROM documents"))
        runs = con.execute("SELECT spider, finished_at, finish_reason FROM runs").fetchall()
    assert set(documents) == relevant and set(documents.values()) == {SPIDER}
    assert len(runs) == 1 and runs[0][0] == SPIDER and runs[0][1] and runs[0][2] == "finished"

    items_file = scrapyd.dirs["items"] / PROJECT / SPIDER / f"{scheduled['jobid']}.jl"
    items = [json.loads(line) for line in items_file.read_text(encoding="utf-8").splitlines()]
    assert {item["canonical_url"] for item in items} == relevant
