"""Raw captures, unit level: the WARC writer, revisits, the captures table and its migration."""

from __future__ import annotations

import gzip
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from csto_crawler.capture.check import check_archive, check_warc_file
from csto_crawler.capture.log import CaptureLog, resolve_path
from csto_crawler.capture.middleware import ARTICLE_KINDS, ENTRY_KINDS, capture_kinds
from csto_crawler.capture.read import CaptureReader, read_record
from csto_crawler.capture.warc import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    Exchange,
    WarcWriter,
    payload_digest,
)
from pipelines.archive import Archive
from pipelines.schema import MIGRATIONS

T0 = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
PAGE = ("<html><head><title>ОДКБ</title></head><body>"
        + "".join(f"<p>Совет ОДКБ собрался, пункт {n}.</p>" for n in range(40)) + "</body></html>")


def exchange(url="https://www.example.kz/news/1", body=None, status=200, when=T0,
             headers=None):
    body = PAGE.encode() if body is None else body
    return Exchange(url=url, method="GET", request_headers=[("User-Agent", "csto-test")],
                    status=status, reason="OK" if status == 200 else "Not Modified",
                    response_headers=headers or [("Content-Type", "text/html; charset=utf-8"),
                                                 ("Transfer-Encoding", "chunked")],
                    body=body, fetched_at=when)


def records(path):
    with path.open("rb") as handle:
        return [(r.rec_type, r.rec_headers, r.content_stream().read())
                for r in ArchiveIterator(handle)]


