"""De-identification against a generated corpus: many spellings of every kind of internal
detail and personal data, each planted in Chinese and English prose (and as IoCs), must be
removed from the summary or withheld, and reported. Public values in the same prose must
survive, so a scrubber that removes everything cannot pass.

The corpus is generated from a fixed seed: a failure names the exact sample.
"""

import ipaddress
import random
from collections.abc import Callable, Iterator

import pytest

from core.agencies import AgencyRegistry
from core.settings import DEFAULT_AGENCIES
from incidents.models import IoC, IoCType
from incidents.sharing.deidentify import RedactionKind, mark, sanitize
from incidents.sharing.observables import classify
from incidents.sharing.tlp import Tlp

SUFFIXES = ["taichung.gov.tw", "tc.gov.tw", "local", "internal"]
PEOPLE = ["陳美華", "Amy Chen"]  # CitySOC users' display names
PER_CLASS = 40
REGISTRY = AgencyRegistry.load(DEFAULT_AGENCIES)
CITY_NETS = [net for agency in REGISTRY for net in agency.networks if net.version == 4]
PRIVATE_NETS = [
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16")
]
FULL_WIDTH = str.maketrans(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.@-",
    "０１２３４５６７８９ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ．＠－",
)
ZWSP = "\u200b"
CONTEXTS = [
    "{}",
    "今日{}出現異常連線。",
    "來源：{}，請處理",
    "(見 {})",
    "log shows {} then exit",
    "「{}」",
    "第一行\n{}\n第三行",
    "多筆資料{}、其他",
]


def internal_v4(rng: random.Random) -> ipaddress.IPv4Address:
    net = rng.choice(CITY_NETS + PRIVATE_NETS)
    return net[rng.randrange(1, net.num_addresses - 1)]


def v4_spellings(rng: random.Random) -> Iterator[str]:
    """IPv4 as people, URLs and resolvers write it."""
    forms: list[Callable[[ipaddress.IPv4Address], str]] = [
        str,
        lambda a: ".".join(f"0x{b:02x}" for b in a.packed),
        lambda a: ".".join(f"0X{b:X}" for b in a.packed),
        lambda a: ".".join(f"0{b:o}" for b in a.packed),
        lambda a: ".".join(f"{b:03d}" for b in a.packed),  # leading zeros, meant as decimal
        lambda a: f"0x{int(a):08x}",
        lambda a: f"{a.packed[0]}.{int.from_bytes(a.packed[1:], 'big')}",  # a.b
        lambda a: f"{a.packed[0]}.{a.packed[1]}.{int.from_bytes(a.packed[2:], 'big')}",  # a.b.c
        lambda a: str(a).translate(FULL_WIDTH),
        lambda a: str(a).replace(".", "[.]"),
        lambda a: str(a).replace(".", "。"),
        lambda a: str(a).replace(".", ZWSP + ".", 1),
        lambda a: f"{a}:3389",
        lambda a: f"{a}/24",
    ]
    for n in range(PER_CLASS):
        yield forms[n % len(forms)](internal_v4(rng))


def teredo(client: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    server = int(ipaddress.IPv4Address("192.0.2.45"))
    return ipaddress.IPv6Address(
        (0x20010000 << 96) | (server << 64) | (0x8000 << 48) | (0xF227 << 32)
        | (int(client) ^ 0xFFFFFFFF)
    )  # fmt: skip


def v6_spellings(rng: random.Random) -> Iterator[str]:
    def mapped(a: ipaddress.IPv4Address) -> str:
        return str(ipaddress.IPv6Address(0xFFFF << 32 | int(a)))  # ::ffff:a14:414

    forms: list[Callable[[ipaddress.IPv4Address], str]] = [
        mapped,
        lambda a: f"::ffff:{a}",
        lambda a: str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(a))),
        lambda a: str(ipaddress.IPv6Address(0x2002 << 112 | int(a) << 80 | 1)),  # 6to4
        lambda a: str(ipaddress.IPv6Address(int(a))),  # IPv4-compatible ::a14:414
        lambda a: str(teredo(a)),
        lambda _: f"fd{rng.randrange(256):02x}:{rng.randrange(65536):x}::{rng.randrange(1, 99):x}",
        lambda _: f"fe80::{rng.randrange(1, 65536):x}%eth0",
        lambda _: "::1",
        lambda a: f"[{mapped(a)}]:443",
        lambda a: f"http://[64:ff9b::{a}]/login",
        lambda a: mapped(a).upper(),
        lambda _: f"IP:fd12::{rng.randrange(1, 65536):x}",
    ]
    for n in range(PER_CLASS):
        yield forms[n % len(forms)](internal_v4(rng))


