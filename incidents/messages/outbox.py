"""The outbox: every message is a record before it is sent, and a failed send is retried
with back-off; sending never runs inside the workflow step that caused it.

A message's id derives from its cause (kind, what caused it, recipient, channel), so a
trigger found again by the next scan, or by two processes at once, adds nothing. Attempts
double their delay from ``retry_seconds`` up to ``MAX_DELAY``; after ``max_attempts`` the
message is "failed" and waits for a person (`citysoc messages retry`, the outbox page).
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core import audit
from core.access import Action, Actor, require_right
from core.clock import Clock, later
from core.errors import InputError
from core.i18n import Lang
from core.messages import Channel, Message, MessageKind, MessageStatus
from core.storage.base import Store
from incidents.messages.channels import Channels, DeliveryError
from incidents.messages.render import render

__all__ = [
    "DeliveryReport",
    "MAX_DELAY",
    "deliver_due",
    "enqueue",
    "list_messages",
    "message_id",
    "retry_message",
]

log = logging.getLogger("citysoc.messages")
MAX_DELAY = timedelta(hours=6)
MAX_PAGE = 500


def message_id(kind: MessageKind, cause: str, recipient: str, channel: Channel) -> str:
    key = "\x1f".join((kind.value, cause, recipient, channel.value))
    return "msg_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def enqueue(
    store: Store,
    *,
    kind: MessageKind,
    cause: str,
    recipient: str,
    channel: Channel,
    address: str,
    language: Lang,
    context: dict[str, object],
    now: datetime,
    incident_id: str | None = None,
) -> bool:
    """Keep the message, rendered, to be sent at once; False when its cause already made it."""
    subject, body = render(kind, language, context)
    message = Message(
        id=message_id(kind, cause, recipient, channel),
        kind=kind,
        channel=channel,
        recipient=recipient,
        address=address,
        language=language,
        subject=subject,
        body=body,
        incident_id=incident_id,
        created_at=now,
        next_attempt_at=now,
    )
    return store.messages.add(
        message.id,
        status=message.status.value,
        created_at=now,
        next_attempt_at=now,
        document=message.model_dump_json(),
    )


def _save(store: Store, message: Message) -> None:
    store.messages.put(
        message.id,
        status=message.status.value,
        next_attempt_at=message.next_attempt_at,
        document=message.model_dump_json(),
    )


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(
    store: Store,
    channels: Channels,
    clock: Clock,
    *,
    max_attempts: int,
    retry_seconds: float,
    limit: int = 100,
) -> DeliveryReport:
    """One attempt for each message due now. A failure is recorded on the message (attempts,
    last error, next attempt) and never raised: one unreachable server must not stop the
    other messages, nor whoever called."""
    report = DeliveryReport()
    for doc in store.messages.due(clock.now(), limit=limit):
        message = Message.model_validate_json(doc)
        sender = channels.sender(message.channel)
        now = clock.now()
        message.attempts += 1
        try:
            if sender is None:
                raise DeliveryError(f"the {message.channel.value} channel is not configured")
            sender.send(message)
        except DeliveryError as exc:
            message.last_error = str(exc)
            if message.attempts >= max_attempts:
                message.status, message.next_attempt_at = MessageStatus.FAILED, None
                report.failed += 1
            else:
                delay = min(
                    timedelta(seconds=retry_seconds * 2 ** (message.attempts - 1)), MAX_DELAY
                )
                message.next_attempt_at = later(now, delay)
                report.retrying += 1
            report.errors.append(f"{message.id}: {exc}")
            log.warning("message %s attempt %d failed: %s", message.id, message.attempts, exc)
        else:
            message.status, message.sent_at, message.next_attempt_at = MessageStatus.SENT, now, None
            report.sent += 1
        _save(store, message)
    return report


def list_messages(
    store: Store,
    *,
    actor: Actor,
    status: MessageStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Message]]:
    """(how many, a page newest first) for the SOC; others are refused."""
    require_right(actor, Action.READ_MESSAGES, "only the SOC reads the message outbox", "messages")
    if not 1 <= limit <= MAX_PAGE:
        raise InputError(f"limit must be 1-{MAX_PAGE}", location="limit")
    if offset < 0:
        raise InputError("offset must not be negative", location="offset")
    code = status.value if status else None
    docs = store.messages.list(status=code, limit=limit, offset=offset)
    return store.messages.count(status=code), [Message.model_validate_json(d) for d in docs]


def retry_message(store: Store, *, actor: Actor, message_id: str, clock: Clock) -> Message:
    """Queue a message again now (a failed one gets a fresh set of attempts); audited."""
    require_right(actor, Action.READ_MESSAGES, "only the SOC retries messages", "messages")
    message = Message.model_validate_json(store.messages.get(message_id))
    if message.status is MessageStatus.SENT:
        raise InputError(f"message {message_id} was sent already", location="message")
    now = clock.now()
    message.status, message.next_attempt_at, message.attempts = MessageStatus.PENDING, now, 0
    _save(store, message)
    audit.record(
        store,
        actor=actor,
        action="message.retry",
        subject=message_id,
        at=now,
        detail={"last_error": message.last_error},
    )
    return message
