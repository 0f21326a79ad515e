"""The items the spiders yield.

``ArticleItem`` is the one article item: JSON-native fields, dates as ISO 8601 strings with
their offset. Extraction fills what the page says; nothing here reads the clock.

``FetchRecord`` reports a fetch that produced no article (a 304, a removed page, a bot
challenge, an error page): the store pipeline records it in ``fetches`` and drops it, so feed
exports (``-O items.jsonl``) hold articles only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ArticleItem", "FetchRecord", "FETCH_OUTCOMES"]

#: Every value ``fetches.outcome`` may take (a public contract of the archive). The schema's
#: CHECK (``pipelines.schema.OUTCOMES_SQL``) must accept exactly these: a test ties them.
FETCH_OUTCOMES = (
    "new",
    "changed",
    "unchanged",
    "not_modified",
    "duplicate",
    "irrelevant",
    "gone",
    "blocked",
    "error",
)


@dataclass
class ArticleItem:
    """One fetched article, as the page presents it."""

    url: str  #: the URL as requested (the original URL, never a mirror URL)
    site: str  #: the site slug (spider name)
    canonical_url: str | None = None
    language: str | None = None  #: ISO 639-1
    title: str | None = None
    text: str | None = None  #: clean article text, paragraphs separated by blank lines
    published_at: str | None = None  #: ISO 8601 with offset, or None
    modified_at: str | None = None  #: ISO 8601 with offset, or None
    author: str | None = None
    source_credit: str | None = None  #: e.g. "vov.vn" for "Nguồn: vov.vn"
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None  #: the Last-Modified header, verbatim
    #: filled by the fingerprint pipeline
    content_hash: str | None = None
    short_hash: str | None = None
    #: which extraction layer supplied each field (e.g. {"title": "site", "text": "generic"})
    extraction: dict = field(default_factory=dict)
    #: the ``captures`` row of the raw response this item was extracted from (``CSTO_CAPTURE``)
    capture_id: int | None = None


@dataclass
class FetchRecord:
    """A fetch that produced no article; ``outcome`` is one of ``FETCH_OUTCOMES``."""

    url: str
    site: str
    outcome: str
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    detail: str | None = None
    #: the ``captures`` row of the raw response (or 304 revisit), when one was written
    capture_id: int | None = None

    def __post_init__(self) -> None:
        if self.outcome not in FETCH_OUTCOMES:
            raise ValueError(f"unknown fetch outcome {self.outcome!r}; expected one of {FETCH_OUTCOMES}")
