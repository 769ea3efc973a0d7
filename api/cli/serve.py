"""`citysoc serve` (listeners, detection loop and API) and `citysoc agencies`.

Both are top-level commands: `api/cli/__init__.py` registers them.
"""

from api.cli.common import StoreOpt, console, open_soc, progress_bar
from api.terminal import Table, safe
from core.settings import Settings

__all__ = ["agencies", "serve"]


def agencies() -> None:
    """The agency registry in use."""
    settings = Settings()
    from core.agencies import AgencyRegistry

    registry = AgencyRegistry.load(settings.agencies_file)
    table = Table(title=f"{len(registry)} agencies ({settings.agencies_file})")
    for col in ("code", "name", "English", "type", "networks"):
        table.add_column(col)
    for a in registry:
        table.add_row(
            a.code, a.name_zh, a.name_en, a.agency_type.value, ", ".join(str(n) for n in a.networks)
        )
    console.print(table)


def serve(store: StoreOpt = None) -> None:
    """Start syslog listeners (UDP+TCP), the detection loop and the API."""
    from api.server import serve as run_server

    with open_soc(store) as soc:
        console.print(f"CitySOC on {safe(soc.settings.store)} with {len(soc.registry)} agencies")
        with progress_bar() as progress:
            task = progress.add_task("compiling rules", total=None)
            rules = soc.rules(lambda n: progress.advance(task, n))
        console.print(f"{len(rules.compiled)} rules ready ({len(rules.issues)} not usable)")
        # whole lines, never wrapped: a path or URL cut at the terminal's edge is no use
        run_server(soc, announce=lambda line: console.print(line, soft_wrap=True, markup=False))
