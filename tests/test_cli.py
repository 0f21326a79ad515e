"""The ``csto`` command: every subcommand has help; ``python -m csto_crawler`` works."""

from __future__ import annotations

import subprocess
import sys

import pytest

from csto_crawler.cli import build_parser, main


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_core_subcommands_exist():
    assert "export" in subcommands()


@pytest.mark.parametrize("name", subcommands())
def test_every_subcommand_has_help(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"csto {name}" in out and len(out.splitlines()) > 2


def test_python_dash_m_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "csto_crawler", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "export" in result.stdout