def label(rng: random.Random) -> str:
    return (
        rng.choice(["fs", "dc", "ap", "db", "mail", "hr-app", "gis"])
        + f"{rng.randrange(1, 99):02d}"
    )


def host_spellings(rng: random.Random) -> Iterator[str]:
    forms: list[Callable[[str], str]] = [
        lambda h: h,
        lambda h: h.upper(),
        lambda h: h.replace(".", "。"),
        lambda h: h.replace(".", "．"),
        lambda h: h.replace(".", "｡", 1),
        lambda h: h.translate(FULL_WIDTH),
        lambda h: h.replace(".", "[.]"),
        lambda h: h + ".",
        lambda h: h.replace(".", ZWSP + ".", 1),
        lambda h: f"https://{h}/owa/auth",
    ]
    for n in range(PER_CLASS):
        host = f"{label(rng)}.{rng.choice(['xitun.', 'police.', ''])}{rng.choice(SUFFIXES)}"
        yield forms[n % len(forms)](host)


def id_number(rng: random.Random, second: str) -> str:
    return rng.choice("ABCDEFGHJKLMNPQRSTUVXYWZIO") + second + f"{rng.randrange(10**8):08d}"


def id_spellings(rng: random.Random, seconds: str) -> Iterator[str]:
    forms: list[Callable[[str], str]] = [
        lambda v: v,
        lambda v: v.lower(),
        lambda v: f"{v[0]} {v[1:]}",
        lambda v: f"{v[0]}-{v[1:]}",
        lambda v: f"{v[0]} {v[1:4]} {v[4:7]} {v[7:]}",
        lambda v: v.translate(FULL_WIDTH),
        lambda v: f"{v[0].lower()} {v[1:]}",
    ]
    for n in range(PER_CLASS):
        yield forms[n % len(forms)](id_number(rng, rng.choice(seconds)))


def phone_spellings(rng: random.Random) -> Iterator[str]:
    def mobile() -> str:
        return f"09{rng.randrange(10**8):08d}"

    def landline() -> tuple[str, str]:
        area, digits = rng.choice([("02", 8), ("04", 8), ("037", 6), ("049", 7), ("07", 7)])
        return area, f"{rng.randrange(10 ** (digits - 1), 10**digits)}"

    forms: list[Callable[[], str]] = [
        mobile,
        lambda: (m := mobile()) and f"{m[:4]}-{m[4:7]}-{m[7:]}",
        lambda: (m := mobile()) and f"{m[:4]} {m[4:7]} {m[7:]}",
        lambda: (m := mobile()) and f"{m[:4]}-{m[4:]}",
        lambda: (m := mobile()) and f"+886 {m[1:4]} {m[4:7]} {m[7:]}",
        lambda: (m := mobile()) and f"+886-{m[1:4]}-{m[4:7]}-{m[7:]}",
        lambda: (m := mobile()) and f"+886{m[1:]}",
        lambda: (m := mobile()) and f"886-{m[1:4]}-{m[4:]}",
        lambda: (m := mobile()) and f"({m[:4]}){m[4:7]}-{m[7:]}",
        lambda: mobile().translate(FULL_WIDTH),
        lambda: (a := landline()) and f"({a[0]}){a[1][:-4]}-{a[1][-4:]}",
        lambda: (a := landline()) and f"{a[0]}-{a[1][:-4]}-{a[1][-4:]}",
        lambda: (a := landline()) and f"{a[0]} {a[1]}",
        lambda: (a := landline()) and f"{a[0]}{a[1]}",
        lambda: (a := landline()) and f"+886-{a[0][1:]}-{a[1]}",
        lambda: (a := landline()) and f"+886 ({a[0][1:]}) {a[1]}",
    ]
    for n in range(PER_CLASS):
        yield forms[n % len(forms)]()


