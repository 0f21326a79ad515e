"""Time zones by country-code top-level domain, as data.

The last resort for a page that prints a time without a zone when neither the site's rules nor
any offset in the page's metadata say which zone it is in: a host under one of these country
domains is read in that country's civil time (for Russia, Moscow time, which national media
use). Only countries with one zone, or a capital's zone used by convention, are listed; any
other host keeps a zone-less time as a bare calendar date (no offset is made up).
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["ZONES_BY_TLD", "zone_name_for_url"]

ZONES_BY_TLD = {
    "ru": "Europe/Moscow",
    "xn--p1ai": "Europe/Moscow",  # .рф
    "by": "Europe/Minsk",
    "xn--90ais": "Europe/Minsk",  # .бел
    "kz": "Asia/Almaty",  # one zone since 2024-03-01; zoneinfo knows the earlier offsets
    "xn--80ao21a": "Asia/Almaty",  # .қаз
    "kg": "Asia/Bishkek",
    "tj": "Asia/Dushanbe",
    "uz": "Asia/Tashkent",
    "tm": "Asia/Ashgabat",
    "am": "Asia/Yerevan",
    "az": "Asia/Baku",
    "ge": "Asia/Tbilisi",
    "md": "Europe/Chisinau",
    "af": "Asia/Kabul",
    "ir": "Asia/Tehran",
    "vn": "Asia/Ho_Chi_Minh",
}


def zone_name_for_url(url: str) -> str | None:
    """The IANA zone of the URL host's country domain, or None."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return ZONES_BY_TLD.get(host.rsplit(".", 1)[-1]) if "." in host else None
