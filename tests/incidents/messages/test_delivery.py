"""Telling people (issue 14 item 6), end to end over real receivers on loopback: a real
SMTP server (aiosmtpd) gets the rendered zh-TW or English e-mail, a real HTTP receiver
verifies the webhook's HMAC signature. Each trigger fires once; opted-out people get
nothing; a failing receiver is retried with back-off and never blocks the workflow."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.context import CitySoc
from core.access import SYSTEM, Role
from core.alerts import Severity
from core.clock import FixedClock
from core.errors import ConfigError
from core.messages import Message, MessageKind, MessageStatus
from core.profiles import ProfileChange, update_profile
from core.settings import Settings
from incidents import notification, service
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.messages.channels import channels_from
from incidents.messages.outbox import list_messages, retry_message
from incidents.messages.run import run_messages
from incidents.messages.triggers import clock_stage
from tests.factories import ADMIN, make_user, open_incident
from tests.incidents.messages.receivers import SECRET, Hooks, Inbox, smtp_server, webhook_server


@pytest.fixture
def receivers() -> Iterator[tuple[Inbox, int, Hooks, str]]:
    with smtp_server() as (inbox, port), webhook_server() as (hooks, url):
        yield inbox, port, hooks, url


@pytest.fixture
def soc(tmp_path: Path, clock: FixedClock, receivers) -> Iterator[CitySoc]:
    _, port, _, url = receivers
    settings = Settings(
        store=f"sqlite:///{tmp_path / 'citysoc.db'}",
        message_smtp_host="127.0.0.1",
        message_smtp_port=port,
        message_smtp_starttls=False,
        message_smtp_from="soc@city.example",
        message_webhook_url=url,
        message_webhook_secret=SECRET.decode(),
        message_retry_seconds=60,
        message_max_attempts=3,
    )
    with CitySoc(settings, clock=clock) as s:
        yield s


def person(soc, name, role, kinds, *, agency=None, language="zh", email=True):
    make_user(soc, name, role, agency=agency)
    change = ProfileChange(
        email=f"{name}@city.example" if email else "",
        language=language,
        message_kinds=list(kinds),
    )
    update_profile(store=soc.store, actor=ADMIN, username=name, change=change, clock=soc.clock)


def run(soc):
    return run_messages(soc.store, registry=soc.registry, settings=soc.settings, clock=soc.clock)


def outbox(soc) -> list[Message]:
    return list_messages(soc.store, actor=ADMIN, limit=500)[1]


def test_clock_stages_reach_the_people_who_opted_in_once_each(soc, receivers):
    inbox, _, hooks, _ = receivers
    person(soc, "xitun-contact", Role.REPORTER, [MessageKind.CLOCK_50], agency="district-xitun")
    person(soc, "police-contact", Role.REPORTER, [MessageKind.CLOCK_50], agency="police")
    person(soc, "amy", Role.ANALYST, [MessageKind.CLOCK_80], language="en")
    person(soc, "bob", Role.ANALYST, [])  # opted in to nothing
    incident = open_incident(soc.store, soc.clock, title="勒索軟體")
    assert run(soc).found.queued == 0  # nothing reached yet
    soc.clock.advance(timedelta(minutes=31))  # half of the 1-hour notification clock

    first = run(soc)
    assert first.delivery.sent == 2 and first.delivery.retrying == 0
    [mail] = inbox.mails
    assert mail["To"] == "xitun-contact@city.example"
    assert mail["Subject"] == f"【CitySOC】時限已過半：機關通報（{incident.id}）"
    text = mail.get_content()
    assert "臺中市西屯區公所" in text or "西屯" in text
    assert "勒索軟體" in text and f"/incidents/{incident.id}" in text
    [hook] = hooks.received
    assert hook["kind"] == "clock_50" and hook["incident_id"] == incident.id
    assert hook["language"] == "zh" and "時限已過半" in hook["subject"]
    assert run(soc).found.queued == 0  # the same stage is not sent twice

    soc.clock.advance(timedelta(minutes=18))  # 49 minutes: 80 %
    run(soc)
    english = inbox.mails[-1]
    assert english["To"] == "amy@city.example"
    assert (
        english["Subject"]
        == f"[CitySOC] 80 % of the time has passed: Agency notification ({incident.id})"
    )
    assert {m["To"] for m in inbox.mails} == {"xitun-contact@city.example", "amy@city.example"}
    assert len(hooks.received) == 2 and hooks.refused == 0


def test_a_failing_receiver_is_retried_with_backoff_and_never_blocks_the_workflow(soc, receivers):
    inbox, _, hooks, _ = receivers
    person(soc, "lee", Role.LEAD, [MessageKind.REVIEW_WAITING])
    incident = open_incident(soc.store, soc.clock)
    hooks.fail_with = 500
    notified = notification.file_notification(
        store=soc.store,
        actor=ADMIN,
        incident_id=incident.id,
        answers=LevelAnswers(
            system_class=SystemClass.NON_CORE, availability=Availability.WITHIN_MTD
        ),
        description="d",
        response_measures="m",
        outside_support_needed=False,
        clock=soc.clock,
    )
    assert notified.notified_at is not None
    result = run(soc)
    assert result.delivery.sent == 1 and result.delivery.retrying == 1  # mail ok, hook down
    assert "通報待審核" in inbox.mails[0]["Subject"]
    [hook] = [m for m in outbox(soc) if m.channel.value == "webhook"]
    assert hook.status is MessageStatus.PENDING and hook.attempts == 1
    assert hook.last_error == "webhook answered HTTP 500 Internal Server Error"
    assert hook.next_attempt_at == soc.clock.now() + timedelta(seconds=60)

    assert run(soc).delivery.retrying == 0  # not due again before its back-off
    soc.clock.advance(timedelta(seconds=60))
    run(soc)  # second failure: the delay doubles
    soc.clock.advance(timedelta(seconds=120))
    assert run(soc).delivery.failed == 1  # the third of three attempts: given up
    [hook] = [m for m in outbox(soc) if m.channel.value == "webhook"]
    assert hook.status is MessageStatus.FAILED and hook.attempts == 3
    assert hooks.received == []

    hooks.fail_with = None
    retry_message(soc.store, actor=ADMIN, message_id=hook.id, clock=soc.clock)
    assert run(soc).delivery.sent == 1
    assert hooks.received[0]["kind"] == "review_waiting"
    assert soc.store.audit.count(subject=hook.id) == 1  # the retry is audited


def test_a_new_critical_suspected_case_goes_to_on_duty_analysts(soc, receivers):
    inbox, _, _, _ = receivers
    person(soc, "amy", Role.ANALYST, [MessageKind.CRITICAL_SUSPECTED])
    person(soc, "lee", Role.LEAD, [])  # not on duty
    for severity in (Severity.HIGH, Severity.CRITICAL):
        service.open_incident(
            store=soc.store,
            actor=SYSTEM,
            organization_id="district-xitun",
            title=f"{severity.value} case",
            aware_at=None,
            severity=severity,
            clock=soc.clock,
        )
    run(soc)
    [mail] = inbox.mails
    assert mail["To"] == "amy@city.example" and "新的重大疑似事件" in mail["Subject"]
    assert "critical case" in mail.get_content()


def test_people_without_an_address_or_disabled_channels_get_nothing(tmp_path, clock):
    settings = Settings(store=f"sqlite:///{tmp_path / 'c.db'}")
    with CitySoc(settings, clock=clock) as soc:
        person(soc, "amy", Role.ANALYST, [MessageKind.CLOCK_50], email=False)
        open_incident(soc.store, soc.clock)
        soc.clock.advance(timedelta(minutes=45))
        assert run(soc).found.queued == 0
        assert soc.store.messages.count() == 0


def test_a_webhook_without_its_secret_is_refused(tmp_path):
    settings = Settings(
        store=f"sqlite:///{tmp_path / 'c.db'}", message_webhook_url="http://127.0.0.1:9/h"
    )
    with pytest.raises(ConfigError, match="MESSAGE_WEBHOOK_SECRET"):
        channels_from(settings)


def test_only_the_latest_stage_is_sent_when_a_clock_is_first_seen_late(clock):
    start = clock.now()
    due = start + timedelta(hours=1)
    assert clock_stage(start, due, start + timedelta(minutes=29)) is None
    assert clock_stage(start, due, start + timedelta(minutes=30)) is MessageKind.CLOCK_50
    assert clock_stage(start, due, start + timedelta(minutes=60)) is MessageKind.CLOCK_DUE
    assert clock_stage(start, due, start + timedelta(hours=5)) is MessageKind.CLOCK_OVERDUE


def test_serves_message_worker_queues_and_sends_on_its_timer(soc, receivers):
    from api.server import MessageLoop
    from tests.api.test_workers import wait_for

    inbox, _, hooks, _ = receivers
    person(soc, "amy", Role.ANALYST, [MessageKind.CLOCK_DUE])
    open_incident(soc.store, soc.clock)
    soc.clock.advance(timedelta(minutes=61))
    with MessageLoop(soc, interval=0.05) as worker:
        wait_for(lambda: len(inbox.mails) == 1 and len(hooks.received) == 1, "the messages")
        wait_for(lambda: worker.health.snapshot().backlog == 0, "an empty outbox")
    assert "時限已到" in inbox.mails[0]["Subject"]


def test_a_mention_reaches_only_people_who_opted_in_and_may_see_the_incident(soc, receivers):
    from incidents.messages.triggers import message_mention

    inbox, _, hooks, _ = receivers
    person(soc, "amy", Role.ANALYST, [MessageKind.MENTION])
    person(soc, "bob", Role.ANALYST, [])  # mentioned, but opted out
    person(soc, "police-contact", Role.REPORTER, [MessageKind.MENTION], agency="police")
    incident = open_incident(soc.store, soc.clock, title="釣魚郵件")

    def mention() -> int:
        return message_mention(
            soc.store,
            registry=soc.registry,
            channels=channels_from(soc.settings),
            incident=incident,
            author="lee",
            mentioned=["amy", "bob", "police-contact", "nobody"],
            comment_id="c-1",
            excerpt="@amy 請確認主機 D-XITUN-FS01",
            now=soc.clock.now(),
            base_url=soc.settings.message_base_url,
        )

    assert mention() == 1
    assert mention() == 0  # once per comment and person
    run(soc)
    [mail] = inbox.mails
    assert mail["To"] == "amy@city.example" and "lee 在" in mail["Subject"]
    assert "請確認主機" in mail.get_content()
    assert hooks.received == []  # a mention is personal: not on the team's webhook


def test_a_comment_naming_someone_reaches_them_through_the_scan_once(soc, receivers):
    from incidents import casework

    inbox, _, hooks, _ = receivers
    person(soc, "amy", Role.ANALYST, [MessageKind.MENTION])
    incident = open_incident(soc.store, soc.clock, title="釣魚郵件")
    casework.add_comment(
        store=soc.store,
        actor=ADMIN,
        incident_id=incident.id,
        text="@amy 請確認主機 D-XITUN-FS01",
        clock=soc.clock,
    )
    run(soc)
    run(soc)  # a second scan finds the same comment: nothing new
    [mail] = inbox.mails
    assert mail["To"] == "amy@city.example" and "請確認主機" in mail.get_content()
    assert [m.kind for m in outbox(soc)] == [MessageKind.MENTION]


def test_email_goes_over_starttls_to_a_server_that_requires_it(tmp_path):
    import ssl

    from core.messages import Channel, Message
    from incidents.messages.channels import DeliveryError, SmtpChannel
    from tests.incidents.messages.receivers import self_signed

    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))
    message = Message(
        id="msg_tls",
        kind=MessageKind.CLOCK_DUE,
        channel=Channel.EMAIL,
        recipient="amy",
        address="amy@city.example",
        language="zh",
        subject="【CitySOC】時限已到",
        body="機關通報時限已到。\n",
        created_at=datetime.now(UTC),
        next_attempt_at=None,
    )
    with smtp_server(server_tls) as (inbox, port):
        plain = SmtpChannel("127.0.0.1", port, "soc@city.example", starttls=False)
        with pytest.raises(DeliveryError, match="STARTTLS"):
            plain.send(message)  # the server refuses mail before STARTTLS
        SmtpChannel("127.0.0.1", port, "soc@city.example", tls=trusting).send(message)
    [mail] = inbox.mails
    assert mail["Subject"] == "【CitySOC】時限已到" and "機關通報時限已到" in mail.get_content()
