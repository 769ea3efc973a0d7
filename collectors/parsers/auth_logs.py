"""sshd and sudo messages (the Linux authentication log) into ECS fields.

A syslog record keeps its syslog fields; when its program is ``sshd`` or ``sudo`` and the
message is one of these forms, who, from where, what and the outcome are added:

* sshd ``Accepted password for amy from 10.0.0.5 port 40001 ssh2`` (or ``Failed …``, ``…
  for invalid user amy …``): ``user.name``, ``source.ip``, ``source.port``,
  ``system.auth.ssh.method``, ``event.outcome`` success / failure (``event.reason``
  "invalid user");
* sshd ``Invalid user amy from 10.0.0.5 port 40001``: the same, a failure;
* sudo ``amy : TTY=pts/0 ; PWD=/home/amy ; USER=root ; COMMAND=/usr/bin/id``:
  ``user.name``, ``user.effective.name``, ``process.working_directory``,
  ``process.tty.name``, ``process.command_line``, a success; with ``3 incorrect password
  attempts`` or ``user NOT in sudoers`` before TTY, a failure with that ``event.reason``.

Any other message of these programs is left as it came (its ``message`` is searchable).
"""

import re

from core.events import FieldValue

__all__ = ["auth_fields"]

_SSH_LOGIN = re.compile(
    r"(?P<result>Accepted|Failed) (?P<method>[\w/-]{1,40}) for (?P<invalid>invalid user )?"
    r"(?P<user>\S{0,256}) from (?P<ip>[0-9A-Fa-f:.]{2,45}) port (?P<port>\d{1,5})"
)
_SSH_INVALID = re.compile(
    r"Invalid user (?P<user>\S{0,256}) from (?P<ip>[0-9A-Fa-f:.]{2,45})(?: port (?P<port>\d{1,5}))?"
)
_SUDO = re.compile(r"\s*(?P<user>[^\s:]{1,256}) : (?P<rest>.*)", re.DOTALL)
_SUDO_FAILURES = ("incorrect password attempt", "NOT in sudoers", "authentication failure")


def auth_fields(program: str, message: str) -> dict[str, FieldValue]:
    """The ECS fields an sshd or sudo message states; empty for anything else."""
    if program == "sshd":
        return _sshd(message)
    if program == "sudo":
        return _sudo(message)
    return {}


def _sshd(message: str) -> dict[str, FieldValue]:
    login = _SSH_LOGIN.match(message)
    if login:
        success = login["result"] == "Accepted"
        fields: dict[str, FieldValue] = {
            "event.category": "authentication",
            "event.action": "ssh_login",
            "event.outcome": "success" if success else "failure",
            "user.name": login["user"],
            "source.ip": login["ip"],
            "source.port": int(login["port"]),
            "system.auth.ssh.method": login["method"],
        }
        if login["invalid"]:
            fields["event.reason"] = "invalid user"
        return fields
    invalid = _SSH_INVALID.match(message)
    if invalid:
        fields = {
            "event.category": "authentication",
            "event.action": "ssh_invalid_user",
            "event.outcome": "failure",
            "event.reason": "invalid user",
            "user.name": invalid["user"],
            "source.ip": invalid["ip"],
        }
        if invalid["port"]:
            fields["source.port"] = int(invalid["port"])
        return fields
    return {}


def _sudo(message: str) -> dict[str, FieldValue]:
    found = _SUDO.match(message)
    if found is None or "TTY=" not in found["rest"]:
        return {}
    # COMMAND comes last and may itself hold " ; ": everything after it is the command.
    head, _, command = found["rest"].partition("COMMAND=")
    parts = [p.strip() for p in head.split(" ; ")]
    named = dict(p.split("=", 1) for p in parts if "=" in p)
    failure = next((p for p in parts if any(f in p for f in _SUDO_FAILURES)), None)
    fields: dict[str, FieldValue] = {
        "event.category": "process",
        "event.action": "sudo",
        "event.outcome": "failure" if failure else "success",
        "user.name": found["user"],
    }
    if failure:
        fields["event.reason"] = failure
    for value, name in (
        (named.get("USER"), "user.effective.name"),
        (named.get("PWD"), "process.working_directory"),
        (named.get("TTY"), "process.tty.name"),
        (command.strip(), "process.command_line"),
    ):
        if value:
            fields[name] = value
    return fields
