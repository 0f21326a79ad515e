"""The project's configuration as the library reads it: Scrapy settings, the archive's path,
and the error a malformed site configuration raises.

Everything here is below the CLI (``csto_crawler.commands``) and the spiders: both import it,
it imports neither. Settings are loaded from ``csto_crawler.settings`` directly (never through
``SCRAPY_SETTINGS_MODULE``); environment variables are read only there.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

__all__ = ["ConfigError", "archive_path", "project_settings"]


class ConfigError(ValueError):
    """A malformed site configuration (``news_sites.yml``): the message names the file, the
    entry and the key, or the slugs that clash with a site module."""


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
