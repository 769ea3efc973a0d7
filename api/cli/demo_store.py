"""Which store `citysoc demo` writes, and when it may replace what is there.

The demo loads into the store `citysoc serve` uses (``--store``, else ``CITYSOC_STORE``,
else the settings' default), so the running server shows it. It never deletes an
operator's data silently: an existing store is replaced only when the demo wrote it and
nobody has worked in it since (a marker beside it records the audit entries the demo left),
or when the operator passes ``--reset``. An empty store (as a first `citysoc serve` leaves
it) holds nothing to lose. A store that holds only accounts (the first administrator made on
/setup and the people they added) is not replaced: the demo loads beside them, so a server
already running on it keeps its file and its people.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError
from core.settings import Settings

__all__ = ["DemoStore", "demo_store"]


# Audit actions that only concern accounts (core.accounts): a store with nothing else is a
# first run's, and the demo may load beside it.
_ACCOUNT_ACTIONS = ("user.", "auth.", "token.")


@dataclass(frozen=True, slots=True)
class DemoStore:
    """The demo's SQLite store: its URL, its file and the files that belong to it."""

    settings: Settings

    @property
    def url(self) -> str:
        return self.settings.store

    @property
    def db(self) -> Path:
        return self.settings.sqlite_path

    @property
    def marker(self) -> Path:
        # Beside the store, not in it: deciding whether to wipe must not need to open it.
        return self.db.with_name(self.db.name + ".demo")

    def _files(self) -> list[Path]:
        """The store's own files. The anchors sign the chain being wiped, so they go with it
        (kept, they would report the new chain as rewritten); the audit key and evidence
        folder are shared with any later store and stay."""
        db = self.db
        return [
            db,
            db.with_name(db.name + "-wal"),
            db.with_name(db.name + "-shm"),
            self.settings.audit_anchor_path,
            self.marker,
        ]

    def _demo_entries(self) -> int | None:
        """The audit entries the demo left, if the demo wrote this store."""
        try:
            return int(json.loads(self.marker.read_text(encoding="utf-8"))["audit_entries"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def refusal(self, *, audit_entries: int, records: int) -> str | None:
        """Why the existing store may not be replaced without --reset, or None if it may.
        ``audit_entries``: how many it holds (every change a person makes is audited, so
        more than the demo left means someone worked in it); ``records``: its events and
        dead letters (an empty store, as a first `citysoc serve` leaves it, holds nothing
        to lose)."""
        if audit_entries == 0 and records == 0:
            return None
        left = self._demo_entries()
        if left is None:
            return (
                f"{self.db} already holds a CitySOC store that the demo did not write; "
                "the demo replaces it only with --reset (which deletes its data)"
            )
        if audit_entries > left:
            return (
                f"{self.db} was written by the demo, but {audit_entries - left} audited "
                "changes were made in it since (sign-ins, accounts, case work); the demo "
                "replaces it only with --reset (which deletes them)"
            )
        return None

    @staticmethod
    def accounts_only(*, actions: Iterable[str], records: int) -> bool:
        """Whether the store holds accounts and nothing else: no events or dead letters
        (``records``), and every audited change (``actions``) one of accounts, sign-ins or
        tokens. The demo then loads beside those accounts instead of replacing the store."""
        return records == 0 and all(a.startswith(_ACCOUNT_ACTIONS) for a in actions)

    def exists(self) -> bool:
        return self.db.exists()

    def wipe(self) -> None:
        for path in self._files():
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise InputError(
                    f"cannot delete {path} to replace the store: {exc.strerror}",
                    location="--store",
                ) from None

    def mark(self, *, audit_entries: int) -> None:
        """Record that the demo wrote this store and how many audit entries it left."""
        self.marker.write_text(json.dumps({"audit_entries": audit_entries}) + "\n", "utf-8")


def demo_store(store: str | None) -> DemoStore:
    """The store the demo writes: ``--store`` or the one `citysoc serve` uses by default.
    Raises InputError for a store that is not SQLite (the demo never wipes a cluster)."""
    settings = Settings(store=store) if store else Settings()
    if settings.engine != "sqlite":
        raise InputError(
            f"the demo writes an embedded SQLite store, not {settings.store}; give "
            "--store sqlite:///path/to/demo.db",
            location="--store",
        )
    return DemoStore(settings)
