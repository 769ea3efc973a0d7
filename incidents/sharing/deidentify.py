"""De-identification before anything leaves the city (regulations.md §7.3).

Personal data (e-mail addresses of people, national and resident ID numbers, phone numbers,
names) and internal detail (private or city addresses, internal host names) are removed from
the summary, and IoCs that are themselves internal, or carry personal data, are withheld with
the reason — reported back to the analyst, never dropped silently. Internal detail may stay
only where the written arrangement allows it (``allow_internal_details``) and the marking is
AMBER or stricter; personal data never.

Matching runs on folded text (``incidents.sharing.folding``: full-width characters, ideographic
dots, defanged ``[.]``, invisible characters), every IP-like token is read the ways resolvers
read it (``incidents.sharing.addresses``: inet_aton's hex, octal and short forms, IPv4 inside
IPv6), and host names are compared after IDNA mapping. Names cannot be recognised reliably in
free text: the names of CitySOC's own users and names next to a cue (聯絡人…, …先生) are removed,
and the summary leaves only after the analyst has confirmed a preview of exactly what will
leave (``incidents.sharing.outgoing``).
"""

import ipaddress
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

import idna

from core.agencies import UNASSIGNED, AgencyRegistry
from core.i18n import labels
from incidents.models import IoC, IoCType
from incidents.sharing.addresses import (
    IPAddress,
    embedded_ipv4,
    inet_aton_forms,
    parse_host_address,
)
from incidents.sharing.folding import fold
from incidents.sharing.tlp import Tlp

__all__ = [
    "MARK",
    "RedactionKind",
    "Removed",
    "Sanitized",
    "Withheld",
    "WithheldReason",
    "mark",
    "sanitize",
]


class RedactionKind(StrEnum):
    """What a piece removed from the summary was; the catalogue says it (``redaction_<code>``)."""

    NATIONAL_ID = "national_id"
    RESIDENT_ID = "resident_id"
    EMAIL = "email"
    PHONE = "phone"
    PERSONAL_NAME = "personal_name"
    INTERNAL_ADDRESS = "internal_address"
    INTERNAL_HOST = "internal_host"


class WithheldReason(StrEnum):
    """Why an IoC stays in the city; the catalogue says it (``withheld_<code>``), so the
    preview reads in the page's language and the API carries the code."""

    AGENCY_ADDRESS = "agency_address"
    INTERNAL_ADDRESS = "internal_address"
    INVENTORY_HOST = "inventory_host"
    INTERNAL_HOST = "internal_host"
    STAFF_EMAIL = "staff_email"
    UNREADABLE_URL = "unreadable_url"
    FILE_NAME_CONTAINS = "file_name_contains"  # the kinds say what it contains
    URL_CONTAINS = "url_contains"
    UNUSABLE = "unusable"  # recorded before IoCs were checked; the detail says what is wrong


@dataclass(frozen=True, slots=True)
class Withheld:
    ioc: IoC
    reason: WithheldReason
    kinds: tuple[RedactionKind, ...] = ()  # for the *_CONTAINS reasons
    detail: str = ""  # for UNUSABLE: the check's own message


@dataclass(frozen=True, slots=True)
class Removed:
    """One piece of the summary that was removed: shown to the analyst, never shared."""

    kind: RedactionKind
    text: str


@dataclass
class Sanitized:
    iocs: list[IoC]
    summary: str
    withheld: list[Withheld] = field(default_factory=list)
    redactions: Counter[RedactionKind] = field(default_factory=Counter)  # kind -> how many
    removed: list[Removed] = field(default_factory=list)


MARK = "[已移除/removed: {}]"


def mark(kind: RedactionKind) -> str:
    """What stands in the shared summary for a removed piece: in both languages, for the
    partner counties read it in Chinese and the catalogue's English goes with it."""
    return MARK.format(f"{labels('zh')[f'redaction_{kind}']}/{labels('en')[f'redaction_{kind}']}")


