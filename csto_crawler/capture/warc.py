"""Writing WARC/1.1 files with ``warcio``: one gzip member per record, files that rotate.

``WarcWriter`` appends records to ``<dir>/csto-<UTC timestamp>-<serial>.warc.gz`` and starts
the next file once the current one has reached ``max_bytes``; every file opens with a
``warcinfo`` record. ``write_exchange`` writes one HTTP exchange: the ``response`` record (or a
``revisit`` record when told what it revisits) and then its ``request`` record
(``WARC-Concurrent-To`` the response), flushed to the operating system before it returns, so
whoever records the location afterwards knows the bytes are in the file.

``payload_digest`` is the standard ``WARC-Payload-Digest``: ``sha1:`` and the base32 of the
SHA-1 of the payload as transferred (after de-chunking, before any content decoding).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import socket
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from csto_crawler import __version__

__all__ = ["Exchange", "Revisit", "WarcWriter", "WrittenRecord", "payload_digest",
           "warc_date", "IDENTICAL_PAYLOAD", "SERVER_NOT_MODIFIED"]

logger = logging.getLogger(__name__)

IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
#: HTTP headers that describe the transfer, not the payload as stored: dropped from records.
_HOP_HEADERS = frozenset({"transfer-encoding", "content-length"})


def payload_digest(payload: bytes) -> str:
    """``sha1:<BASE32>`` of a payload, as ``WARC-Payload-Digest`` states it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    """A WARC date (UTC, whole seconds, as ``captures.fetched_at`` keeps it)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, as fetched."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None


@dataclass(frozen=True)
class Revisit:
    """What a revisit record points at: the original ``response`` record."""

    profile: str  #: ``IDENTICAL_PAYLOAD`` or ``SERVER_NOT_MODIFIED``
    record_id: str | None
    url: str | None
    date: str | None
    digest: str | None


@dataclass(frozen=True)
class WrittenRecord:
    """Where a record landed: its file, offset and length (gzip member), and its identity."""

    path: Path
    offset: int
    length: int
    record_id: str
    record_type: str
    payload_digest: str | None
    payload_length: int


def _headers(pairs: Iterable[tuple[str, str]], body_length: int | None) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in pairs if k.lower() not in _HOP_HEADERS]
    if body_length is not None:
        kept.append(("Content-Length", str(body_length)))
    return kept


def _request_line(exchange: Exchange) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{exchange.method} {target} {exchange.protocol}"


#: gzip level of each record: zlib's default. warcio's own wrapper always uses 9, which costs
#: half as much time again per page (4.0 vs 6.2 ms on the dev-real pages) for under 1 % less.
GZIP_LEVEL = 6
#: The level of a response record whose payload the server already compressed (a
#: ``Content-Encoding`` of ``COMPRESSED_ENCODINGS``): stored, not deflated again. Deflating
#: gzipped bytes shrinks them by nothing (0.998 of their size at level 6 on the benchmark's
#: pages) and costs 0.19 ms a page; storing them costs 0.01 ms and 0.2 % more bytes.
COMPRESSED_LEVEL = 0
COMPRESSED_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "compress"})


class _GzipMember:
    """One gzip member around one record (``flush`` ends it), at ``level``."""

    def __init__(self, out, level: int = GZIP_LEVEL) -> None:
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class _RecordWriter(WARCWriter):
    """warcio's writer, each record its own gzip member (at ``GZIP_LEVEL`` unless told)."""

    def __init__(self, out) -> None:
        super().__init__(out, gzip=False, warc_version="1.1")

    def write_record(self, record, params=None, level: int = GZIP_LEVEL) -> None:
        self._write_warc_record(_GzipMember(self.out, level), record)


def _already_compressed(headers: Iterable[tuple[str, str]]) -> bool:
    """Whether a response's ``Content-Encoding`` says its payload is compressed."""
    return any(name.lower() == "content-encoding"
               and value.split(",")[-1].strip().lower() in COMPRESSED_ENCODINGS
               for name, value in headers)


