"""The two ways a message leaves: e-mail over SMTP and an HMAC-signed JSON webhook.

A webhook request carries two headers a receiver checks (``verify_signature`` does it):

* ``X-CitySOC-Timestamp``: seconds since the Unix epoch when it was signed;
* ``X-CitySOC-Signature``: ``sha256=`` and the lowercase hex HMAC-SHA256, under the shared
  secret, of ``<timestamp>.`` followed by the exact request body bytes.

A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses a
timestamp more than a few minutes from its own clock (a replayed request). The body is
JSON: id, kind, recipient, language, subject, body, incident_id, created_at.
"""

import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from pydantic import SecretStr

from core.errors import ConfigError
from core.messages import Channel, Message
from core.settings import Settings

__all__ = [
    "Channels",
    "DeliveryError",
    "SIGNATURE_HEADER",
    "SmtpChannel",
    "TIMESTAMP_HEADER",
    "WebhookChannel",
    "channels_from",
    "sign",
    "verify_signature",
]

TIMESTAMP_HEADER = "X-CitySOC-Timestamp"
SIGNATURE_HEADER = "X-CitySOC-Signature"
MAX_ERROR = 500  # characters of a failure kept on the message


class DeliveryError(Exception):
    """One attempt failed; the message says why (never a secret)."""


class Sender(Protocol):
    def send(self, message: Message) -> None:
        """Deliver or raise DeliveryError."""


@dataclass(frozen=True, slots=True)
class SmtpChannel:
    host: str
    port: int
    sender: str
    starttls: bool = True
    username: str | None = None
    password: SecretStr | None = None
    timeout: float = 30.0
    tls: ssl.SSLContext | None = None  # tests trust their own certificate here

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.address, message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(idstring=message.id)
        mail.set_content(message.body, charset="utf-8")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=self.tls or ssl.create_default_context())
                if self.username and self.password is not None:
                    smtp.login(self.username, self.password.get_secret_value())
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(_why(f"SMTP {self.host}:{self.port}", exc)) from exc


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` signed at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    secret: bytes, timestamp: str, body: bytes, signature: str, *, now: float, tolerance: float
) -> bool:
    """What a receiver checks: the signature over the raw body, and a fresh timestamp."""
    try:
        fresh = abs(now - float(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(frozen=True, slots=True)
class WebhookChannel:
    url: str
    secret: SecretStr
    timeout: float = 30.0

    def send(self, message: Message, *, now: float | None = None) -> None:
        body = json.dumps(
            {
                "id": message.id,
                "kind": message.kind.value,
                "recipient": message.recipient,
                "language": message.language,
                "subject": message.subject,
                "body": message.body,
                "incident_id": message.incident_id,
                "created_at": message.created_at.isoformat(),
            },
            ensure_ascii=False,
        ).encode()
        stamp = str(int(time.time() if now is None else now))
        request = urllib.request.Request(  # noqa: S310 - the URL is checked to be http(s)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: sign(self.secret.get_secret_value().encode(), stamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                answer.read(1024)
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"webhook answered HTTP {exc.code} {exc.reason}") from exc
        except (OSError, urllib.error.URLError) as exc:
            raise DeliveryError(_why("webhook", exc)) from exc


def _why(what: str, exc: BaseException) -> str:
    return f"{what}: {type(exc).__name__}: {exc}"[:MAX_ERROR]


@dataclass(frozen=True, slots=True)
class Channels:
    """The configured channels; one left None is off."""

    email: SmtpChannel | None = None
    webhook: WebhookChannel | None = None

    def sender(self, channel: Channel) -> Sender | None:
        return self.email if channel is Channel.EMAIL else self.webhook


def channels_from(settings: Settings) -> Channels:
    """The channels the settings turn on. A webhook URL without its secret is a ConfigError:
    an unsigned webhook would let anyone who finds the URL forge messages."""
    email = None
    if settings.message_smtp_host:
        email = SmtpChannel(
            host=settings.message_smtp_host,
            port=settings.message_smtp_port,
            sender=settings.message_smtp_from,
            starttls=settings.message_smtp_starttls,
            username=settings.message_smtp_username,
            password=settings.message_smtp_password,
            timeout=settings.message_smtp_timeout,
        )
    webhook = None
    if settings.message_webhook_url:
        if settings.message_webhook_secret is None:
            raise ConfigError(
                "CITYSOC_MESSAGE_WEBHOOK_URL needs CITYSOC_MESSAGE_WEBHOOK_SECRET (the key the "
                "receiver verifies X-CitySOC-Signature with)",
                location="message_webhook_secret",
            )
        webhook = WebhookChannel(
            settings.message_webhook_url,
            settings.message_webhook_secret,
            timeout=settings.message_smtp_timeout,
        )
    return Channels(email=email, webhook=webhook)
