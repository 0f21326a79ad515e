"""Entry for the real-page scorer: ``score.py --python devreal_entry:run`` (with ``bench/`` on
``PYTHONPATH``) scores ``csto_crawler.extract.extract`` on the page's HTML alone, as a generic
page (no site rules; the scorer passes no URL)."""

from csto_crawler.extract import extract


def run(html, **_kwargs) -> str:
    """The extracted article text of one page ("" when there is none)."""
    return extract(html, "https://example.org/").text or ""
