"""``csto import-warc``: other crawlers' WARC files through the archive's own pipelines.

Reads WARC files as wget (``--warc-file``), Heritrix and Browsertrix write them (WARC/1.0 or
1.1, gzip per record or not at all, ``request`` before or after its ``response``, chunked or
content-encoded payloads, ``warcinfo``/``metadata``/``resource``/``dns`` records, which are
skipped). Each ``response`` with a 2xx status for an http(s) URL:

1. is skipped when the archive already holds a capture of that URL with the same payload
   digest (a duplicate capture: importing a file twice adds nothing);
2. on a host a site module covers, is skipped unless the site's article patterns match it
   (feeds, listings); elsewhere, is taken when it is HTML;
3. is written into the archive's own WARC files (``CaptureLog``: decoded payload, a
   ``revisit`` when the same payload is stored under another URL), so every version links to a
   capture the archive controls;
4. is parsed by the site's spider (site rules by URL) or, on other hosts, the generic
   extraction, and passes clean → relevance → fingerprint → store like a crawled page, with
   the record's ``WARC-Date`` as the fetch time.
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from csto_crawler.capture.log import CaptureLog
from csto_crawler.capture.parse import is_known_site, parse_stored, parser_for
from csto_crawler.capture.read import MAX_DECODED_BYTES, StoredResponse
from csto_crawler.capture.warc import Exchange, payload_digest
from csto_crawler.items import ArticleItem, FetchRecord
from pipelines.archive import Archive
from pipelines.clean import CleanPipeline
from pipelines.fingerprint import FingerprintPipeline
from pipelines.outcomes import SkipItem
from pipelines.relevance import RelevancePipeline, load_terms

__all__ = ["ImportSummary", "import_warcs"]

logger = logging.getLogger(__name__)

#: HTTP headers of a record that describe the transfer; the imported payload is decoded.
_TRANSFER = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass
class ImportSummary:
    """What an import did: per file, counts of records by what became of them."""

    files: dict[str, Counter] = field(default_factory=dict)
    outcomes: Counter = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)


def _warc_time(value: str | None) -> datetime:
    if value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


class _Importer:
    def __init__(self, db_path: Path, warc_dir, *, relevance: str, terms: str,
                 max_bytes: int) -> None:
        self.archive = Archive(db_path, shared=True)  # one connection for both writers
        self.capture_log = CaptureLog(db_path, warc_dir, max_bytes=max_bytes, shared=True)
        self.run_id = self.archive.start_run("import-warc")
        matcher = None if (relevance or "csto").lower() == "all" else load_terms(terms)
        self.steps = [CleanPipeline(), RelevancePipeline(matcher), FingerprintPipeline()]
        self.sites: set[str] = set()
        self.requests: dict[str, list[tuple[str, str]]] = {}

    def close(self, reason: str, stats: dict) -> None:
        self.archive.finish_run(self.run_id, reason, stats)
        self.capture_log.close()
        self.archive.close()

    def _wanted(self, uri: str, headers: list[tuple[str, str]]) -> str | None:
        """Why a response is not imported, or None to import it."""
        if is_known_site(uri):
            return None if parser_for(uri).is_article_url(uri) else "not_article_url"
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        return None if "html" in content_type.lower() else "not_html"

    def _duplicate(self, uri: str, digest: str) -> bool:
        return next(iter(self.capture_log.db.query(
            "SELECT 1 AS hit FROM captures c LEFT JOIN captures o ON o.id = c.revisit_of "
            "WHERE c.url = ? AND COALESCE(o.payload_digest, c.payload_digest) = ? LIMIT 1",
            (uri, digest))), None) is not None

    def record(self, record) -> str:
        """Import one WARC record; returns what became of it."""
        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
        if record.rec_type == "request":
            headers = record.http_headers.headers if record.http_headers else []
            self.requests[uri] = list(headers)
            return "request"
        if record.rec_type != "response" or not uri.startswith(("http://", "https://")):
            return f"skipped_{record.rec_type}"
        http = record.http_headers
        status = int(http.get_statuscode() or 0) if http else 0
        if not 200 <= status < 300:
            return "skipped_status"
        headers = [(k, v) for k, v in http.headers if k.lower() not in _TRANSFER]
        why = self._wanted(uri, headers)
        if why:
            return f"skipped_{why}"
        body = record.content_stream().read(MAX_DECODED_BYTES)
        if self._duplicate(uri, payload_digest(body)):
            return "duplicate_capture"
        fetched = _warc_time(record.rec_headers.get_header("WARC-Date"))
        exchange = Exchange(url=uri, method="GET", status=status,
                            reason=http.statusline.partition(" ")[2],
                            request_headers=self.requests.pop(uri, [("Host", uri.split("/")[2])]),
                            response_headers=headers, body=body, fetched_at=fetched)
        captured = self.capture_log.capture(exchange, "import")
        item = parse_stored(StoredResponse(captured.capture_id, uri, status, headers, body,
                                           fetched.isoformat(timespec="seconds")))
        self.archive.clock = lambda: fetched
        return self._store(item)

    def _site(self, item) -> None:
        if item.site in self.sites:
            return
        self.sites.add(item.site)
        cls = type(parser_for(item.url))
        self.archive.upsert_site(item.site, name=getattr(cls, "site_name", None) or item.site,
                                 home_url=getattr(cls, "home_url", None) or None,
                                 kind=getattr(cls, "kind", None),
                                 languages=tuple(getattr(cls, "languages", ()) or ()))

    def _store(self, item) -> str:
        if item is None:
            return "unparsed"
        self._site(item)
        if isinstance(item, FetchRecord):
            self.archive.record_fetch(url=item.url, site=item.site, outcome=item.outcome,
                                      run_id=self.run_id, http_status=item.http_status,
                                      etag=item.etag, last_modified=item.last_modified,
                                      detail=item.detail, capture_id=item.capture_id)
            return item.outcome
        try:
            for step in self.steps:
                item = step.process_item(item)
        except SkipItem as skip:
            self.archive.record_fetch(url=item.url, site=item.site, outcome=skip.outcome,
                                      run_id=self.run_id, http_status=item.http_status,
                                      detail=skip.detail, capture_id=item.capture_id)
            return skip.outcome
        assert isinstance(item, ArticleItem)
        return self.archive.store_article(asdict(item), self.run_id).outcome


def _not_a_warc(path: Path) -> str | None:
    """Why ``path`` is not a WARC (or ARC) file, judged by its first record, or None."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(31).decompress(head, 64)
        except zlib.error as exc:
            return f"not a WARC file (broken gzip: {exc})"
    if head.lstrip(b"\r\n").startswith((b"WARC/", b"filedesc://")):
        return None
    return f"not a WARC file (it starts with {head[:24]!r})"


