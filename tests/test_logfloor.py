"""The root logger's level while a crawl runs (``csto_crawler.logfloor``): no record is made
below the lowest level a handler takes, and nothing a handler would take is lost."""

from __future__ import annotations

import logging

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from csto_crawler.config import project_settings
from csto_crawler.logfloor import LogLevelFloor, handler_floor


class _Kept(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def bare_logging():
    """``only(*handlers)``: the root logger at NOTSET with just these handlers, and no other
    logger's (pytest's capture handlers, level NOTSET, are set aside; all put back after)."""
    root = logging.root
    saved_level = root.level
    saved: dict[logging.Logger, list] = {}

    def only(*handlers: logging.Handler) -> logging.Logger:
        for item in [root, *logging.Logger.manager.loggerDict.values()]:
            if isinstance(item, logging.Logger) and item.handlers:
                saved.setdefault(item, item.handlers[:])
                item.handlers = []
        root.handlers = list(handlers)
        root.setLevel(logging.NOTSET)
        return root

    yield only
    for item in [root, *logging.Logger.manager.loggerDict.values()]:
        if isinstance(item, logging.Logger):
            item.handlers = saved.get(item, [])
    root.setLevel(saved_level)


def _extension() -> LogLevelFloor:
    return LogLevelFloor.from_crawler(get_crawler(Spider))


def test_records_below_every_handler_are_not_made_and_the_level_comes_back(bare_logging, monkeypatch):
    info = _Kept(logging.INFO)
    root = bare_logging(info)
    logging.getLogger("some_library").addHandler(logging.NullHandler())  # takes nothing
    made = []
    real = logging.Logger.makeRecord
    monkeypatch.setattr(logging.Logger, "makeRecord", lambda self, *a, **k: made.append(a[1]) or real(self, *a, **k))
    log = logging.getLogger("csto_crawler.test_logfloor")
    first, second = _extension(), _extension()
    first.engine_started()
    second.engine_started()  # a second crawler of the process (csto refresh) changes nothing
    assert root.level == logging.INFO
    made.clear()
    info.records.clear()  # the crawlers' own start-up lines
    log.debug("not made")
    log.info("kept")
    assert made == [logging.INFO] and [r.getMessage() for r in info.records] == ["kept"]
    first.engine_stopped()
    assert root.level == logging.INFO  # the other engine still runs
    second.engine_stopped()
    second.engine_stopped()  # a repeated signal counts once
    assert root.level == logging.NOTSET
    log.debug("made again")
    assert made == [logging.INFO, logging.DEBUG]


def test_a_handler_anywhere_that_takes_debug_keeps_every_record(bare_logging):
    bare_logging(_Kept(logging.WARNING))
    debug = _Kept(logging.DEBUG)
    logging.getLogger("csto_crawler.summary").addHandler(debug)
    assert handler_floor() == logging.DEBUG
    extension = _extension()
    extension.engine_started()
    logging.getLogger("csto_crawler.summary.part").debug("seen")
    assert [r.getMessage() for r in debug.records] == ["seen"]
    extension.engine_stopped()


def test_a_handler_of_every_level_changes_nothing(bare_logging):
    root = bare_logging(_Kept(logging.NOTSET))
    extension = _extension()
    extension.engine_started()
    assert root.level == logging.NOTSET
    extension.engine_stopped()


def test_loggers_set_below_the_floor_are_raised_and_put_back_and_none_is_lowered(bare_logging):
    kept = _Kept(logging.INFO)
    root = bare_logging(kept)
    scrapy_like = logging.getLogger("csto_test_framework")
    scrapy_like.setLevel(logging.DEBUG)  # as Scrapy sets its "scrapy" logger
    quiet = logging.getLogger("csto_test_quiet")
    quiet.setLevel(logging.CRITICAL)
    child = logging.getLogger("csto_test_framework.engine")  # NOTSET: inherits
    extension = _extension()
    extension.engine_started()
    assert (root.level, scrapy_like.level, quiet.level, child.level) == (
        logging.INFO, logging.INFO, logging.CRITICAL, logging.NOTSET)
    kept.records.clear()
    child.debug("not made")
    child.info("kept")
    assert [r.getMessage() for r in kept.records] == ["kept"]
    extension.engine_stopped()
    assert (root.level, scrapy_like.level, quiet.level, child.level) == (
        logging.NOTSET, logging.DEBUG, logging.CRITICAL, logging.NOTSET)
    scrapy_like.setLevel(logging.NOTSET)
    quiet.setLevel(logging.NOTSET)


def test_the_project_enables_it():
    assert "csto_crawler.logfloor.LogLevelFloor" in project_settings().getdict("EXTENSIONS")

