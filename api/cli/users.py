"""`citysoc users`: accounts for people and their API tokens."""

import sys
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, safe
from core.access import Role
from core.messages import MessageKind

__all__ = ["users_app"]

users_app = typer.Typer(help="Accounts for people and their API tokens.", no_args_is_help=True)


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[Role, typer.Option(help="analyst, lead, reporter, auditor or admin")],
    agency: Annotated[str | None, typer.Option(help="required for reporters")] = None,
    display_name: str = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="read the password from standard input (for scripts)"
        ),
    ] = False,
    password: Annotated[
        str | None, typer.Option(hidden=True, help="refused: visible in the process list")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Create an account (the first administrator is created this way: no defaults exist).

    The password is asked for, hidden; scripts pipe it with --password-stdin.
    """
    from core.accounts import create_user

    if password is not None:  # too late to hide it now, but never accept it this way
        raise typer.BadParameter(
            "a password on the command line is visible to everyone on this machine (ps, "
            "shell history); leave it out to be asked for it, or pipe it with --password-stdin",
            param_hint="--password",
        )
    secret = _read_password(password_stdin)
    with open_soc(store) as soc:
        user = create_user(
            store=soc.store,
            actor=local_operator(),
            registry=soc.registry,
            username=username,
            password=secret,
            role=role,
            agency=agency,
            display_name=display_name,
            clock=soc.clock,
        )
        console.print(
            f"created {safe(user.username)} "
            f"({user.role.value}{'@' + safe(user.agency) if user.agency else ''})"
        )


def _read_password(from_stdin: bool) -> str:
    """The first line of standard input, or a hidden prompt asked twice."""
    if not from_stdin:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    secret = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if not secret:
        raise typer.BadParameter(
            "standard input was empty; pipe the password in", param_hint="--password-stdin"
        )
    return secret


@users_app.command("list")
def users_list(store: StoreOpt = None) -> None:
    """Accounts, with lockout state."""
    from core.accounts import list_users

    with open_soc(store) as soc:
        table = Table(title="Accounts")
        for col in ("username", "role", "agency", "disabled", "locked until"):
            table.add_column(col)
        for u in list_users(store=soc.store, actor=local_operator()):
            table.add_row(
                u.username,
                u.role.value,
                u.agency or "-",
                "yes" if u.disabled else "",
                u.locked_until.isoformat() if u.locked_until else "",
            )
        console.print(table)


@users_app.command("token")
def users_token(
    username: str, name: Annotated[str, typer.Option(help="what uses it")], store: StoreOpt = None
) -> None:
    """Issue an API token for a user; it is printed once and kept only as a hash."""
    from core.accounts import User, issue_token

    with open_soc(store) as soc:
        doc = soc.store.accounts.get_user(username)
        if doc is None:
            raise typer.BadParameter(f"no user {username!r}")
        user = User.model_validate_json(doc)
        plain, token = issue_token(store=soc.store, actor=user.actor(), name=name, clock=soc.clock)
        console.print(f"token {token.id} for {safe(username)} (shown once):")
        sys.stdout.write(plain + "\n")


@users_app.command("update")
def users_update(
    username: str,
    email: Annotated[str | None, typer.Option(help="e-mail address; '' clears it")] = None,
    phone: Annotated[str | None, typer.Option(help="e.g. 04-2228-9111#123; '' clears it")] = None,
    display_name: Annotated[str | None, typer.Option(help="the person's name")] = None,
    language: Annotated[str | None, typer.Option(help="zh or en: the messages' language")] = None,
    messages: Annotated[
        str | None,
        typer.Option(
            help="message kinds opted in to, comma-separated ('' for none): "
            + ", ".join(k.value for k in MessageKind)
        ),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Change a person's profile: how to reach them and the messages they want."""
    from pydantic import ValidationError

    from core.profiles import ProfileChange, update_profile

    try:
        change = ProfileChange.model_validate(
            {
                "email": email,
                "phone": phone,
                "display_name": display_name,
                "language": language,
                "message_kinds": None
                if messages is None
                else [k.strip() for k in messages.split(",") if k.strip()],
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = {"message_kinds": "messages"}.get(str(first["loc"][0]), str(first["loc"][0]))
        raise typer.BadParameter(first["msg"], param_hint=f"--{field.replace('_', '-')}") from None
    with open_soc(store) as soc:
        user = update_profile(
            store=soc.store,
            actor=local_operator(),
            username=username,
            change=change,
            clock=soc.clock,
        )
        kinds = ", ".join(k.value for k in user.message_kinds) or "none"
        console.print(
            f"updated {safe(user.username)}: {safe(user.display_name)}, "
            f"e-mail {safe(user.email) or '-'}, phone {safe(user.phone) or '-'}, "
            f"{user.language}, messages: {kinds}"
        )
