"""Reading captures back: the record at (file, offset), its payload, its digest checked.

``CaptureReader.load(capture_id)`` returns the response a capture stands for: for a
``response`` record its own status, headers and payload; for a ``revisit`` its own status and
headers with the payload of the record it revisits (a ``304`` revisit: the original's status,
headers and payload, since that is what the server confirmed). ``response_of`` turns that into
a Scrapy response (content encoding removed, charset re-detected as the crawl does) for the
spider that owns the URL to parse again.

Every read is bounded by the row's ``length``: a record cut short by a truncated file, a file
that is gone, or bytes whose digest no longer matches raise ``CaptureError`` saying which.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from csto_crawler.capture.log import resolve_path
from csto_crawler.capture.warc import payload_digest

__all__ = ["CaptureError", "CaptureReader", "RawRecord", "StoredResponse", "read_record",
           "response_of", "MAX_DECODED_BYTES"]

logger = logging.getLogger(__name__)

#: A decoded payload is cut at this size (a gzip bomb stored as it came stays harmless).
MAX_DECODED_BYTES = 64 * 1024 * 1024


class CaptureError(RuntimeError):
    """A capture cannot be read or does not match its row (the message says how)."""


@dataclass(frozen=True)
class RawRecord:
    """One WARC record as stored."""

    record_type: str
    record_id: str | None
    target_uri: str | None
    status: int | None
    headers: list[tuple[str, str]]
    payload: bytes  #: as transferred (still content-encoded)
    decoded: bytes  #: content encoding removed


@dataclass(frozen=True)
class StoredResponse:
    """What a capture says the server answered."""

    capture_id: int
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  #: decoded payload
    fetched_at: str


def read_record(path: Path, offset: int, length: int) -> RawRecord:
    """The record of ``length`` bytes at ``offset`` in ``path``; ``CaptureError`` when it is
    missing, cut short or unreadable."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read(length)
    except OSError as exc:
        raise CaptureError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if len(data) < length:
        raise CaptureError(f"{path}: record at {offset} cut short ({len(data)} of {length} bytes; "
                           "the file was truncated)")
    try:
        record = next(iter(ArchiveIterator(BytesIO(data))))
        payload = record.raw_stream.read()
        decoded = _decoded(data)
    except (ArchiveLoadFailed, StopIteration, OSError, ValueError, EOFError) as exc:
        raise CaptureError(f"{path}: no readable WARC record at {offset}: {exc}") from exc
    http = record.http_headers
    return RawRecord(record.rec_type, record.rec_headers.get_header("WARC-Record-ID"),
                     record.rec_headers.get_header("WARC-Target-URI"),
                     int(http.get_statuscode()) if http and http.get_statuscode() else None,
                     list(http.headers) if http else [], payload, decoded)


def _decoded(data: bytes) -> bytes:
    record = next(iter(ArchiveIterator(BytesIO(data))))
    return record.content_stream().read(MAX_DECODED_BYTES)


class CaptureReader:
    """Reads the captures of the archive at ``db_path`` (``db``: an open sqlite-utils database)."""

    def __init__(self, db_path: str | Path, db) -> None:
        self.db_path = Path(db_path)
        self.db = db

    def row(self, capture_id: int) -> dict:
        row = next(iter(self.db.query("SELECT * FROM captures WHERE id = ?", (capture_id,))), None)
        if row is None:
            raise CaptureError(f"no capture {capture_id} in the archive")
        return row

    def record(self, row: dict) -> RawRecord:
        """The row's record, checked against the row (record id, payload digest)."""
        record = read_record(resolve_path(self.db_path, row["warc_file"]), row["offset"],
                             row["length"])
        if record.record_id != row["record_id"]:
            raise CaptureError(f"{row['warc_file']} at {row['offset']}: record "
                               f"{record.record_id} found, {row['record_id']} expected")
        if record.record_type == "response" and row["payload_digest"]:
            digest = payload_digest(record.payload)
            if digest != row["payload_digest"]:
                raise CaptureError(f"{row['warc_file']} at {row['offset']}: payload digest "
                                   f"{digest} does not match {row['payload_digest']}")
        return record

    def original(self, row: dict) -> tuple[dict, RawRecord]:
        """The ``response`` row and record holding the payload of ``row``."""
        if row["record_type"] == "revisit":
            if row["revisit_of"] is None:
                raise CaptureError(f"capture {row['id']} revisits a response the archive "
                                   "does not hold")
            row = self.row(row["revisit_of"])
        return row, self.record(row)

    def verify(self, row: dict) -> str | None:
        """Why the capture (and, for a revisit, its original) is not sound, or None."""
        try:
            self.record(row)
            if row["record_type"] == "revisit" and row["revisit_of"] is not None:
                self.original(row)
        except CaptureError as exc:
            return str(exc)
        return None

    def load(self, capture_id: int) -> StoredResponse:
        """The response capture ``capture_id`` stands for (revisits resolved)."""
        row = self.row(capture_id)
        own = self.record(row)
        if row["record_type"] == "response":
            status, headers, body = own.status, own.headers, own.decoded
        else:
            original_row, original = self.original(row)
            body = original.decoded
            status, headers = ((original.status, original.headers) if own.status == 304
                               else (own.status, own.headers))
        return StoredResponse(capture_id, row["url"], int(status or 0), headers, body,
                              row["fetched_at"])


def response_of(stored: StoredResponse):
    """A Scrapy response for ``stored`` as the spider would have received it."""
    from scrapy.http import Headers
    from scrapy.responsetypes import responsetypes

    from csto_crawler.guards import CharsetMiddleware

    headers = Headers([(k, v) for k, v in stored.headers
                       if k.lower() not in ("content-encoding", "content-length",
                                            "transfer-encoding")])
    cls = responsetypes.from_args(headers=headers, url=stored.url, body=stored.body)
    response = cls(url=stored.url, status=stored.status, headers=headers, body=stored.body)
    return CharsetMiddleware().process_response(None, response)
