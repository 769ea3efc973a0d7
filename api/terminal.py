"""Stored text on a terminal: shown, never obeyed.

Host names, user names, messages, rule titles and partners' indicators come from logs and
other people; printed raw, ``\\x1b]0;title\\x07`` would retitle the window, ``\\x1b[2J`` clear
the screen, and ``[red]…[/red]`` or ``:emoji:`` would be read as Rich markup. Every CLI
table and message that shows stored text goes through here.
"""

import json
import re
from typing import Any

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

__all__ = ["Table", "console", "json_text", "plain", "safe"]

# C0 controls (ESC, BEL, CR, ...), DEL, C1 controls (0x9b is a one-byte CSI), the Unicode
# line and paragraph separators, and the bidirectional overrides that reorder what is shown.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# What json.dumps leaves raw (it escapes C0 inside strings; outside them C0 is its layout).
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(value: object) -> str:
    """``value`` as text with every control character shown as an escape (``\\x1b``)."""
    return _CONTROLS.sub(_visible, str(value))


def safe(value: object) -> str:
    """Stored text for a Rich markup string (an f-string we style): controls shown, markup
    escaped, so ``[red]`` prints as itself."""
    return escape(plain(value))


def json_text(data: Any) -> str:
    """JSON for the terminal: json already escapes C0 controls; C1 controls and the other
    characters above are escaped too (``\\u009b``), which JSON readers decode unchanged."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class Table(RichTable):
    """A Rich table whose string cells are stored text: never markup, controls shown.
    Cells we style ourselves are passed as ``Text``."""

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        cells = [Text(plain(c)) if isinstance(c, str) else c for c in renderables]
        super().add_row(*cells, **kwargs)


def console(*, stderr: bool = False) -> Console:
    """A console that never turns ``:name:`` into an emoji (stored text may contain it)."""
    return Console(stderr=stderr, emoji=False)
