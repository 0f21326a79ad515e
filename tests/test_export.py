"""``csto export``: NNN_<short_hash>.txt per distinct current content, deterministic."""

from __future__ import annotations

import json

from csto_crawler.cli import main
from pipelines.archive import Archive

DOCS = [
    dict(url="https://a.example/1", site="a", title="Первая ОДКБ", text="Текст один.",
         published_at="2023-06-19T21:34:00+06:00"),
    dict(url="https://a.example/2", site="a", title="Вторая ОДКБ", text="Текст два."),
    dict(url="https://b.example/copy", site="b", title="Первая ОДКБ", text="Текст один."),
]


def filled(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as arch:
        for doc in DOCS:
            arch.store_article(doc)
    return path


def test_export_names_contents_by_first_appearance(tmp_path):
    db = filled(tmp_path)
    out = tmp_path / "out"
    assert main(["export", str(out), "--db", str(db)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 2  # the duplicate shares one content
    assert files[0].startswith("000_") and files[1].startswith("001_")
    with Archive(db) as arch:
        first = next(arch.db.query("SELECT short_hash FROM contents WHERE title = 'Первая ОДКБ'"))
    assert files[0] == f"000_{first['short_hash']}.txt"
    assert (out / files[0]).read_text(encoding="utf-8") == (
        "Первая ОДКБ\n\n2023-06-19T21:34:00+06:00\n\nТекст один.\n")


def test_export_twice_gives_identical_files_and_removes_stale_ones(tmp_path):
    db = filled(tmp_path)
    out = tmp_path / "out"
    main(["export", str(out), "--db", str(db)])
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "999_0123456789abcdef.txt").write_text("stale", encoding="utf-8")
    (out / "notes.md").write_text("mine", encoding="utf-8")
    main(["export", str(out), "--db", str(db)])
    second = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "notes.md"}
    assert first == second
    assert (out / "notes.md").exists()


def test_export_jsonl_one_object_per_article(tmp_path):
    db = filled(tmp_path)
    out = tmp_path / "out"
    assert main(["export", str(out), "--db", str(db), "--format", "jsonl"]) == 0
    lines = (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["url"] for r in records] == ["https://a.example/1", "https://b.example/copy",
                                           "https://a.example/2"]
    assert records[1]["duplicate_of"] == records[0]["document_id"]
    assert records[0]["export_name"] == records[1]["export_name"]
    main(["export", str(out), "--db", str(db), "--format", "jsonl"])
    assert (out / "articles.jsonl").read_text(encoding="utf-8").splitlines() == lines


def test_export_without_archive_fails_clearly(tmp_path, capsys):
    assert main(["export", str(tmp_path / "o"), "--db", str(tmp_path / "missing.db")]) == 1
    assert "no archive" in capsys.readouterr().err
