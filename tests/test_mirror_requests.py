"""The mirror's request-dependent pages: POST fixtures, what a page requires of a request
(cookies, form fields, headers) and what it answers otherwise, and dated URLs whose query values
do not matter (``any_value``). Real loopback sockets, pages written to a temporary folder."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from csto_crawler.mirror import MirrorServer


def _page(folder, name, sidecar, body, ext="html"):
    (folder / f"{name}.json").write_text(json.dumps(sidecar), encoding="utf-8")
    (folder / f"{name}.{ext}").write_text(body, encoding="utf-8")


@pytest.fixture
def mirror(tmp_path):
    site = tmp_path / "example"
    site.mkdir()
    _page(site, "form", {"url": "https://example.org/news/", "kind": "listing",
                         "headers": {"Set-Cookie": "SESSION=abc; Path=/"}}, "<form><input name=token value=t1></form>")
    _page(site, "results", {"url": "https://example.org/news/", "kind": "listing", "method": "POST",
                            "requires": {"cookies": ["SESSION"], "form": {"token": "t1", "day": None}},
                            "refused": {"status": 403, "content_type": "text/plain", "body": "no"}}, "results")
    _page(site, "api", {"url": "https://example.org/api?page=1", "kind": "api", "content_type": "application/json",
                        "requires": {"headers": {"Referer": "/news/"}}}, "[]", ext="body.json")
    _page(site, "monthly", {"url": "https://example.org/map.php?year=2024&month=04", "kind": "sitemap",
                            "any_value": ["year", "month"]}, "<urlset/>", ext="xml")
    with MirrorServer(tmp_path) as server:
        yield server


def _open(request):
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers


def test_get_and_post_at_one_url_are_two_pages(mirror):
    status, body, headers = _open(urllib.request.Request(mirror.url_for("https://example.org/news/")))
    assert status == 200 and b"<form>" in body and headers["Set-Cookie"].startswith("SESSION=abc")
    post = urllib.request.Request(mirror.url_for("https://example.org/news/"), data=b"token=t1&day=01.12.2026",
                                  headers={"Cookie": "SESSION=abc"}, method="POST")
    assert _open(post)[:2] == (200, b"results")
    assert [(r.method, r.status) for r in mirror.requests()] == [("GET", 200), ("POST", 200)]


@pytest.mark.parametrize(("data", "cookie"), [
    (b"token=t1&day=x", None),               # no session cookie
    (b"token=WRONG&day=x", "SESSION=abc"),   # wrong token
    (b"token=t1", "SESSION=abc"),            # a required field missing
])
def test_a_post_missing_a_requirement_is_refused(mirror, data, cookie):
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(mirror.url_for("https://example.org/news/"), data=data, headers=headers, method="POST")
    assert _open(request)[:2] == (403, b"no")


def test_a_post_to_a_get_only_page_is_405(mirror):
    request = urllib.request.Request(mirror.url_for("https://example.org/api?page=1"), data=b"x=1", method="POST")
    assert _open(request)[0] == 405


def test_a_header_requirement_and_the_default_refusal(mirror):
    url = mirror.url_for("https://example.org/api?page=1")
    status, body, _ = _open(urllib.request.Request(url))
    assert status == 400 and json.loads(body) == {"message": "notAllowed"}
    status, body, _ = _open(urllib.request.Request(url, headers={"Referer": "https://example.org/news/?x"}))
    assert (status, body) == (200, b"[]")


def test_any_value_parameters_match_every_value(mirror):
    for query in ("year=2026&month=12", "year=1999&month=01"):
        assert _open(urllib.request.Request(mirror.url_for(f"https://example.org/map.php?{query}")))[:2] == (200, b"<urlset/>")
    assert _open(urllib.request.Request(mirror.url_for("https://example.org/map.php?year=2026")))[0] == 404


@pytest.fixture
def late_logging(monkeypatch):
    """The mirror's handlers log each request 0.3 s after answering it."""
    from csto_crawler.mirror.handler import MirrorHandler

    logged = MirrorHandler._log

    def late_log(self, *args, **kwargs):
        time.sleep(0.3)
        logged(self, *args, **kwargs)

    monkeypatch.setattr(MirrorHandler, "_log", late_log)


def test_an_answer_received_is_in_the_log_even_when_its_logging_lags(mirror, late_logging):
    """The client can read an answer before the handler thread logs it (the race CI once hit):
    ``requests()`` waits for answers already begun."""
    status, _, _ = _open(urllib.request.Request(mirror.url_for("https://example.org/news/")))
    assert status == 200
    assert [(r.method, r.status) for r in mirror.requests()] == [("GET", 200)]


def test_an_answer_received_before_the_log_is_cleared_does_not_reappear(mirror, late_logging):
    """The same race at ``clear_requests`` (CI hit it in test_admin_api_does_what_the_python_api_does):
    an answer logged after the clearing would show in the emptied log."""
    status, _, _ = _open(urllib.request.Request(mirror.url_for("https://example.org/news/")))
    assert status == 200
    mirror.clear_requests()
    time.sleep(0.5)  # a late log line would have landed by now
    assert mirror.requests() == []
