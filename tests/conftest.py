"""Shared pytest fixtures: spider instances bound to a crawler with the project's settings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

sys.path.insert(0, str(Path(__file__).resolve().parent))


def project_settings(**overrides) -> dict:
    """The project's settings as a plain dict, with overrides (no pipelines, no archive: a
    spider under test never consults the real ``archive/archive.db``)."""
    settings = Settings()
    settings.setmodule("csto_crawler.settings", priority="project")
    # The reactor settings are get_crawler's (they must match the installed reactor).
    values = {key: settings[key] for key in settings if not key.startswith(("TWISTED_", "ASYNCIO_"))}
    values.update({"ITEM_PIPELINES": {}, "CSTO_ENTRY_POINTS": "", "CSTO_INCREMENTAL": False})
    values.update(overrides)
    return values


@pytest.fixture
def make_spider():
    """``make_spider(cls, settings=None, **spider_args)``: a spider bound to a test crawler."""

    def make(cls, settings: dict | None = None, **kwargs):
        crawler = get_crawler(cls, project_settings(**(settings or {})))
        return cls.from_crawler(crawler, **kwargs)

    return make
