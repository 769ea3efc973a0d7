"""`citysoc users update` (the profile) and `citysoc messages list/retry/send`."""

import json

from typer.testing import CliRunner

from api.cli import app
from core.settings import Settings
from core.storage import open_store
from tests.factories import PASSWORD

runner = CliRunner()


def _call(*args: str) -> tuple[int, str]:
    """Exit code and what a person sees (a service's refusal reaches `main`, which prints
    it with exit 2; under the runner it is the exception)."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output + str(result.exception or "")


def test_users_update_sets_the_profile_and_refuses_bad_values(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    made = runner.invoke(
        app,
        ["users", "create", "amy", "--role", "analyst", "--password-stdin", "--store", store],
        input=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    code, out = _call(
        "users", "update", "amy", "--email", "amy@city.example", "--phone", "04-2228-9111#123",
        "--display-name", "王小美", "--messages", "clock_80,review_waiting", "--store", store,
    )  # fmt: skip
    assert code == 0, out
    assert "amy@city.example" in out and "clock_80, review_waiting" in out
    with open_store(Settings(store=store)) as opened:
        doc = json.loads(opened.accounts.get_user("amy") or "{}")
        assert doc["display_name"] == "王小美" and doc["phone"] == "04-2228-9111#123"
        assert [r.action for r in opened.audit.rows(subject="amy")][-1] == "user.update"
    code, out = _call("users", "update", "amy", "--email", "not-an-address", "--store", store)
    assert code != 0 and "e-mail" in out
    code, out = _call("users", "update", "amy", "--phone", "call me", "--store", store)
    assert code != 0 and "phone" in out
    code, out = _call("users", "update", "amy", "--messages", "everything", "--store", store)
    assert code != 0 and "messages" in out and "clock_50" in out
    code, out = _call("users", "update", "nobody", "--phone", "0912345678", "--store", store)
    assert code != 0 and "no user" in out


def test_messages_list_retry_and_send(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    code, out = _call("messages", "send", "--store", store)
    assert code == 0 and "queued 0; sent 0" in out
    with open_store(Settings(store=store)) as opened:
        from datetime import UTC, datetime

        from core.messages import Channel, Message, MessageKind, MessageStatus

        now = datetime(2026, 3, 2, tzinfo=UTC)
        failed = Message(
            id="msg_1", kind=MessageKind.CLOCK_50, channel=Channel.EMAIL, recipient="amy",
            address="amy@city.example", language="zh", subject="s", body="b",
            status=MessageStatus.FAILED, attempts=8, last_error="SMTP down",
            created_at=now, next_attempt_at=None,
        )  # fmt: skip
        opened.messages.add(
            failed.id, status="failed", created_at=now, next_attempt_at=None,
            document=failed.model_dump_json(),
        )  # fmt: skip
    code, out = _call("messages", "list", "--store", store)
    assert code == 0 and "msg_1" in out and "SMTP down" in out and "failed" in out
    code, out = _call("messages", "retry", "msg_1", "--store", store)
    assert code == 0 and "queued msg_1 again" in out
    code, out = _call(
        "messages", "list", "--status", "pending", "--format", "json", "--store", store
    )
    assert code == 0 and json.loads(out)[0]["attempts"] == 0
    code, out = _call("messages", "send", "--store", store)  # no channel configured
    assert code == 0 and "retrying 1" in out and "not configured" in out
    code, out = _call("messages", "retry", "msg_9", "--store", store)
    assert code != 0 and "no message" in out
