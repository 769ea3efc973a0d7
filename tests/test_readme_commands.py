"""README's commands run as written on a fresh clone after `make run`'s set-up: every
command line in its code blocks calls the installed `.venv/bin/citysoc` (a bare `citysoc`
is "command not found" outside the virtualenv), and names a command that exists."""

import re
from pathlib import Path

import typer

from api.cli import app

ROOT = Path(__file__).resolve().parents[1]
_WORD = re.compile(r"[a-z][a-z-]*")


def command_lines() -> list[str]:
    lines, inside = [], False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line)
    return lines


def resolves(words: list[str]) -> bool:
    """True when the leading words of ``words`` name a command of the CLI (not a group)."""
    command = typer.main.get_command(app)
    for word in words:
        subcommands = getattr(command, "commands", None)  # a group's, by name
        if subcommands is None:
            return True  # the rest are arguments
        if word not in subcommands:
            return False
        command = subcommands[word]
    return getattr(command, "commands", None) is None


def test_readme_calls_the_installed_command():
    bare = [line for line in command_lines() if re.match(r"\s*citysoc\s", line)]
    assert bare == [], f"write .venv/bin/citysoc (a bare citysoc is not on PATH): {bare}"


def test_every_readme_command_exists():
    calls = [line for line in command_lines() if line.startswith(".venv/bin/citysoc ")]
    assert len(calls) >= 30
    unknown = []
    for line in calls:
        words = []
        for word in line.split()[1:]:
            if not _WORD.fullmatch(word):
                break
            words.append(word)
        if not resolves(words):
            unknown.append(line)
    assert unknown == [], f"README names commands the CLI lacks: {unknown}"
