"""The embedded engine: one SQLite file in WAL mode, no server needed.

Events keep the fields detections filter on most as indexed columns (channel, event code,
agency, time) and every flattened field in a JSON document that compiled Sigma rules read
with ``json_extract``. Values in that document are stored as text so that a rule's
``LogonType: 3`` matches whether the source sent ``3`` or ``"3"``.
"""

from core.storage.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
