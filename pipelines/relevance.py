"""Relevance pipeline: keep only CSTO-related articles.

The multilingual term list is data (``seeds/relevance_terms.yml``): per language, acronyms
(case-sensitive, whole words, though a lowercase suffix may follow, as in Kyrgyz "ЖККУнун") and phrases (regular expressions, case-insensitive), matched on
the title and the text. With ``CSTO_RELEVANCE=all`` every article is kept. An irrelevant
article is dropped with ``SkipItem("irrelevant")``, so its fetch is recorded (and refreshes need
not fetch it again) but it never becomes a document.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from itemadapter import ItemAdapter

from csto_crawler.extract.literals import Alternatives
from pipelines.outcomes import SkipItem

__all__ = ["TermMatcher", "load_terms", "RelevancePipeline"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TermMatcher:
    """A compiled term list; ``find(text)`` returns the first term found, or None.

    ``phrase_filter`` answers whether any phrase occurs before ``phrases`` is searched for
    the one that does: an article that mentions none (most that a crawl drops) is cleared
    without running the long case-insensitive alternation over its text (``find`` on a
    2,700-character text without a term: 0.81 -> 0.14 ms; ``csto_crawler.extract.literals``)."""

    acronyms: re.Pattern | None
    phrases: re.Pattern | None
    phrase_filter: Alternatives | None = None

    def find(self, text: str) -> str | None:
        if self.acronyms is not None and (match := self.acronyms.search(text)):
            return match.group(0)
        if self.phrases is None or (self.phrase_filter is not None and not self.phrase_filter.found(text)):
            return None
        match = self.phrases.search(text)
        return match.group(0) if match else None


def load_terms(path: str | Path) -> TermMatcher:
    """Compile the term list at ``path``; a malformed file raises ``ValueError`` naming it."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read the relevance terms {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of language -> acronyms/phrases")
    acronyms: set[str] = set()
    phrases: list[str] = []
    for language, entry in data.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: entry {language!r} must have 'acronyms' and/or 'phrases'")
        acronyms.update(str(a) for a in entry.get("acronyms") or [])
        for phrase in entry.get("phrases") or []:
            try:
                re.compile(phrase)
            except re.error as exc:
                raise ValueError(f"{path}: bad phrase {phrase!r} ({language}): {exc}") from exc
            phrases.append(phrase)
    acronym_re = (
        re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(acronyms, key=len, reverse=True)))
                   + r")(?![^\W_a-zа-яёәғқңөұүһіҳҷӣӯў])")
        if acronyms else None
    )
    phrase_filter = Alternatives(phrases, re.IGNORECASE) if phrases else None
    # ``whole`` is the phrases joined into one case-insensitive regex: the one the filter answers for
    return TermMatcher(acronym_re, phrase_filter.whole if phrase_filter else None, phrase_filter)


class RelevancePipeline:
    """Drops articles that mention none of the CSTO terms (unless ``CSTO_RELEVANCE=all``)."""

    def __init__(self, matcher: TermMatcher | None, stats=None) -> None:
        self.matcher = matcher
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        mode = (crawler.settings.get("CSTO_RELEVANCE") or "csto").lower()
        if mode not in ("csto", "all"):
            raise ValueError(f"CSTO_RELEVANCE must be 'csto' or 'all', not {mode!r}")
        matcher = None if mode == "all" else load_terms(crawler.settings.get("CSTO_RELEVANCE_TERMS"))
        return cls(matcher, crawler.stats)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if "text" not in adapter.field_names() or self.matcher is None:
            return item
        term = self.matcher.find(f"{adapter.get('title') or ''}\n{adapter.get('text') or ''}")
        if term is None:
            if self.stats is not None:
                self.stats.inc_value("csto/relevance/irrelevant")
            raise SkipItem("irrelevant", "no CSTO term in title or text")
        if self.stats is not None:
            self.stats.inc_value("csto/relevance/relevant")
        logger.debug("relevant (%s): %s", term, adapter.get("url"))
        return item