def email_spellings(rng: random.Random) -> Iterator[str]:
    forms: list[Callable[[str, str], str]] = [
        lambda u, d: f"{u}@{d}",
        lambda u, d: f"{u.upper()}@{d.upper()}",
        lambda u, d: f"{u}＠{d}",
        lambda u, d: f"{u}[at]{d}",
        lambda u, d: f"{u}@{d}".translate(FULL_WIDTH),
        lambda u, d: f"{u}@{d.replace('.', '[.]')}",
    ]
    for n in range(PER_CLASS):
        user = rng.choice(["amy", "chen.wei", "s.lin", "hr_admin", "p123"])
        domain = rng.choice(["taichung.gov.tw", "gmail.com", "evil.example", "mail.tc.gov.tw"])
        yield forms[n % len(forms)](user, domain)


def name_spellings(rng: random.Random) -> Iterator[str]:
    names = ["王小明", "林志強", "黃淑芬", "歐陽靜", "張簡美玲", "李大同"]
    forms: list[Callable[[str], str]] = [
        lambda n: f"聯絡人{n}",
        lambda n: f"聯絡人：{n}",
        lambda n: f"承辦人 {n}",
        lambda n: f"{n}先生",
        lambda n: f"{n}科長",
        lambda n: f"使用者為{n}",
        lambda _: "陳美華",  # a CitySOC user
        lambda _: "amy chen",  # a CitySOC user, however cased
    ]
    for n in range(PER_CLASS):
        yield forms[n % len(forms)](rng.choice(names))


CLASSES: dict[str, tuple[str, Callable[[random.Random], Iterator[str]]]] = {
    "ipv4": (RedactionKind.INTERNAL_ADDRESS, v4_spellings),
    "ipv6": (RedactionKind.INTERNAL_ADDRESS, v6_spellings),
    "host": (RedactionKind.INTERNAL_HOST, host_spellings),
    "national-id": (RedactionKind.NATIONAL_ID, lambda rng: id_spellings(rng, "12")),
    "resident-id": (RedactionKind.RESIDENT_ID, lambda rng: id_spellings(rng, "89ABCD")),
    "phone": (RedactionKind.PHONE, phone_spellings),
    "email": (RedactionKind.EMAIL, email_spellings),
    "name": (RedactionKind.PERSONAL_NAME, name_spellings),
}
# The part of a sample that must go: the sample itself, but for the cue words around names.
CUE = ("聯絡人：", "聯絡人", "承辦人 ", "使用者為")
TITLES = ("先生", "科長")


def secret_of(sample: str) -> str:
    """The part of a sample that must go (not the cue words, ports, URL paths around it)."""
    for cue in (*CUE, "IP:", "http://", "https://", "["):
        sample = sample.removeprefix(cue)
    for title in TITLES:
        sample = sample.removesuffix(title)
    for end in ("]:443", "]/login", "/owa/auth", ":3389", "/24"):
        sample = sample.removesuffix(end)
    return sample.rstrip(".")


def corpus() -> Iterator[tuple[str, str, str, str]]:
    """(class, kind, sample, text) with the sample planted in a context."""
    rng = random.Random(20260302)  # noqa: S311 - a reproducible corpus, not secrets
    for name, (kind, spellings) in CLASSES.items():
        for n, sample in enumerate(spellings(rng)):
            yield name, kind, sample, CONTEXTS[n % len(CONTEXTS)].format(sample)


CORPUS = list(corpus())


def clean(text: str, iocs: list[IoC] | None = None, tlp: Tlp = Tlp.GREEN):
    return sanitize(
        iocs or [],
        text,
        tlp=tlp,
        registry=REGISTRY,
        internal_suffixes=SUFFIXES,
        people=PEOPLE,
    )


@pytest.mark.parametrize(
    ("kind", "sample", "text"),
    [c[1:] for c in CORPUS],
    ids=[f"{c[0]}-{n}" for n, c in enumerate(CORPUS)],
)
def test_every_sample_is_removed_from_the_summary_and_reported(kind, sample, text):
    out = clean(text)
    secret = secret_of(sample)
    assert secret not in out.summary, out.summary
    assert out.redactions[kind] >= 1, (out.summary, out.redactions)
    assert mark(kind) in out.summary
    assert any(secret in r.text for r in out.removed if r.kind == kind), out.removed
    # What is not secret stays as the analyst wrote it (the context around the sample).
    before, _, after = text.partition(sample)
    assert out.summary.startswith(before.rstrip()[:2]) and out.summary.endswith(after[-2:])


