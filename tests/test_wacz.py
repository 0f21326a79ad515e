"""``csto export --format wacz``: the captures as a WACZ that ``wacz validate`` passes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from capture_warcs import fixture_pages, wget_warc
from helpers import query

from csto_crawler import PROJECT_ROOT
from csto_crawler.capture.importer import import_warcs
from pipelines.archive import Archive


def csto(*args):
    return subprocess.run([sys.executable, "-m", "csto_crawler", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=180)


def test_export_wacz_validates_and_lists_every_article(tmp_path):
    warc = wget_warc(tmp_path / "in.warc.gz", [p for p, _ in fixture_pages("akorda")])
    db = tmp_path / "archive" / "archive.db"
    import_warcs([warc], db)
    out = tmp_path / "out" / "archive.wacz"
    result = csto("export", "--format", "wacz", str(out), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "wacz validate passed" in result.stdout
    # validated again here, by the wacz tool itself
    validate = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(out)],
                              capture_output=True, text=True, timeout=120)
    assert validate.returncode == 0 and "succeeded" in validate.stdout, validate.stdout
    with zipfile.ZipFile(out) as wacz:
        names = set(wacz.namelist())
        warcs = {n for n in names if n.startswith("archive/")}
        package = json.loads(wacz.read("datapackage.json"))
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]
    files = {r["warc_file"].rsplit("/", 1)[1] for r in query(db, "SELECT warc_file FROM captures")}
    assert warcs == {f"archive/{name}" for name in files}
    assert {"indexes/index.cdx.gz", "datapackage-digest.json"} <= names
    assert {r["path"] for r in package["resources"]} >= warcs
    urls = {r["url"] for r in query(db, "SELECT c.url FROM versions v JOIN captures c "
                                        "ON c.id = v.capture_id")}
    assert {p["url"] for p in pages[1:]} == urls and pages[0]["format"] == "json-pages-1.0"


def test_export_wacz_of_an_archive_without_captures_says_so(tmp_path):
    db = tmp_path / "archive.db"
    Archive(db).close()
    result = csto("export", "--format", "wacz", str(tmp_path / "x.wacz"), "--db", str(db))
    assert result.returncode == 1 and "no captures" in result.stderr
