"""IoCs written as lines, the way the notify form and `citysoc incidents notify --ioc` take
them: ``type value`` (``ipv4 203.0.113.45``, ``filename 發票 2026.exe``) or the value alone,
whose type is recognised. Each line is checked against its type; a refusal names the line."""

from collections.abc import Iterable

from core.errors import InputError
from incidents.models import IoCType
from incidents.sharing.observables import classify

__all__ = ["IOC_TYPES", "parse_ioc_lines"]

IOC_TYPES = ", ".join(t.value for t in IoCType)


def parse_ioc_lines(lines: Iterable[str], field: str = "iocs") -> list[dict[str, str]]:
    """The non-blank lines as ``{"type", "value"}`` (the API's IoC input). Raises InputError
    at ``field`` naming the first bad line and the accepted forms."""
    parsed: list[dict[str, str]] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        head, _, rest = text.partition(" ")
        known = head.lower() in {t.value for t in IoCType} and rest.strip()
        try:
            ioc = classify(rest, IoCType(head.lower())) if known else classify(text)
        except InputError as exc:
            raise InputError(
                f"IoC line {number}: {exc.message}. Write one per line as 'type value' "
                f"(types: {IOC_TYPES}) or the value alone",
                location=field,
                key="ioc_line",
                params={"line": number, "types": IOC_TYPES},
            ) from None
        parsed.append({"type": ioc.type.value, "value": ioc.value})
    return parsed