def import_warcs(paths: Iterable[str | Path], db_path: str | Path, *,
                 warc_dir: str | Path | None = None, relevance: str = "csto",
                 terms: str | None = None, max_bytes: int = 10**9,
                 progress: Callable[[str, int], None] | None = None) -> ImportSummary:
    """Import the WARC files ``paths`` into the archive at ``db_path``."""
    from csto_crawler.packaged import seeds_dir

    summary = ImportSummary()
    importer = _Importer(Path(db_path), warc_dir, relevance=relevance,
                         terms=terms or str(seeds_dir() / "relevance_terms.yml"),
                         max_bytes=max_bytes)
    reason = "finished"
    try:
        for path in map(Path, paths):
            counts = summary.files.setdefault(str(path), Counter())
            try:
                problem = _not_a_warc(path)
                if problem:
                    raise ValueError(problem)
                with path.open("rb") as handle:
                    for record in ArchiveIterator(handle, arc2warc=True):
                        counts[importer.record(record)] += 1
                        if progress:
                            progress(str(path), sum(counts.values()))
            except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
                summary.errors[str(path)] = f"{type(exc).__name__}: {exc}"
                logger.error("%s: stopped reading after %d records: %s", path,
                             sum(counts.values()), exc)
            summary.outcomes.update(counts)
    except BaseException:
        reason = "error"
        raise
    finally:
        importer.close(reason, {f"csto/import/{k}": v for k, v in summary.outcomes.items()})
    return summary