_ALNUM = "0-9A-Za-z"  # token boundaries are ASCII: Chinese text runs into tokens unspaced
_EMAIL = re.compile(
    rf"(?<![{_ALNUM}._%+-])[{_ALNUM}._%+-]+@(?:[{_ALNUM}-]+\.)+[A-Za-z]{{2,63}}(?![{_ALNUM}-])"
)
_ID_TAIL = r"(?:[ -]?\d){8}(?![0-9])"
_NATIONAL_ID = re.compile(rf"(?<![{_ALNUM}])[A-Za-z][ -]?[12]{_ID_TAIL}")  # 身分證字號
_RESIDENT_ID = re.compile(
    rf"(?<![{_ALNUM}])[A-Za-z][ -]?[89A-Da-d]{_ID_TAIL}"
)  # 居留證, both forms
_PHONE_RUN = re.compile(rf"(?<![{_ALNUM}])\d[\d ().\-]{{0,24}}\d")
_V4_TOKEN = re.compile(
    rf"(?<![{_ALNUM}.])(?:0[xX][0-9A-Fa-f]+|\d+)(?:\.(?:0[xX][0-9A-Fa-f]+|\d+)){{0,3}}"
    rf"(?![{_ALNUM}]|\.[{_ALNUM}])"
)
_V6_RUN = re.compile(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[0-9A-Za-z._~-]+)?")
_HOST = re.compile(
    rf"(?<![{_ALNUM}._-])(?:[{_ALNUM}](?:[{_ALNUM}-]{{0,61}}[{_ALNUM}])?\.)+"
    rf"[A-Za-z][{_ALNUM}-]{{0,62}}(?![{_ALNUM}-])"
)
_WORD = re.compile(rf"(?<![{_ALNUM}._-])[{_ALNUM}][{_ALNUM}-]*(?![{_ALNUM}-])")
# Chinese names next to a cue: a role word before (聯絡人王小明) or a title after (王小明先生).
_SURNAMES = (
    "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁"
    "魏孫戴范方宋鄧杜傅侯曹薛丁卓阮馬董温溫唐藍石蔣古紀姚連馮歐程湯田康姜白汪鄒尤巫鐘黎涂凃龔嚴韓袁"
    "金童陸夏柳邵錢伍倪于譚駱熊任甘秦顧毛章史官萬俞雷粘饒"
)
_NAME = rf"(?:歐陽|司馬|諸葛|張簡|范姜|[{_SURNAMES}])[\u4e00-\u9fff]{{1,2}}"
_NAME_AFTER_CUE = re.compile(
    rf"(?:聯絡人|聯繫人|承辦人|通報人|申請人|使用者|當事人|姓名|員工|同仁|職員)\s*(?:[:：]|為|是)?\s*({_NAME})"
)
_NAME_BEFORE_TITLE = re.compile(
    rf"({_NAME})(?=\s*(?:先生|小姐|女士|科長|股長|課長|主任|專員|技士|組長|處長|局長|秘書|老師|同學))"
)
# Addresses that only mean something inside a network (documentation ranges such as
# 203.0.113.0/24 are not among them: they stand in for public addresses in examples).
_INTERNAL_NETS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "::1/128",
        "fc00::/7",  # unique local (fd12::10)
        "fe80::/10",  # link local
        "fec0::/10",  # the old site-local
    )
)


def _fold_host(host: str) -> str:
    """IDNA (UTS #46) mapping: full-width letters, ideographic dots, case."""
    name = host.strip().rstrip(".。．｡")
    try:
        name = idna.uts46_remap(name, std3_rules=False, transitional=False)
    except (idna.IDNAError, ValueError):
        name = fold(name).text.lower()
    return name.rstrip(".")


