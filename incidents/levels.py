"""The incident level (資通安全事件等級) from the statutory questions, with the reasoning.

Incident regulation Art. 2 (2026 text; 2021 where noted in regulations.md §1): each level
lists alternative criteria for leakage (洩漏), tampering (竄改) and availability (運作受影響或
停頓, against the tolerable interruption time, MTD). The incident takes the highest level
any criterion reaches.
"""

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from core.errors import InputError

__all__ = [
    "Availability",
    "InfoClass",
    "LevelAnswers",
    "LevelAssessment",
    "RuleSet",
    "Impact",
    "SystemClass",
    "assess_level",
]


class InfoClass(StrEnum):
    NONE = "none"
    NON_CORE = "non_core"  # 非核心業務資訊
    CORE_NON_CI = "core_non_ci"  # 核心業務資訊, not critical infrastructure
    CORE_CI = "core_ci"  # 核心業務資訊, critical infrastructure
    SENSITIVE = "sensitive"  # 敏感資訊: 2021 text only
    OFFICIAL_SECRET = "official_secret"  # noqa: S105 - 一般公務機密, not a password
    NATIONAL_SECRET = "national_secret"  # noqa: S105 - 國家機密, not a password


class SystemClass(StrEnum):
    NONE = "none"
    NON_CORE = "non_core"  # 非核心資通系統
    CORE_NON_CI = "core_non_ci"  # 核心資通系統, not CI
    CORE_CI = "core_ci"  # 核心資通系統, CI


class Impact(StrEnum):
    """How badly a leak or tampering hurt (the Art. 2 matrix's 輕微 / 嚴重). Not to be
    confused with an alert's severity (core.alerts.Severity), which rates a detection."""

    NONE = "none"
    MINOR = "minor"  # 輕微
    SERIOUS = "serious"  # 嚴重


class Availability(StrEnum):
    NONE = "none"
    WITHIN_MTD = "within_mtd"  # restored within the tolerable interruption time
    BEYOND_MTD = "beyond_mtd"


class RuleSet(StrEnum):
    R2026 = "2026"
    R2021 = "2021"


class LevelAnswers(BaseModel):
    """The questions a reporter answers; the level follows from them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    info_class: InfoClass = InfoClass.NONE
    leak: Impact = Impact.NONE
    tamper: Impact = Impact.NONE
    system_class: SystemClass = SystemClass.NONE
    availability: Availability = Availability.NONE
    rule_set: RuleSet = RuleSet.R2026


@dataclass(frozen=True, slots=True)
class LevelAssessment:
    level: int
    reasons: tuple[str, ...]  # one line per criterion met, highest first
    basis: str


# (minor, serious) level for each information class, for leakage and for tampering.
_LEAK = {
    InfoClass.NON_CORE: (1, 2),
    InfoClass.CORE_NON_CI: (2, 3),
    InfoClass.CORE_CI: (3, 4),
    InfoClass.SENSITIVE: (3, 4),
    InfoClass.OFFICIAL_SECRET: (3, 4),
    InfoClass.NATIONAL_SECRET: (4, 4),
}
_TAMPER_INFO = _LEAK
_TAMPER_SYSTEM = {
    SystemClass.NON_CORE: (1, 2),
    SystemClass.CORE_NON_CI: (2, 3),
    SystemClass.CORE_CI: (3, 4),
}
# (within MTD, beyond MTD)
_AVAILABILITY = {
    SystemClass.NON_CORE: (1, 2),
    SystemClass.CORE_NON_CI: (2, 3),
    SystemClass.CORE_CI: (3, 4),
}
_INFO_ZH = {
    InfoClass.NON_CORE: "非核心業務資訊",
    InfoClass.CORE_NON_CI: "核心業務資訊（未涉關鍵基礎設施）",
    InfoClass.CORE_CI: "涉關鍵基礎設施之核心業務資訊",
    InfoClass.SENSITIVE: "敏感資訊",
    InfoClass.OFFICIAL_SECRET: "一般公務機密",
    InfoClass.NATIONAL_SECRET: "國家機密",
}
_SYSTEM_ZH = {
    SystemClass.NON_CORE: "非核心資通系統",
    SystemClass.CORE_NON_CI: "核心資通系統（未涉關鍵基礎設施）",
    SystemClass.CORE_CI: "涉關鍵基礎設施之核心資通系統",
}
_IMPACT_ZH = {Impact.MINOR: "輕微", Impact.SERIOUS: "嚴重"}


def assess_level(answers: LevelAnswers) -> LevelAssessment:
    """Raises InputError when the answers meet no criterion or contradict each other."""
    if answers.rule_set is RuleSet.R2026 and answers.info_class is InfoClass.SENSITIVE:
        raise InputError(
            "'sensitive' information (敏感資訊) is a 2021 criterion; choose official_secret "
            "or set rule_set to 2021 for an incident assessed under the old text",
            location="info_class",
            key="level_sensitive_2021",
        )
    if (answers.leak is not Impact.NONE or answers.tamper is not Impact.NONE) and (
        answers.info_class is InfoClass.NONE and answers.system_class is SystemClass.NONE
    ):
        raise InputError(
            "say which information or system was leaked or tampered with (info_class or "
            "system_class)",
            location="info_class",
            key="level_which_affected",
        )
    if answers.availability is not Availability.NONE and answers.system_class is SystemClass.NONE:
        raise InputError(
            "an availability impact needs the affected system's class (system_class)",
            location="system_class",
            key="level_needs_system",
        )
    found: list[tuple[int, str]] = []
    serious = answers.leak is Impact.SERIOUS
    if answers.leak is not Impact.NONE and answers.info_class in _LEAK:
        level = _LEAK[answers.info_class][serious]
        found.append((level, f"{_INFO_ZH[answers.info_class]}遭洩漏（{_IMPACT_ZH[answers.leak]}）"))
    t_serious = answers.tamper is Impact.SERIOUS
    if answers.tamper is not Impact.NONE:
        if answers.info_class in _TAMPER_INFO:
            level = _TAMPER_INFO[answers.info_class][t_serious]
            found.append(
                (level, f"{_INFO_ZH[answers.info_class]}遭竄改（{_IMPACT_ZH[answers.tamper]}）")
            )
        if answers.system_class in _TAMPER_SYSTEM:
            level = _TAMPER_SYSTEM[answers.system_class][t_serious]
            found.append(
                (
                    level,
                    f"{_SYSTEM_ZH[answers.system_class]}遭竄改（{_IMPACT_ZH[answers.tamper]}）",
                )
            )
    if answers.availability is not Availability.NONE and answers.system_class in _AVAILABILITY:
        beyond = answers.availability is Availability.BEYOND_MTD
        level = _AVAILABILITY[answers.system_class][beyond]
        how = "未能於可容忍中斷時間內回復" if beyond else "於可容忍中斷時間內回復"
        found.append((level, f"{_SYSTEM_ZH[answers.system_class]}運作受影響或停頓，{how}"))
    if not found:
        raise InputError(
            "the answers meet no statutory criterion: describe at least one leak, tampering "
            "or availability impact",
            location="answers",
            key="level_no_criterion",
        )
    found.sort(key=lambda item: -item[0])
    top = found[0][0]
    reasons = tuple(f"第{lvl}級：{text}" for lvl, text in found)
    amended = "民國115年1月5日修正" if answers.rule_set is RuleSet.R2026 else "民國110年8月23日修正"
    basis = f"資通安全事件通報應變及演練辦法第2條（{amended}）"
    return LevelAssessment(level=top, reasons=reasons, basis=basis)
