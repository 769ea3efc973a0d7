"""One pass of the messages worker: find what deserves a message, then send what is due.
`serve` runs it every ``message_scan_seconds`` (api/server.py ``MessageLoop``)."""

from dataclasses import dataclass

from core.agencies import AgencyRegistry
from core.clock import Clock
from core.settings import Settings
from core.storage.base import Store
from incidents.messages.channels import Channels, channels_from
from incidents.messages.outbox import DeliveryReport, deliver_due
from incidents.messages.triggers import ScanReport, scan

__all__ = ["MessagesPass", "run_messages"]


@dataclass(frozen=True, slots=True)
class MessagesPass:
    found: ScanReport
    delivery: DeliveryReport


def run_messages(
    store: Store,
    *,
    registry: AgencyRegistry,
    settings: Settings,
    clock: Clock,
    channels: Channels | None = None,
) -> MessagesPass:
    """Queue new messages, then one attempt per due message (failures stay on the record)."""
    channels = channels or channels_from(settings)
    found = scan(
        store,
        registry=registry,
        channels=channels,
        now=clock.now(),
        base_url=settings.message_base_url,
        triage_targets=settings.triage_target_minutes,
    )
    delivery = deliver_due(
        store,
        channels,
        clock,
        max_attempts=settings.message_max_attempts,
        retry_seconds=settings.message_retry_seconds,
    )
    return MessagesPass(found, delivery)