class WarcWriter:
    """Appends WARC records to rotating files in ``directory``."""

    def __init__(self, directory: str | Path, *, max_bytes: int = 10**9,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 prefix: str = "csto", info: dict | None = None, fsync: bool = False) -> None:
        self.directory = Path(directory)
        self.max_bytes = max(1, int(max_bytes))
        self.clock = clock
        self.prefix = prefix
        self.info = info or {}
        #: fsync after every exchange (survives a power cut, not only a crash; slower)
        self.fsync = fsync
        self.serial = 0
        self.path: Path | None = None
        self._file = None
        self._writer: WARCWriter | None = None
        #: Files this writer opened, in order.
        self.files: list[Path] = []

    # -- files ---------------------------------------------------------------------------------
    def _open_next(self) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = self.clock().astimezone(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            path = self.directory / f"{self.prefix}-{stamp}-{self.serial:05d}.warc.gz"
            self.serial += 1
            try:
                # "xb": never append to (or clobber) a file another process may be writing; two
                # crawls starting in the same second race for a name, the loser takes the next
                self._file = path.open("xb")
                break
            except FileExistsError:
                continue
        self.path = path
        self.files.append(path)
        self._writer = _RecordWriter(self._file)
        info = {"software": f"csto-archive/{__version__} (warcio)", "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                              "warc-format/warc-1.1/", "hostname": socket.gethostname(),
                "robots": "obey", **self.info}
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, info))
        self._flush()
        logger.info("WARC: writing %s", path)

    def _flush(self) -> None:
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = None
        self._writer = None

    def _ensure_file(self) -> None:
        if self._file is None or self._file.tell() >= self.max_bytes:
            self._open_next()

    # -- records -------------------------------------------------------------------------------
    def _write(self, record, level: int = GZIP_LEVEL) -> tuple[int, int]:
        offset = self._file.tell()
        self._writer.write_record(record, level=level)
        return offset, self._file.tell() - offset

    def write_exchange(self, exchange: Exchange, revisit: Revisit | None = None) -> WrittenRecord:
        """Write the response (or revisit) record and the request record of one exchange."""
        self._ensure_file()
        writer = self._writer
        date = warc_date(exchange.fetched_at)
        fields = {"WARC-Date": date}
        if exchange.ip_address:
            fields["WARC-IP-Address"] = exchange.ip_address
        status = StatusAndHeaders(f"{exchange.status} {exchange.reason}".strip(),
                                  _headers(exchange.response_headers,
                                           None if revisit else len(exchange.body)),
                                  protocol=exchange.protocol)
        if revisit is None:
            record = writer.create_warc_record(exchange.url, "response",
                                               payload=BytesIO(exchange.body),
                                               length=len(exchange.body),
                                               warc_headers_dict=fields, http_headers=status)
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
        else:
            record = writer.create_warc_record(exchange.url, "revisit", warc_headers_dict=fields,
                                               http_headers=status)
            headers = record.rec_headers
            headers.replace_header("WARC-Profile", revisit.profile)
            for name, value in (("WARC-Refers-To", revisit.record_id),
                                ("WARC-Refers-To-Target-URI", revisit.url),
                                ("WARC-Refers-To-Date", revisit.date),
                                ("WARC-Payload-Digest", revisit.digest)):
                if value:
                    headers.replace_header(name, value)
                else:
                    headers.remove_header(name)
            digest = revisit.digest
        compressed = revisit is None and _already_compressed(exchange.response_headers)
        offset, length = self._write(record, COMPRESSED_LEVEL if compressed else GZIP_LEVEL)
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        request = writer.create_warc_record(
            exchange.url, "request", payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id},
            http_headers=StatusAndHeaders(_request_line(exchange),
                                          _headers(exchange.request_headers, None),
                                          is_http_request=True))
        self._write(request)
        self._flush()
        return WrittenRecord(self.path, offset, length, record_id,
                             "revisit" if revisit else "response", digest,
                             0 if revisit else len(exchange.body))
