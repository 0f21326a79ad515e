"""The offline mirror's HTTP behaviour, over real loopback sockets.

The pages come from ``tests/mirror_data/`` (mirror-only pages in the fixture format: a UTF-8
site with feed, listings, articles, redirects and a removed page, and a windows-1251 page).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest

from csto_crawler.mirror import MirrorServer
from csto_crawler.mirror.pages import EPOCH, load_fixture_pages, split_url

DATA = Path(__file__).parent / "mirror_data"
ARTICLE = "https://sample.example/ru/news/odkb-sovet-minsk-1001"
CP1251 = "https://cp1251.example/u_sosedey/203817-minskoe-priglashenie.html"


def fetch(mirror: MirrorServer, path: str, method: str = "GET", headers: dict | None = None,
          body: bytes | None = None):
    """(status, headers, body) of one request on a fresh connection."""
    conn = http.client.HTTPConnection(mirror.host, mirror.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1]


@pytest.fixture(scope="module")
def mirror():
    with MirrorServer(DATA) as server:
        yield server


def test_serves_the_fixture_bytes_with_its_content_type(mirror):
    status, headers, body = fetch(mirror, path_of(ARTICLE))
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body == (DATA / "sample" / "article_csto.html").read_bytes()
    assert int(headers["content-length"]) == len(body)


def test_windows_1251_page_is_served_in_its_own_encoding(mirror):
    status, headers, body = fetch(mirror, path_of(CP1251))
    assert status == 200
    assert headers["content-type"] == "text/html; charset=windows-1251"
    assert body == (DATA / "cp1251" / "article_cp1251.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "Минское приглашение" in body.decode("windows-1251")


def test_etag_is_a_body_hash_and_last_modified_is_fixed(mirror):
    _, headers, body = fetch(mirror, path_of(ARTICLE))
    assert headers["etag"] == '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    assert parsedate_to_datetime(headers["last-modified"]) == EPOCH


def test_conditional_requests_get_304(mirror):
    _, headers, _ = fetch(mirror, path_of(ARTICLE))
    etag, last_modified = headers["etag"], headers["last-modified"]
    for conditional in ({"If-None-Match": etag}, {"If-None-Match": f'W/{etag}'},
                        {"If-None-Match": f'"nope", {etag}'}, {"If-Modified-Since": last_modified}):
        status, h304, body = fetch(mirror, path_of(ARTICLE), headers=conditional)
        assert (status, body) == (304, b""), conditional
        assert h304["etag"] == etag
    for fresh in ({"If-None-Match": '"other"'},
                  {"If-Modified-Since": format_datetime(EPOCH.replace(year=2025), usegmt=True)},
                  # If-None-Match wins over a matching If-Modified-Since
                  {"If-None-Match": '"other"', "If-Modified-Since": last_modified}):
        assert fetch(mirror, path_of(ARTICLE), headers=fresh)[0] == 200, fresh


def test_gzip_when_asked_and_deterministic(mirror):
    _, plain_headers, plain = fetch(mirror, path_of(ARTICLE))
    assert "content-encoding" not in plain_headers
    status, headers, packed = fetch(mirror, path_of(ARTICLE), headers={"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed) == plain
    assert int(headers["content-length"]) == len(packed)
    assert headers["etag"] == plain_headers["etag"]
    assert fetch(mirror, path_of(ARTICLE), headers={"Accept-Encoding": "gzip"})[2] == packed
    assert "content-encoding" not in fetch(mirror, path_of(ARTICLE),
                                           headers={"Accept-Encoding": "gzip;q=0"})[1]


def test_precompress_gzips_every_body_once_so_no_request_compresses(mirror):
    from csto_crawler.mirror.handler import gzip_body

    gzip_body.cache_clear()
    compressed = mirror.precompress()
    assert compressed == sum(1 for page in mirror.tree.pages() if page.body) > 5
    assert gzip_body.cache_info().misses == compressed
    for url in (ARTICLE, CP1251):
        status, headers, packed = fetch(mirror, path_of(url), headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert gzip.decompress(packed) == fetch(mirror, path_of(url))[2]
    assert gzip_body.cache_info().misses == compressed  # both answers came from the cache


def test_redirects_old_url_and_http_to_https(mirror):
    status, headers, _ = fetch(mirror, "/sample.example/old/odkb-1001.html")
    assert status == 301 and headers["location"] == ARTICLE
    status, headers, _ = fetch(mirror, "/sample.example/ru/rss", headers={"X-Forwarded-Proto": "http"})
    assert status == 301 and headers["location"] == "https://sample.example/ru/rss"
    status, headers, body = fetch(mirror, "/sample.example/ru/rss")
    assert status == 200 and headers["content-type"].startswith("application/rss+xml")
    assert b"<rss" in body


def test_unknown_pages_are_404_and_removed_ones_410(mirror):
    assert fetch(mirror, "/sample.example/ru/news/no-such-page")[0] == 404
    assert fetch(mirror, "/no-such-host.example/")[0] == 404
    assert fetch(mirror, "/no-such-host.example/robots.txt")[0] == 404
    status, _, body = fetch(mirror, "/sample.example/ru/news/udalena-1003")
    assert status == 410 and "Материал удалён" in body.decode()


def test_query_string_is_part_of_the_address(mirror):
    first = fetch(mirror, "/sample.example/ru/news?page=1")
    second = fetch(mirror, "/sample.example/ru/news?page=2")
    assert first[0] == second[0] == 200 and first[2] != second[2]
    assert fetch(mirror, "/sample.example/ru/news")[0] == 404
    assert fetch(mirror, "/sample.example/ru/news?page=3")[0] == 404


def test_head_has_the_headers_of_get_and_no_body(mirror):
    _, get_headers, get_body = fetch(mirror, path_of(CP1251))
    status, headers, body = fetch(mirror, path_of(CP1251), method="HEAD")
    assert status == 200 and body == b""
    for name in ("content-type", "content-length", "etag", "last-modified"):
        assert headers[name] == get_headers[name]
    assert int(headers["content-length"]) == len(get_body)


def test_robots_default_allows_all_and_lists_sitemaps_unless_a_fixture_exists(mirror):
    status, headers, body = fetch(mirror, "/sample.example/robots.txt")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    lines = body.decode().splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    assert "Sitemap: https://sample.example/sitemap.xml" in lines
    assert fetch(mirror, "/cp1251.example/robots.txt")[2] == b"User-agent: *\nDisallow: /private/\n"


def test_post_to_a_page_is_not_allowed(mirror):
    assert fetch(mirror, path_of(ARTICLE), method="POST", body=b"x")[0] == 405


def test_index_lists_the_hosts(mirror):
    status, _, body = fetch(mirror, "/")
    assert status == 200
    assert b"sample.example" in body and b"cp1251.example" in body


def test_two_mirrors_serve_identical_bytes_and_validators():
    with MirrorServer(DATA) as one, MirrorServer(DATA) as two:
        for page in one.tree.pages():
            a, b = fetch(one, "/" + page.key), fetch(two, "/" + page.key)
            assert a[0] == b[0] and a[2] == b[2], page.key
            assert a[1].get("etag") == b[1].get("etag")
            assert a[1].get("last-modified") == b[1].get("last-modified")


def test_keep_alive_connection_serves_several_requests(mirror):
    conn = http.client.HTTPConnection(mirror.host, mirror.port, timeout=10)
    try:
        for path in (path_of(ARTICLE), path_of(CP1251), "/sample.example/ru/rss"):
            conn.request("GET", path)
            response = conn.getresponse()
            assert response.status == 200 and response.read()
    finally:
        conn.close()


def write_fixture(folder: Path, name: str, sidecar: dict, body: bytes | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
    if body is not None:
        (folder / f"{name}.html").write_bytes(body)


def test_loader_rules(tmp_path):
    site = tmp_path / "site"
    url = "https://Site.example/ru/%D0%BC%D0%B8%D0%BD%D1%81%D0%BA?x=%D0%B0"
    write_fixture(site, "cyrillic", {"url": url, "kind": "article"}, b"<p>ok</p>")
    # two layouts of one URL: the dated name sorting last is served
    write_fixture(site, "page_2023-01-01", {"url": "https://site.example/a", "kind": "article"}, b"old")
    write_fixture(site, "page_2025-01-01", {"url": "https://site.example/a", "kind": "article"}, b"new")
    write_fixture(site, "no_body", {"url": "https://site.example/b", "kind": "article"}, None)
    write_fixture(site, "not_a_sidecar", {"title": "an expected-only file"}, None)
    (site / "api.json").write_text('{"url": "https://site.example/api", "kind": "api"}')
    (site / "api.body.json").write_text('{"items": []}')
    pages = load_fixture_pages(tmp_path)
    keys = {key for _, key in pages}
    assert split_url(url)[1] == "site.example/ru/минск?x=а"
    assert keys == {"site.example/ru/минск?x=а", "site.example/a", "site.example/api"}
    assert pages[("https", "site.example/a")].body == b"new"
    assert pages[("https", "site.example/api")].body == b'{"items": []}'
    assert pages[("https", "site.example/api")].content_type == "application/json"
    with MirrorServer(tmp_path) as server:
        for path in ("/site.example/ru/%D0%BC%D0%B8%D0%BD%D1%81%D0%BA?x=%D0%B0",
                     "/site.example/ru/%d0%bc%d0%b8%d0%bd%d1%81%d0%ba?x=%d0%b0"):
            assert fetch(server, path)[2] == b"<p>ok</p>", path
        # a client that sends the path as raw UTF-8 bytes
        with socket.create_connection((server.host, server.port), timeout=10) as sock:
            sock.sendall("GET /SITE.example/ru/минск?x=а HTTP/1.0\r\n\r\n".encode())
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"<p>ok</p>")


def test_sidecar_last_modified_and_headers_are_served(tmp_path):
    write_fixture(tmp_path / "s", "p", {
        "url": "https://s.example/p", "kind": "article", "content_type": "text/html; charset=utf-8",
        "headers": {"Last-Modified": "Tue, 20 Jun 2023 10:00:00 GMT", "X-Powered-By": "DLE",
                    "ETag": '"ignored"'}}, b"<p>x</p>")
    with MirrorServer(tmp_path) as server:
        _, headers, _ = fetch(server, "/s.example/p")
    assert headers["last-modified"] == "Tue, 20 Jun 2023 10:00:00 GMT"
    assert headers["x-powered-by"] == "DLE"
    assert headers["etag"] != '"ignored"'


def test_binds_loopback_only():
    for host in ("0.0.0.0", "192.168.1.1", "::", "example.org"):
        with pytest.raises(ValueError):
            MirrorServer(DATA, host=host)
    assert MirrorServer(DATA, host="localhost").host == "127.0.0.1"


def test_pages_stay_whole_while_mutated_concurrently(tmp_path):
    """Readers on several threads never see a half-changed page while a writer edits it."""
    with MirrorServer(DATA) as server:
        errors: list[str] = []
        stop = threading.Event()

        def reader() -> None:
            while not stop.is_set():
                status, headers, body = fetch(server, path_of(ARTICLE))
                if status != 200 or headers["etag"] != '"' + hashlib.sha256(body).hexdigest()[:20] + '"':
                    errors.append(f"{status} {headers.get('etag')}")

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for i in range(30):
                server.edit_article(ARTICLE, "Минске" if i % 2 == 0 else "Минск-Сити", "Минск-Сити" if i % 2 == 0 else "Минске")
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=10)
        assert not errors


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_csto_mirror_command_serves_until_interrupted(stop_signal):
    proc = subprocess.Popen(
        [sys.executable, "-m", "csto_crawler", "mirror", "--port", "0", "--fixtures", str(DATA)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = proc.stdout.readline()
        assert first.startswith("Serving ") and " at http://127.0.0.1:" in first, first
        base = first.rsplit(" at ", 1)[1].strip()
        for _ in range(2):  # the rest of the banner: it is serving and waiting
            proc.stdout.readline()
        host, port = base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", path_of(ARTICLE))
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(stop_signal)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read().strip() == "Stopped."
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_docs_list_exactly_the_admin_operations_and_fault_kinds():
    from csto_crawler.mirror import FAULT_KINDS

    doc = (Path(__file__).parent.parent / "docs" / "mirror.md").read_text(encoding="utf-8")
    posts = set(re.findall(r"`POST /_mirror/(\w+)`", doc))
    gets = set(re.findall(r"`GET /_mirror/(\w+)`", doc))
    kinds = set(re.findall(r"^\| `(\w+)` \|", doc, re.M))
    assert posts == set(MirrorServer._ADMIN_POST)
    assert kinds == set(FAULT_KINDS)
    with MirrorServer(DATA) as server:
        for name in gets:
            assert fetch(server, f"/_mirror/{name}")[0] == 200, name
        assert fetch(server, "/_mirror/other")[0] == 404
