"""Helpers shared by the ``csto`` subcommands: project settings and the archive path."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

__all__ = ["project_settings", "archive_path"]


def project_settings(overrides: dict | None = None) -> Settings:
    """The project's Scrapy settings, loaded from ``csto_crawler.settings`` directly (never
    through ``SCRAPY_SETTINGS_MODULE``), with per-command overrides on top."""
    settings = Settings()
    settings.setmodule("csto_crawler.settings", priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def archive_path(explicit: str | None = None) -> Path:
    """The archive file: an explicit path, else the ``CSTO_ARCHIVE_DB`` setting."""
    return Path(explicit or project_settings().get("CSTO_ARCHIVE_DB"))
