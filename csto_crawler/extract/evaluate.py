"""Measuring extraction against a gold text: the token F1 the tests and benchmarks report."""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["counts_f1", "tokens", "token_f1"]

_WORD = re.compile(r"\w+", re.UNICODE)


def tokens(text: str | None) -> list[str]:
    """Lower-cased word tokens (punctuation is not a token)."""
    return _WORD.findall((text or "").casefold())


def token_f1(got: str | None, gold: str | None) -> float:
    """Bag-of-words F1 between two texts (1.0 when both are empty)."""
    return counts_f1(Counter(tokens(got)), Counter(tokens(gold)))


def counts_f1(a: Counter, b: Counter) -> float:
    """F1 between two bags of tokens however they were counted (1.0 when both are empty)."""
    if not a and not b:
        return 1.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)
