"""Process-wide settings changed only while crawler engines run.

``WhileEnginesRun`` is the base of extensions that change something for the whole process (the
garbage collector's threshold, the loggers' levels): ``apply()`` runs when the first engine of
the process starts and returns what ``restore(saved)`` puts back when the last one stops, so
several crawlers in one process (``csto refresh``) change it once. A repeated signal counts
once; each subclass keeps its own count.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals

__all__ = ["WhileEnginesRun"]


class WhileEnginesRun:
    """Extension base: ``apply()`` while at least one crawler engine of the process runs."""

    _running = 0
    _saved: Any = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._running, cls._saved = 0, None

    def __init__(self) -> None:
        self.started = False

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls.configured(crawler.settings)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    @classmethod
    def configured(cls, settings) -> WhileEnginesRun:
        """The extension for a crawler's settings (not Scrapy's deprecated ``from_settings``)."""
        return cls()

    def apply(self) -> Any:
        """Change the setting; returns what ``restore`` needs (None: nothing was changed)."""
        raise NotImplementedError

    def restore(self, saved: Any) -> None:
        raise NotImplementedError

    def engine_started(self) -> None:
        if self.started:
            return
        self.started = True
        cls = type(self)
        if cls._running == 0:
            cls._saved = self.apply()
        cls._running += 1

    def engine_stopped(self) -> None:
        if not self.started:
            return
        self.started = False
        cls = type(self)
        cls._running -= 1
        if cls._running == 0 and cls._saved is not None:
            self.restore(cls._saved)
            cls._saved = None
