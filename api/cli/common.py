"""What every command group shares: opening the CitySOC for --store, the shared options,
the consoles, progress bars and writing output files."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.context import CitySoc
from api.filters import MAX_OFFSET
from api.terminal import console as make_console
from core.settings import Settings

__all__ = [
    "Limit",
    "Offset",
    "StoreOpt",
    "console",
    "err",
    "open_soc",
    "page_format",
    "progress_bar",
    "write_file",
]

# Stored text reaches these only through api.terminal (tables, safe(), json_text()).
console = make_console()
err = make_console(stderr=True)

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="e.g. sqlite:///var/citysoc.db (default: CITYSOC_STORE)"),
]

# Bounded like the API's paging (a negative LIMIT means "all" to SQLite).
Limit = Annotated[int, typer.Option(min=1, max=1000, help="rows to show (1-1000)")]
Offset = Annotated[int, typer.Option(min=0, max=MAX_OFFSET, help="rows to skip")]


def open_soc(store: str | None, rules: list[Path] | None = None) -> CitySoc:
    """The CitySOC on ``--store`` (default: the settings'), with extra rule folders if given."""
    overrides: dict[str, object] = {}
    if store:
        overrides["store"] = store
    if rules:
        overrides["rule_dirs"] = rules
    return CitySoc(Settings(**overrides))  # type: ignore[arg-type]


def page_format(out: Path) -> str:
    """Documents are PDF for a .pdf file and HTML otherwise."""
    return "pdf" if out.suffix.lower() == ".pdf" else "html"


def write_file(out: Path, data: bytes) -> None:
    """Write an output file (document, report, bundle), making its folder if needed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def progress_bar() -> Progress:
    """A transient bar on stderr, so that stdout stays the command's output alone."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
