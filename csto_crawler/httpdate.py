"""HTTP dates (``Date``, ``Last-Modified``, RFC 9110): read from a header, written for one.

One module both ways, so the crawler that reads them and the mirror that serves them agree.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

__all__ = ["format_http_date", "parse_http_date"]


def parse_http_date(value: bytes | str | None) -> datetime | None:
    """An HTTP date header as an aware datetime; None when absent, unreadable or zone-less."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else None


def format_http_date(moment: datetime) -> str:
    """``Sun, 01 Mar 2026 10:00:00 GMT`` for an aware datetime (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return email.utils.format_datetime(moment.astimezone(UTC), usegmt=True)