class _Policy:
    def __init__(
        self,
        registry: AgencyRegistry,
        internal_suffixes: Sequence[str],
        known_hosts: Sequence[str],
        people: Sequence[str],
        keep_internal: bool,
    ) -> None:
        self.registry = registry
        self.suffixes = tuple(_fold_host(s).lstrip(".") for s in internal_suffixes)
        self.hosts = {_fold_host(h) for h in known_hosts if h.strip()}
        # A host's first label is telling when it looks like a machine name (fs01, dc-02).
        self.labels = {
            h.split(".", 1)[0]
            for h in self.hosts
            if len(h.split(".", 1)[0]) >= 4 and re.search(r"[\d-]", h.split(".", 1)[0])
        }
        self.people = sorted({fold(p).text.strip() for p in people if len(p.strip()) >= 2}, key=len)
        self.keep_internal = keep_internal

    # -- addresses and hosts -------------------------------------------------------------

    def address_reason(self, addresses: Sequence[IPAddress]) -> WithheldReason | None:
        if self.keep_internal:
            return None
        for address in addresses:
            inner = list(embedded_ipv4(address)) if address.version == 6 else []
            for ip in (address, *inner):
                if ip.version == 4 and self.registry.for_sender(address=str(ip)) is not UNASSIGNED:
                    return WithheldReason.AGENCY_ADDRESS
                if any(ip.version == net.version and ip in net for net in _INTERNAL_NETS):
                    return WithheldReason.INTERNAL_ADDRESS
        return None

    def host_reason(self, host: str) -> WithheldReason | None:
        if self.keep_internal:
            return None
        name = _fold_host(host)
        if name in self.hosts:
            return WithheldReason.INVENTORY_HOST
        if any(name == s or name.endswith("." + s) for s in self.suffixes):
            return WithheldReason.INTERNAL_HOST
        return None

    # -- free text -----------------------------------------------------------------------

    def spans(self, text: str, keep: set[str]) -> list[tuple[int, int, RedactionKind]]:
        """Every piece of ``text`` (folded) that may not leave, as (start, end, kind)."""
        found: list[tuple[int, int, RedactionKind]] = []
        for pattern, kind in (
            (_NATIONAL_ID, RedactionKind.NATIONAL_ID),
            (_RESIDENT_ID, RedactionKind.RESIDENT_ID),
            (_EMAIL, RedactionKind.EMAIL),  # every address in prose is personal data
        ):
            found += [
                (m.start(), m.end(), kind)
                for m in pattern.finditer(text)
                if m.group(0).lower() not in keep
            ]
        found += [(s, e, RedactionKind.PHONE) for s, e in _phones(text)]
        found += [(s, e, RedactionKind.PERSONAL_NAME) for s, e in self._names(text)]
        if not self.keep_internal:
            found += [(s, e, RedactionKind.INTERNAL_ADDRESS) for s, e in self._addresses(text)]
            found += [(s, e, RedactionKind.INTERNAL_HOST) for s, e in self._hosts(text, keep)]
        return found

    def _addresses(self, text: str) -> Iterator[tuple[int, int]]:
        for m in _V4_TOKEN.finditer(text):
            token = m.group(0)
            if "." not in token and not token.lower().startswith("0x"):
                continue  # a bare number is a number (in prose; URL hosts are read apart)
            if self.address_reason(inet_aton_forms(token)):
                yield m.start(), m.end()
        for m in _V6_RUN.finditer(text):
            # The run may begin with a label ("IP:fd12::10", and "ID:fd12::11" even parses, as
            # d:fd12::11) or a colon: try it from each colon on, and flag any internal reading.
            start, candidate = m.start(), m.group(0)
            while candidate.count(":") >= 2:
                core = candidate.rstrip(".:") if not candidate.endswith("::") else candidate
                try:
                    address = ipaddress.IPv6Address(core.split("%", 1)[0])
                except ValueError:
                    address = None
                if address is not None and self.address_reason([address]):
                    yield start, start + len(core)
                    break
                # A colon from the prose (来源：::1 folds to 来源:::1) or a label before it.
                cut = 1 if candidate.startswith(":") else candidate.find(":") + 1
                start, candidate = start + cut, candidate[cut:]

    def _hosts(self, text: str, keep: set[str]) -> Iterator[tuple[int, int]]:
        for m in _HOST.finditer(text):
            if m.group(0).lower() in keep:
                continue
            # In prose a host name may run into more dots: backup-fs08.local.zip, fs01.lan.
            labels = m.group(0).split(".")
            if any(self.host_reason(".".join(labels[:n])) for n in range(2, len(labels) + 1)):
                yield m.start(), m.end()
        if self.labels:
            for m in _WORD.finditer(text):
                if m.group(0).lower() in self.labels:
                    yield m.start(), m.end()

    def _names(self, text: str) -> Iterator[tuple[int, int]]:
        lowered = text.lower()
        for person in self.people:
            needle = person.lower()
            at = lowered.find(needle)
            while at >= 0:
                yield at, at + len(needle)
                at = lowered.find(needle, at + len(needle))
        for pattern in (_NAME_AFTER_CUE, _NAME_BEFORE_TITLE):
            for m in pattern.finditer(text):
                yield m.start(1), m.end(1)

    # -- IoCs ----------------------------------------------------------------------------

    def withheld(self, ioc: IoC) -> Withheld | None:
        """Why ``ioc`` may not leave, or None when it may."""
        reason: WithheldReason | None = None
        if ioc.type in (IoCType.IPV4, IoCType.IPV6):
            reason = self.address_reason(parse_host_address(ioc.value))
        elif ioc.type is IoCType.DOMAIN:
            reason = self.host_reason(ioc.value)
        elif ioc.type is IoCType.URL:
            return self._url_withheld(ioc)
        elif ioc.type is IoCType.EMAIL:
            domain = _fold_host(ioc.value.rsplit("@", 1)[1])
            if any(domain == s or domain.endswith("." + s) for s in self.suffixes):
                reason = WithheldReason.STAFF_EMAIL  # personal data
        elif ioc.type is IoCType.FILENAME:
            return self._text_withheld(ioc, ioc.value, WithheldReason.FILE_NAME_CONTAINS)
        return None if reason is None else Withheld(ioc, reason)  # hashes always leave

    def _url_withheld(self, ioc: IoC) -> Withheld | None:
        try:
            parts = urlsplit(ioc.value)
            host = parts.hostname or ""
        except ValueError:
            return Withheld(ioc, WithheldReason.UNREADABLE_URL)  # its host cannot be checked
        # A URL host that is a number is an address (http://167772165/ is 10.0.0.5).
        reason = self.address_reason(parse_host_address(host)) or self.host_reason(host)
        if reason is not None:
            return Withheld(ioc, reason)
        # The rest (user, path, query) may name internal hosts or people: …?next=http://fs01…
        rest = " ".join((parts.username or "", parts.path, parts.query, parts.fragment))
        return self._text_withheld(ioc, rest, WithheldReason.URL_CONTAINS)

    def _text_withheld(self, ioc: IoC, text: str, reason: WithheldReason) -> Withheld | None:
        spans = self.spans(fold(text).text, keep=set())
        kinds = tuple(sorted({kind for _s, _e, kind in spans}))
        return Withheld(ioc, reason, kinds) if kinds else None