def test_the_whole_corpus_in_one_summary_is_removed_and_counted():
    text = "\n".join(c[3] for c in CORPUS)
    out = clean(text)
    for _name, _kind, sample, _text in CORPUS:
        assert secret_of(sample) not in out.summary, sample
    expected = {kind for _n, kind, _s, _t in CORPUS}
    assert set(out.redactions) == expected
    assert sum(out.redactions.values()) >= len(CORPUS)


PUBLIC = [
    "203.0.113.7",
    "198.51.100.23:443",
    "8.8.8.8",
    "2001:db8::1",
    "evil.example",
    "login-update.example",
    "https://cdn-fix.example/a?b=1",
    "d41d8cd98f00b204e9800998ecf8427e",
    "0912345678abcdef0912345678abcdef",
    "CVE-2021-44228",
    "EventID 4624",
    "2026-03-02T09:00:00+08:00",
    "09:00:00",
    "00:1a:2b:3c:4d:5e",
    "版本 3.2",
    "共 1,024 筆",
    "T1059.001",
]


@pytest.mark.parametrize("value", PUBLIC)
def test_public_values_in_the_same_prose_survive(value):
    text = f"今日{value}出現"
    out = clean(text)
    assert out.summary == text and not out.redactions, out.summary


def ioc_corpus() -> Iterator[tuple[str, IoC]]:
    rng = random.Random(8)  # noqa: S311
    for n in range(PER_CLASS):
        address = internal_v4(rng)
        mapped = ipaddress.IPv6Address(0xFFFF << 32 | int(address))
        nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address))
        host = f"{label(rng)}.{rng.choice(SUFFIXES)}"
        values = [
            str(address),
            str(mapped),
            str(nat64),
            str(ipaddress.IPv6Address(0x2002 << 112 | int(address) << 80 | 1)),
            str(teredo(address)),
            f"fd{n:02x}::{n + 1:x}",
            host,
            f"http://{'.'.join(f'0x{b:02x}' for b in address.packed)}/x",
            f"http://{int(address)}/x",
            f"http://[{mapped}]/x",
            f"http://[{nat64}]:8080/",
            f"https://{host.replace('.', '。')}/",
            f"https://{host.upper()}/owa",
            f"https://evil.example/r?next=http://{host}/",
            f"https://evil.example/?id={id_number(rng, '2')}",
            f"https://evil.example/?tel=0912{rng.randrange(10**6):06d}",
            f"amy.{n}@mail.{rng.choice(SUFFIXES)}",
        ]
        value = values[n % len(values)]
        yield value, classify(value)
    for n in range(8):
        yield "filename", IoC(type=IoCType.FILENAME, value=f"{id_number(rng, '1')}_薪資{n}.xlsx")
        yield "filename", IoC(type=IoCType.FILENAME, value=f"backup-{label(rng)}.local.zip")


IOCS = list(ioc_corpus())


@pytest.mark.parametrize(("value", "ioc"), IOCS, ids=[f"ioc-{n}" for n in range(len(IOCS))])
def test_every_internal_or_personal_ioc_is_withheld_with_a_reason(value, ioc):
    del value
    out = clean("", [ioc, classify("evil.example")])
    assert [i.value for i in out.iocs] == ["evil.example"]
    [withheld] = out.withheld
    assert withheld.ioc == ioc and withheld.reason


def test_the_arrangement_keeps_internal_detail_at_amber_but_never_personal_data():
    out = sanitize(
        [classify("10.20.1.5"), classify("http://[::ffff:a14:105]/")],
        "fs01.taichung.gov.tw 的 10.20.1.5，聯絡人王小明 0912-345-678",
        tlp=Tlp.AMBER,
        registry=REGISTRY,
        internal_suffixes=SUFFIXES,
        allow_internal_details=True,
    )
    assert [i.value for i in out.iocs] == ["10.20.1.5", "http://[::ffff:a14:105]/"]
    assert "fs01.taichung.gov.tw" in out.summary and "10.20.1.5" in out.summary
    assert "王小明" not in out.summary and "0912-345-678" not in out.summary
