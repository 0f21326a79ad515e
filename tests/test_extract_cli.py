"""``csto extract``: one page (text, ``--json``) and many (``--jsonl``, ``--jobs``, progress).

``--json`` prints the crawl's own item fields (the spider's ``article_item``), so the canonical
URL a user sees is the one the archive stores; batch mode extracts many pages in one process
and its worker pool, each page's line the same as the one-page ``--json``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FIXTURES, load_sidecar, sidecars

from csto_crawler import PROJECT_ROOT
from csto_crawler.cli import main
from csto_crawler.fixtures import parse_fixture
from csto_crawler.items import ArticleItem
from csto_crawler.saved_pages import page_text, sidecar_url
from csto_crawler.sites import spider_for_url


def _articles():
    for sidecar in sidecars(kind="article"):
        url = load_sidecar(sidecar)["url"]
        if spider_for_url(url) is not None:
            yield sidecar, url


def _json(capsys, *argv) -> dict:
    assert main(["extract", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_shows_the_canonical_url_and_fields_the_crawl_stores(capsys):
    checked = 0
    for sidecar, url in _articles():
        item = parse_fixture(sidecar, spider_for_url(url)())
        if not isinstance(item, ArticleItem):
            continue
        shown = _json(capsys, str(sidecar.with_suffix(".html")), "--url", url, "--json")
        assert (shown["url"], shown["site"], shown["canonical_url"]) == (item.url, item.site, item.canonical_url), sidecar
        checked += 1
    assert checked >= 50


def test_json_keeps_its_documented_keys(capsys):
    sidecar = FIXTURES / "khovar" / "ar_article_2021-08-23.json"
    shown = _json(capsys, str(sidecar.with_suffix(".html")), "--url", load_sidecar(sidecar)["url"], "--json")
    assert set(shown) == {"url", "site", "canonical_url", "language", "title", "text", "published_at",
                          "modified_at", "author", "source_credit", "extraction"}


def test_a_url_that_is_not_absolute_is_refused(capsys, tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>x</p></body></html>")
    assert main(["extract", str(page), "--url", "example.com/a"]) == 2
    assert "absolute URL" in capsys.readouterr().err


def _folder(tmp_path, count: int):
    """``count`` fixture article pages with their sidecars, copied into one folder tree."""
    chosen = [s for s, _ in _articles()][:count]
    for index, sidecar in enumerate(chosen):
        target = tmp_path / "pages" / f"{index % 3}"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(sidecar.with_suffix(".html"), target / f"{sidecar.parent.name}_{sidecar.stem}.html")
        shutil.copy(sidecar, target / f"{sidecar.parent.name}_{sidecar.stem}.json")
    return tmp_path / "pages", chosen


@pytest.mark.parametrize("jobs", ["0", "2"])
def test_a_folder_gives_one_line_per_page_equal_to_the_one_page_json(capsys, tmp_path, jobs):
    folder, chosen = _folder(tmp_path, 12)
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(folder), "--jsonl", str(out), "--jobs", jobs]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    files = sorted(str(p) for p in folder.rglob("*.html"))
    assert [line["file"] for line in lines] == files
    capsys.readouterr()
    for line in lines[:4]:
        single = _json(capsys, line["file"], "--url", sidecar_url(Path(line["file"])), "--json")
        assert {k: v for k, v in line.items() if k != "file"} == single


def test_batch_errors_are_written_on_their_line_and_counted(capsys, tmp_path):
    folder, _ = _folder(tmp_path, 2)
    empty = folder / "0" / "empty.html"
    empty.write_bytes(b"")
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(folder), str(tmp_path / "missing.html"), "--jsonl", str(out), "--jobs", "1"]) == 1
    lines = {json.loads(x)["file"]: json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()}
    assert lines[str(tmp_path / "missing.html")]["error"].startswith("cannot read")
    assert lines[str(empty)].get("text") is None
    assert "2 of 4 pages gave no article text" in capsys.readouterr().err


def test_batch_usage_errors(capsys, tmp_path):
    folder, _ = _folder(tmp_path, 2)
    assert main(["extract", str(folder)]) == 2
    assert "--jsonl OUT" in capsys.readouterr().err
    assert main(["extract", str(folder), "--jsonl", "-", "--url", "https://x.example/"]) == 2
    assert main(["extract", str(tmp_path / "nothing-here"), "--jsonl", "-"]) == 1  # an error line
    (tmp_path / "no-pages").mkdir()
    assert main(["extract", str(tmp_path / "no-pages"), "--jsonl", "-"]) == 2
    assert "no *.html" in capsys.readouterr().err


def test_a_runaway_page_is_an_error_line_and_the_batch_goes_on(tmp_path, monkeypatch):
    import os

    folder, _ = _folder(tmp_path, 3)
    stuck = folder / "1" / "stuck.html"
    stuck.write_text("<html><body><p>never done</p></body></html>")
    (folder / "1" / "stuck.json").write_text(json.dumps({"url": "https://stuck.example/a"}))
    env = dict(os.environ, POOL_TEST_STALL_URLS="https://stuck.example/a", CSTO_EXTRACT_FUNCTION="pool_functions:stall_on",
               PYTHONPATH=os.pathsep.join([str(PROJECT_ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "csto_crawler", "extract", str(folder), "--jsonl", "-", "--jobs", "2",
                           "--timeout", "2"], capture_output=True, text=True, env=env, timeout=120, cwd=PROJECT_ROOT)
    assert time.perf_counter() - started < 60
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert proc.returncode == 1, proc.stderr
    assert [x.get("error") for x in lines if x["file"] == str(stuck)] == ["extraction timeout"]
    assert sum(bool(x.get("text")) for x in lines) == 3


def test_progress_bar_only_when_asked_or_on_a_terminal(capsys, tmp_path):
    folder, _ = _folder(tmp_path, 3)
    assert main(["extract", str(folder), "--jsonl", str(tmp_path / "a.jsonl"), "--jobs", "0"]) == 0
    assert "pages/s" not in capsys.readouterr().err  # stderr is not a terminal here
    assert main(["extract", str(folder), "--jsonl", str(tmp_path / "b.jsonl"), "--jobs", "0", "--progress"]) == 0
    assert "3/3 pages" in capsys.readouterr().err


def test_page_text_is_the_text_csto_extract_prints(capsys):
    sidecar = FIXTURES / "khovar" / "ar_article_2021-08-23.json"
    url = load_sidecar(sidecar)["url"]
    page = sidecar.with_suffix(".html")
    assert main(["extract", str(page), "--url", url]) == 0
    assert page_text(page.read_bytes(), url) == capsys.readouterr().out.rstrip("\n")
    assert page_text(page.read_text(encoding="utf-8")).startswith("عقد")  # no URL: generic layers


def test_two_hundred_pages_take_seconds_not_minutes(tmp_path):
    folder, chosen = _folder(tmp_path, 40)
    for copy in range(4):  # 5 × the pages (≥ 200), each with its sidecar
        for page in list(folder.rglob("*.html")):
            if "_copy" not in page.stem:
                shutil.copy(page, page.with_name(f"{page.stem}_copy{copy}.html"))
                shutil.copy(page.with_suffix(".json"), page.with_name(f"{page.stem}_copy{copy}.json"))
    pages = list(folder.rglob("*.html"))
    assert len(pages) >= 200
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "csto_crawler", "extract", str(folder), "--jsonl",
                           str(tmp_path / "out.jsonl")], capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
    seconds = time.perf_counter() - started
    assert proc.returncode in (0, 1), proc.stderr
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == len(pages)
    assert seconds < 60, f"{len(pages)} pages took {seconds:.0f} s"


# --- a saved page's charset, as a crawl decodes it (guards.CharsetMiddleware) -----------------
_RUSSIAN = ["Совет коллективной безопасности ОДКБ провёл заседание в Москве и обсудил положение на границах.",
            "Министры иностранных дел государств-членов согласовали заявление о миротворческой деятельности.",
            "Генеральный секретарь организации рассказал журналистам о планах совместных учений в будущем году."]


def _saved_page(meta: str) -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in _RUSSIAN * 3)
    return (f"<html><head>{meta}<title>Заседание ОДКБ</title></head><body><article><h1>Заседание ОДКБ</h1>"
            f"{paragraphs}</article></body></html>")


@pytest.mark.parametrize(("meta", "codec"), [
    ('<meta charset="windows-1251">', "utf-8"),  # re-encoded to UTF-8, its old declaration left
    ('<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">', "utf-8"),
    ('<meta charset="windows-1251">', "cp1251"),  # declared and true
    ("", "utf-8"),  # undeclared UTF-8
    ("", "cp1251"),  # undeclared windows-1251: charset-normalizer's guess, as in a crawl
])
def test_a_saved_page_is_decoded_as_the_crawl_decodes_it(meta, codec, tmp_path, capsys):
    page = _saved_page(meta).encode(codec)
    assert _RUSSIAN[0] in page_text(page)
    path = tmp_path / "page.html"
    path.write_bytes(page)
    assert main(["extract", str(path)]) == 0
    assert _RUSSIAN[1] in capsys.readouterr().out


def test_an_encoding_given_by_the_caller_is_used_as_given(tmp_path, capsys):
    path = tmp_path / "page.html"
    path.write_bytes(_saved_page('<meta charset="windows-1251">').encode("utf-8"))
    assert main(["extract", str(path), "--encoding", "windows-1251"]) == 0
    assert _RUSSIAN[1] not in capsys.readouterr().out  # the caller asked for it: mojibake