def _phones(text: str) -> Iterator[tuple[int, int]]:
    """Taiwanese phone numbers however grouped (0912 345 678, (04)2228-9111, 04-22289111,
    +886 912 345 678, 886-4-2228-9111) and other international numbers (+ and 8-15 digits).
    A run of digit groups is tried window by window, longest first, so a number next to
    other numbers is still found."""
    for run in _PHONE_RUN.finditer(text):
        groups = [
            (run.start() + g.start(), run.start() + g.end())
            for g in re.finditer(r"\d+", run.group(0))
        ]
        i = 0
        while i < len(groups):
            for j in range(len(groups), i, -1):
                start, end = groups[i][0], groups[j - 1][1]
                if end < len(text) and re.match(rf"[{_ALNUM}]", text[end]):
                    continue
                before = text[max(0, start - 2) : start]
                international = before.endswith("+") or before == "+ "
                digits = "".join(text[a:b] for a, b in groups[i:j])
                if _is_phone(digits, international=international):
                    if international:
                        start -= 1 if before.endswith("+") else 2
                    elif before.endswith("("):
                        start -= 1
                    yield start, end
                    i = j
                    break
            else:
                i += 1


def _is_phone(digits: str, *, international: bool) -> bool:
    if digits.startswith("886"):
        national = "0" + digits[3:].removeprefix("0")  # +886 (0)4 ... is written too
    elif international:
        return 8 <= len(digits) <= 15
    else:
        national = digits
    return bool(re.fullmatch(r"09\d{8}|0[2-8]\d{7,8}", national))


def sanitize(
    iocs: Sequence[IoC],
    summary: str,
    *,
    tlp: Tlp,
    registry: AgencyRegistry,
    internal_suffixes: Sequence[str],
    known_hosts: Sequence[str] = (),
    people: Sequence[str] = (),
    allow_internal_details: bool = False,
) -> Sanitized:
    """Split IoCs into shareable and withheld, and scrub the summary text.

    ``people`` are names known to belong to people (CitySOC's users); they are removed
    wherever they appear."""
    keep_internal = allow_internal_details and tlp.rank >= Tlp.AMBER.rank
    policy = _Policy(registry, internal_suffixes, known_hosts, people, keep_internal)
    out = Sanitized(iocs=[], summary=summary)
    for ioc in dict.fromkeys(iocs):  # de-duplicated, order kept
        withheld = policy.withheld(ioc)
        if withheld is None:
            out.iocs.append(ioc)
        else:
            out.withheld.append(withheld)
    shared = {i.value.lower() for i in out.iocs}  # an IoC the analyst shares stays readable
    folded = fold(summary)
    pieces: list[str] = []
    cursor = 0
    for start, end, kind in _outermost(policy.spans(folded.text, shared)):
        first, last = folded.original(start, end)
        if first < cursor:
            continue
        pieces += [summary[cursor:first], mark(kind)]
        out.redactions[kind] += 1
        out.removed.append(Removed(kind, summary[first:last]))
        cursor = last
    out.summary = "".join([*pieces, summary[cursor:]])
    return out


def _outermost(
    spans: list[tuple[int, int, RedactionKind]],
) -> list[tuple[int, int, RedactionKind]]:
    """Non-overlapping spans, leftmost first and the longest of those starting together (an
    e-mail address wins over the host name inside it)."""
    kept: list[tuple[int, int, RedactionKind]] = []
    for span in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
        elif span[1] > kept[-1][1]:  # overlapping and longer: widen the kept one
            kept[-1] = (kept[-1][0], span[1], kept[-1][2])
    return kept
