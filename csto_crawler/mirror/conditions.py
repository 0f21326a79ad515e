"""What a mirror page asks of a request before it answers: a fixture sidecar's ``requires``.

Real sites answer some URLs only to a request that carries what their own front end sends: a
cookie ticket from an earlier request, a form token printed in a page, a JSON content type,
an ``Origin`` or ``Referer``. A sidecar says so::

    "method": "POST",
    "requires": {"cookies": ["ticket"], "form": {"ggtoken": "…"},
                 "headers": {"Content-Type": "application/json", "Referer": "/press/news?lang=ru"}},
    "refused": {"status": 400, "content_type": "application/json", "body": "{\\"message\\": \\"notAllowed\\"}"}

* ``cookies``: names that must be in the request's ``Cookie`` header;
* ``form``: fields (and values) the ``application/x-www-form-urlencoded`` body must hold;
* ``headers``: each value must occur (case-insensitively) in the request's header of that name.

A request that lacks any of them gets ``refused`` (default: 400 with a small JSON body), and
the reason is logged. Nothing here names a site: the fixtures say what each site wants.
"""

from __future__ import annotations

import json
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["DEFAULT_REFUSAL", "refusal", "unmet"]

#: What a request that misses a requirement gets when the sidecar says nothing else.
DEFAULT_REFUSAL = {"status": 400, "content_type": "application/json",
                   "body": json.dumps({"message": "notAllowed"})}


def _cookie_names(header: str | None) -> set[str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return set()
    return set(jar)


def unmet(requires: dict[str, Any] | None, headers: Any, body: bytes) -> str | None:
    """What the request lacks (one line), or None when it meets every requirement.

    ``headers`` is a mapping with case-insensitive ``get`` (``http.server``'s message)."""
    if not requires:
        return None
    missing = [name for name in requires.get("cookies") or () if name not in _cookie_names(headers.get("Cookie"))]
    if missing:
        return f"no cookie {', '.join(missing)}"
    for name, wanted in (requires.get("headers") or {}).items():
        if str(wanted).lower() not in (headers.get(name) or "").lower():
            return f"header {name} does not hold {wanted!r}"
    form = requires.get("form") or {}
    if form:
        sent = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        for field, wanted in form.items():
            if field not in sent or (wanted is not None and sent[field] != str(wanted)):
                return f"form field {field} missing or not {wanted!r}"
    return None


def refusal(sidecar: dict[str, Any]) -> tuple[int, str, bytes]:
    """(status, content type, body) of the answer to a request that misses a requirement."""
    refused = {**DEFAULT_REFUSAL, **(sidecar.get("refused") or {})}
    body = refused.get("body") or ""
    return int(refused["status"]), str(refused["content_type"]), body.encode("utf-8") if isinstance(body, str) else bytes(body)
