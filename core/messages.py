"""Messages to people (e-mail, webhook): the kinds a person may opt in to, and the outbox
record every message is kept as until it is sent or given up.

"Message" is deliberately not "notification": in CitySOC a notification is the statutory
通報 filing. The outbox service, channels and triggers live in ``incidents.messages``;
this module holds only the shared types, so accounts (opt-in) and storage can name them.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

__all__ = ["Channel", "Message", "MessageKind", "MessageStatus"]


class MessageKind(StrEnum):
    """What a message is about; each person opts in to the kinds they want."""

    CLOCK_50 = "clock_50"  # half of a statutory clock's time has passed
    CLOCK_80 = "clock_80"
    CLOCK_DUE = "clock_due"  # the clock is due now (within the scan interval)
    CLOCK_OVERDUE = "clock_overdue"
    REVIEW_WAITING = "review_waiting"  # a notification waits for the superior's review
    CRITICAL_SUSPECTED = "critical_suspected"  # triage opened a critical suspected case
    MENTION = "mention"  # someone @mentioned the person in a comment


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class MessageStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENT = "sent"
    FAILED = "failed"  # every attempt failed; `messages retry` queues it again


class Message(BaseModel):
    """One message to one recipient over one channel. The id is derived from what caused
    it (see incidents.messages.outbox.message_id), so a trigger found again adds nothing."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: MessageKind
    channel: Channel
    recipient: str  # a username, or "webhook"
    address: str  # the e-mail address or the webhook URL it goes to
    language: str  # "zh" or "en": the template it was rendered from
    subject: str
    body: str
    incident_id: str | None = None
    status: MessageStatus = MessageStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    created_at: AwareDatetime
    next_attempt_at: AwareDatetime | None  # None once sent or given up
    sent_at: AwareDatetime | None = None

    def due(self, now: datetime) -> bool:
        return (
            self.status is MessageStatus.PENDING
            and self.next_attempt_at is not None
            and self.next_attempt_at <= now
        )
