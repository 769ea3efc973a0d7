"""Indicators of compromise (incidents.models.IoC): recognising them, and STIX patterns to
and from them.

Only patterns that are a disjunction of equality comparisons on the kinds below can be
swept against single events; anything else (AND, FOLLOWEDBY, qualifiers, other operators)
is kept with the reason it cannot be swept rather than guessed at.
"""

import functools
import ipaddress
import re
from urllib.parse import urlsplit

from stix2patterns.v21.object_validator import verify_object
from stix2patterns.v21.pattern import Pattern
from stix2patterns.v21.validator import DuplicateQualifierTypeError, ValidationListener

from core.errors import InputError
from incidents.models import IoC, IoCType

__all__ = ["check_pattern", "classify", "from_pattern", "to_pattern"]


_HEX = {64: IoCType.SHA256, 40: IoCType.SHA1, 32: IoCType.MD5}
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$"
)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}$")
_HASH_NAMES = {IoCType.SHA256: "SHA-256", IoCType.SHA1: "SHA-1", IoCType.MD5: "MD5"}
_PATHS: dict[tuple[str, tuple[str, ...]], IoCType] = {
    ("ipv4-addr", ("value",)): IoCType.IPV4,
    ("ipv6-addr", ("value",)): IoCType.IPV6,
    ("file", ("name",)): IoCType.FILENAME,
    ("domain-name", ("value",)): IoCType.DOMAIN,
    ("url", ("value",)): IoCType.URL,
    ("email-addr", ("value",)): IoCType.EMAIL,
    **{("file", ("hashes", name)): kind for kind, name in _HASH_NAMES.items()},
    ("file", ("hashes", "SHA256")): IoCType.SHA256,
    ("file", ("hashes", "SHA1")): IoCType.SHA1,
}
_UNSWEEPABLE = re.compile(r"\b(AND|FOLLOWEDBY|WITHIN|REPEATS|START|STOP|NOT)\b")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")


def classify(text: str, kind: IoCType | None = None) -> IoC:
    """Recognise (or check, when ``kind`` is given) one IoC; raises InputError saying why not."""
    value = text.strip()
    if not value:
        raise InputError("an indicator cannot be empty", location="ioc", key="ioc_empty")
    guessed = _guess(value)
    if kind is None:
        if guessed is None:
            raise InputError(
                f"{value!r} is not an IP address, domain, URL, e-mail address or "
                "MD5/SHA-1/SHA-256 hash",
                location="ioc",
                key="not_an_ioc",
                params={"value": value},
            )
        return guessed
    if kind is IoCType.FILENAME and "/" not in value and "\\" not in value:
        return IoC(type=kind, value=value)  # any bare file name is one
    if guessed is None or guessed.type is not kind:
        raise InputError(
            f"{value!r} is not a valid {kind.value}",
            location="ioc",
            key="not_an_ioc",
            params={"value": value},
        )
    return guessed


def _guess(value: str) -> IoC | None:
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        return IoC(type=IoCType.IPV4 if ip.version == 4 else IoCType.IPV6, value=str(ip))
    lowered = value.lower()
    if len(value) in _HEX and re.fullmatch(r"[0-9a-fA-F]+", value):
        return IoC(type=_HEX[len(value)], value=lowered)
    if "://" in value:  # before e-mail: a URL's query may hold an address (?next=a@b.tw)
        parts = urlsplit(value)
        if parts.scheme in ("http", "https", "ftp") and parts.hostname:
            return IoC(type=IoCType.URL, value=value)
        return None
    if _EMAIL.match(value) and _DOMAIN.match(lowered.rsplit("@", 1)[1]):
        return IoC(type=IoCType.EMAIL, value=lowered)
    if _DOMAIN.match(lowered):
        return IoC(type=IoCType.DOMAIN, value=lowered)
    return None


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def to_pattern(ioc: IoC) -> str:
    if ioc.type in _HASH_NAMES:
        return f"[file:hashes.'{_HASH_NAMES[ioc.type]}' = {_quote(ioc.value)}]"
    path = {
        IoCType.IPV4: "ipv4-addr:value",
        IoCType.IPV6: "ipv6-addr:value",
        IoCType.DOMAIN: "domain-name:value",
        IoCType.URL: "url:value",
        IoCType.EMAIL: "email-addr:value",
        IoCType.FILENAME: "file:name",
    }[ioc.type]
    return f"[{path} = {_quote(ioc.value)}]"


def _unquote(literal: str) -> str:
    if len(literal) < 2 or literal[0] != "'" or literal[-1] != "'":
        raise InputError(f"expected a quoted string, got {literal}", location="pattern")
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def check_pattern(pattern: str) -> None:
    """Raises InputError with the parser's message when the STIX pattern does not parse."""
    _analysed(pattern)


def from_pattern(pattern: str) -> tuple[list[IoC], str | None]:
    """The IoCs a pattern matches on, and why it cannot be swept (None when it can).

    Raises InputError when the pattern does not parse.
    """
    iocs, why = _analysed(pattern)
    return list(iocs), why


def _analysed(pattern: str) -> tuple[tuple[IoC, ...], str | None]:
    """Parsing a pattern (ANTLR, in Python) costs a millisecond or more, and a TAXII POST asks
    about each pattern several times (checks, validation, import): the answer is kept."""
    outcome = _analyse(pattern)
    if isinstance(outcome, InputError):
        raise InputError(outcome.message, location=outcome.location)
    return outcome


@functools.lru_cache(maxsize=4096)
def _analyse(pattern: str) -> tuple[tuple[IoC, ...], str | None] | InputError:
    if not pattern.strip():
        return InputError("an indicator needs a non-empty pattern", location="pattern")
    # One parse for what stix2patterns' validate() checks (grammar, object values such as
    # hash lengths, repeated qualifiers) and for the inspection below.
    try:
        parsed = Pattern(pattern)
        inspected = parsed.inspect()
        errors = verify_object(inspected)
        parsed.walk(ValidationListener())
    except DuplicateQualifierTypeError as exc:
        errors = [str(exc)]
    except Exception as exc:  # noqa: BLE001 - the parser crashes on some inputs; partner data is untrusted
        errors = [str(exc) or f"the pattern parser failed: {type(exc).__name__}"]
    if errors:
        return InputError(
            f"unparsable STIX pattern {pattern[:200]!r}: {'; '.join(errors)}", location="pattern"
        )
    if _UNSWEEPABLE.search(_QUOTED.sub("''", pattern)):
        return (), "the pattern combines observations (AND, FOLLOWEDBY, qualifiers or NOT)"
    iocs: list[IoC] = []
    for object_type, comparisons in inspected.comparisons.items():
        for path, operator, literal in comparisons:
            key = (object_type, tuple(str(p) for p in path))
            kind = _PATHS.get(key)
            if kind is None:
                return (), f"{object_type}:{'.'.join(key[1])} is not a kind CitySOC sweeps"
            if operator != "=":
                return (), f"operator {operator!r} is not swept (only '=')"
            value = _unquote(literal)
            try:
                iocs.append(classify(value, kind))
            except InputError:
                return (), f"{value[:80]!r} is not a valid {kind.value}"
    return tuple(iocs), None