def test_payload_digest_is_the_standard_sha1_base32():
    assert payload_digest(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
    assert payload_digest(b"abc") == "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5"


def test_writer_writes_warcinfo_response_and_request_per_file(tmp_path):
    writer = WarcWriter(tmp_path, clock=lambda: T0)
    written = writer.write_exchange(exchange())
    writer.close()
    assert written.path.name == "csto-20261201083000-00000.warc.gz"
    got = records(written.path)
    assert [r[0] for r in got] == ["warcinfo", "response", "request"]
    assert all(h.protocol == "WARC/1.1" for _, h, _ in got)
    _, response, body = got[1]
    assert body == PAGE.encode()
    assert response.get_header("WARC-Payload-Digest") == payload_digest(PAGE.encode())
    assert written.payload_digest == payload_digest(PAGE.encode())
    assert got[2][1].get_header("WARC-Concurrent-To") == written.record_id
    assert response.get_header("WARC-Date") == "2026-12-01T08:30:00Z"
    # gzip per record: the response's member decompresses on its own, from its offset
    raw = written.path.read_bytes()[written.offset:written.offset + written.length]
    member = gzip.decompress(raw)
    assert member.startswith(b"WARC/1.1\r\n") and b"\r\nWARC-Type: response\r\n" in member
    assert member.endswith(PAGE.encode() + b"\r\n\r\n")  # one whole record, nothing more
    record = read_record(written.path, written.offset, written.length)
    assert record.status == 200 and record.decoded == PAGE.encode()
    # the transfer's chunking is not what is stored: the header goes, a length is given
    assert ("Transfer-Encoding", "chunked") not in record.headers
    assert ("Content-Length", str(len(PAGE.encode()))) in record.headers


def test_a_payload_the_server_compressed_is_stored_and_a_plain_one_deflated(tmp_path):
    """A gzipped payload is not deflated again (its member holds it at about its own size),
    a plain one is; both read back byte for byte, with the same digests."""
    plain = (PAGE * 20).encode()
    zipped = gzip.compress(plain)
    writer = WarcWriter(tmp_path, clock=lambda: T0)
    as_sent = writer.write_exchange(exchange(body=zipped, headers=[
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]))
    deflated = writer.write_exchange(exchange(body=plain))
    writer.close()
    def member(written):
        return written.path.read_bytes()[written.offset:written.offset + written.length]
    # stored: the record's bytes are readable in the gzip member as they are; deflated: not
    assert b"WARC-Type: response\r\n" in member(as_sent) and zipped in member(as_sent)
    assert b"WARC-Type: response" not in member(deflated) and deflated.length < len(plain) / 5
    for written, payload in ((as_sent, zipped), (deflated, plain)):
        record = read_record(written.path, written.offset, written.length)
        assert record.payload == payload and written.payload_digest == payload_digest(payload)
    assert read_record(as_sent.path, as_sent.offset, as_sent.length).decoded == plain
    assert check_warc_file(as_sent.path) == (5, None)  # warcinfo, two responses, two requests


def test_writer_rotates_at_max_bytes_with_a_warcinfo_each(tmp_path):
    writer = WarcWriter(tmp_path, max_bytes=2000, clock=lambda: T0)
    for n in range(6):
        writer.write_exchange(exchange(url=f"https://www.example.kz/news/{n}",
                                       body=(PAGE * 3 + str(n)).encode()))
    writer.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 3
    assert [f.name for f in files][:2] == ["csto-20261201083000-00000.warc.gz",
                                           "csto-20261201083000-00001.warc.gz"]
    for path in files:
        assert records(path)[0][0] == "warcinfo"
        assert check_warc_file(path)[1] is None
        assert path.stat().st_size < 2000 + 3000  # one exchange over the limit at most


@pytest.fixture
def capture_log(tmp_path):
    clock = iter(T0 + timedelta(minutes=n) for n in range(100))
    log = CaptureLog(tmp_path / "archive.db", clock=lambda: next(clock))
    yield log
    log.close()


def test_identical_payload_becomes_a_revisit_of_the_original(capture_log):
    first = capture_log.capture(exchange(), "article")
    again = capture_log.capture(exchange(when=T0 + timedelta(hours=4)), "recheck")
    elsewhere = capture_log.capture(exchange(url="https://www.example.kz/news/copy"), "article")
    assert first.record_type == "response"
    assert again.record_type == "revisit" and again.revisit_of == first.capture_id
    assert elsewhere.record_type == "revisit" and elsewhere.revisit_of == first.capture_id
    assert again.length < first.length
    reader = CaptureReader(capture_log.db_path, capture_log.db)
    original, revisit = reader.row(first.capture_id), reader.row(again.capture_id)
    path = resolve_path(capture_log.db_path, revisit["warc_file"])
    record = [r for r in records(path) if r[1].get_header("WARC-Record-ID") == revisit["record_id"]]
    headers = record[0][1]
    assert headers.get_header("WARC-Profile") == IDENTICAL_PAYLOAD
    assert headers.get_header("WARC-Refers-To") == original["record_id"]
    assert headers.get_header("WARC-Refers-To-Target-URI") == original["url"]
    assert headers.get_header("WARC-Payload-Digest") == original["payload_digest"]
    # the revisit reads back as the original's payload
    assert reader.load(again.capture_id).body == PAGE.encode()


def test_a_304_is_a_server_not_modified_revisit(capture_log):
    first = capture_log.capture(exchange(), "article")
    confirmed = capture_log.capture(exchange(status=304, body=b""), "recheck")
    assert confirmed.record_type == "revisit" and confirmed.revisit_of == first.capture_id
    reader = CaptureReader(capture_log.db_path, capture_log.db)
    row = reader.row(confirmed.capture_id)
    assert row["status"] == 304
    record = reader.record(row)
    assert record.record_type == "revisit"
    path = resolve_path(capture_log.db_path, row["warc_file"])
    profile = [h.get_header("WARC-Profile") for t, h, _ in records(path) if t == "revisit"]
    assert profile == [SERVER_NOT_MODIFIED]
    stored = reader.load(confirmed.capture_id)
    assert stored.status == 200 and stored.body == PAGE.encode()


def test_empty_payloads_and_lost_originals_are_never_revisited(capture_log, tmp_path):
    redirect = [("Location", "https://www.example.kz/news/2")]
    a = capture_log.capture(exchange(status=301, body=b"", headers=redirect), "article")
    b = capture_log.capture(exchange(status=301, body=b"", headers=redirect), "article")
    assert a.record_type == b.record_type == "response"
    first = capture_log.capture(exchange(), "article")
    capture_log.writer.close()
    original = CaptureReader(capture_log.db_path, capture_log.db).row(first.capture_id)
    resolve_path(capture_log.db_path, original["warc_file"]).unlink()
    again = capture_log.capture(exchange(), "article")
    assert again.record_type == "response"  # a fresh copy, not a pointer into a lost file


def test_capture_kinds():
    assert capture_kinds(None) == capture_kinds("articles") == ARTICLE_KINDS
    assert capture_kinds("ALL") == ARTICLE_KINDS | ENTRY_KINDS
    assert capture_kinds("off") == frozenset()
    with pytest.raises(ValueError, match="articles, all or off"):
        capture_kinds("everything")


def test_an_old_archive_upgrades_in_place_with_null_captures(tmp_path):
    path = tmp_path / "archive.db"
    db = Database(sqlite3.connect(str(path)))
    for migration in MIGRATIONS._migrations[:2]:
        migration.fn(db)
    db.execute("CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
               "name TEXT, applied_at TEXT)")
    for migration in MIGRATIONS._migrations[:2]:
        db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                   "VALUES (?, ?, '2026-01-01')", ("csto_archive", migration.name))
    db.execute("INSERT INTO sites (slug) VALUES ('akorda')")
    db.execute("INSERT INTO contents VALUES ('h', 'h', 'T', 'Text ОДКБ', 9)")
    db.execute("INSERT INTO documents (site, url, first_seen, last_checked) "
               "VALUES ('akorda', 'https://akorda.kz/a', '2026', '2026')")
    db.execute("INSERT INTO versions (document_id, number, content_hash, fetched_at) "
               "VALUES (1, 1, 'h', '2026')")
    db.conn.commit()
    db.close()
    with Archive(path) as archive:
        columns = {c.name for c in archive.db["versions"].columns}
        assert {"capture_id", "reason", "extractor"} <= columns
        assert "capture_id" in {c.name for c in archive.db["fetches"].columns}
        assert archive.versions(1)[0]["capture_id"] is None and archive.versions(1)[0]["text"]
        report = check_archive(path, archive.db)
    assert report.ok and report.versions_without_capture == 1 and report.captures == 0


def test_two_writers_starting_in_the_same_second_take_different_files(tmp_path, monkeypatch):
    """Two crawls race for one file name: the one that loses takes the next serial (was an
    OSError that stopped its crawl)."""
    from datetime import UTC, datetime

    from csto_crawler.capture import warc as warc_module

    clock = lambda: datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC)  # noqa: E731
    first = warc_module.WarcWriter(tmp_path, clock=clock)
    first._open_next()
    second = warc_module.WarcWriter(tmp_path, clock=clock)
    real_exists = type(tmp_path).exists
    monkeypatch.setattr(type(tmp_path), "exists", lambda self: False if self.suffix == ".gz" else real_exists(self))
    second._open_next()
    assert first.path != second.path and first.path.parent == second.path.parent
    first.close()
    second.close()
