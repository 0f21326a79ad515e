"""The ``csto`` command: every subcommand has help; ``python -m csto_crawler`` works."""

from __future__ import annotations

import subprocess
import sys

import pytest

from csto_crawler.cli import build_parser, main
from pipelines.archive import Archive
from pipelines.hashing import content_hash, short_hash


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_csto_export_writes_one_text_file_per_distinct_content(tmp_path):
    """``python -m csto_crawler export`` (the installed command) on a small archive: the files
    it writes, by name and content."""
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        for url, title, text in (("https://a.example/1", "ОДКБ один", "Первый текст."),
                                 ("https://a.example/2", "ОДКБ два", "Второй текст."),
                                 ("https://b.example/copy", "ОДКБ один", "Первый текст.")):
            archive.store_article({"url": url, "site": "a", "title": title, "text": text})
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "csto_crawler", "export", str(out), "--db", str(db)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    first, second = content_hash("ОДКБ один", "Первый текст."), content_hash("ОДКБ два", "Второй текст.")
    assert sorted(p.name for p in out.iterdir()) == [f"000_{short_hash(first)}.txt", f"001_{short_hash(second)}.txt"]
    assert (out / f"000_{short_hash(first)}.txt").read_text(encoding="utf-8") == "ОДКБ один\n\nПервый текст.\n"


@pytest.mark.parametrize("name", subcommands())
def test_every_subcommand_has_help(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"csto {name}" in out and len(out.splitlines()) > 2


def test_python_dash_m_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "csto_crawler", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "export" in result.stdout
