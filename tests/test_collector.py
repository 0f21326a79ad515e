"""The crawl process's garbage-collector threshold (``csto_crawler.collector``)."""

from __future__ import annotations

import gc

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from csto_crawler.collector import CollectorThreshold
from csto_crawler.config import project_settings


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def _extension(value=None) -> CollectorThreshold:
    settings = {} if value is None else {"CSTO_GC_THRESHOLD": value}
    return CollectorThreshold.from_crawler(get_crawler(Spider, settings))


def test_raised_while_engines_run_and_restored_when_the_last_stops(thresholds):
    first, second = _extension(), _extension(20_000)
    first.engine_started()
    assert gc.get_threshold() == (10_000, 10, 10)
    second.engine_started()  # a second crawler of the process (csto refresh) changes nothing
    first.engine_started()  # a repeated signal counts once
    assert gc.get_threshold() == (10_000, 10, 10)
    first.engine_stopped()
    assert gc.get_threshold() == (10_000, 10, 10)  # the other engine still runs
    second.engine_stopped()
    second.engine_stopped()
    assert gc.get_threshold() == (700, 10, 10)


def test_never_lowers_a_threshold_set_higher(thresholds):
    gc.set_threshold(50_000, 10, 10)
    extension = _extension()
    extension.engine_started()
    assert gc.get_threshold() == (50_000, 10, 10)
    extension.engine_stopped()
    assert gc.get_threshold() == (50_000, 10, 10)


def test_zero_keeps_pythons_and_a_negative_value_is_refused():
    with pytest.raises(NotConfigured):
        _extension(0)
    with pytest.raises(ValueError, match="CSTO_GC_THRESHOLD must be 0 or a positive number"):
        _extension(-5)


def test_the_project_enables_it():
    settings = project_settings()
    assert "csto_crawler.collector.CollectorThreshold" in settings.getdict("EXTENSIONS")
    assert settings.getint("CSTO_GC_THRESHOLD") == 10_000
