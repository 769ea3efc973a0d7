"""The level table of incident regulation Art. 2 (regulations.md §1.1), row by row."""

import pytest

from core.errors import InputError
from incidents.levels import (
    Availability,
    Impact,
    InfoClass,
    LevelAnswers,
    RuleSet,
    SystemClass,
    assess_level,
)

N, MI, SE = Impact.NONE, Impact.MINOR, Impact.SERIOUS


@pytest.mark.parametrize(
    ("info", "leak", "level"),
    [
        (InfoClass.NON_CORE, MI, 1),
        (InfoClass.NON_CORE, SE, 2),
        (InfoClass.CORE_NON_CI, MI, 2),
        (InfoClass.CORE_NON_CI, SE, 3),
        (InfoClass.CORE_CI, MI, 3),
        (InfoClass.CORE_CI, SE, 4),
        (InfoClass.OFFICIAL_SECRET, MI, 3),
        (InfoClass.OFFICIAL_SECRET, SE, 4),
        (InfoClass.NATIONAL_SECRET, MI, 4),
    ],
)
def test_leak_rows(info, leak, level):
    assert assess_level(LevelAnswers(info_class=info, leak=leak)).level == level


@pytest.mark.parametrize(
    ("system", "tamper", "level"),
    [
        (SystemClass.NON_CORE, MI, 1),
        (SystemClass.NON_CORE, SE, 2),
        (SystemClass.CORE_NON_CI, MI, 2),
        (SystemClass.CORE_NON_CI, SE, 3),
        (SystemClass.CORE_CI, MI, 3),
        (SystemClass.CORE_CI, SE, 4),
    ],
)
def test_tamper_rows_for_systems(system, tamper, level):
    assert assess_level(LevelAnswers(system_class=system, tamper=tamper)).level == level


@pytest.mark.parametrize(
    ("system", "availability", "level"),
    [
        (SystemClass.NON_CORE, Availability.WITHIN_MTD, 1),
        (SystemClass.NON_CORE, Availability.BEYOND_MTD, 2),
        (SystemClass.CORE_NON_CI, Availability.WITHIN_MTD, 2),
        (SystemClass.CORE_NON_CI, Availability.BEYOND_MTD, 3),
        (SystemClass.CORE_CI, Availability.WITHIN_MTD, 3),
        (SystemClass.CORE_CI, Availability.BEYOND_MTD, 4),
    ],
)
def test_availability_rows(system, availability, level):
    assert assess_level(LevelAnswers(system_class=system, availability=availability)).level == level


def test_the_highest_criterion_decides_and_every_reason_is_shown():
    result = assess_level(
        LevelAnswers(
            info_class=InfoClass.NON_CORE,
            leak=MI,
            system_class=SystemClass.CORE_CI,
            availability=Availability.BEYOND_MTD,
        )
    )
    assert result.level == 4
    assert result.reasons[0].startswith("第4級")
    assert any(r.startswith("第1級") for r in result.reasons)
    assert "第2條" in result.basis


def test_sensitive_information_is_only_a_2021_criterion():
    with pytest.raises(InputError, match="2021 criterion"):
        assess_level(LevelAnswers(info_class=InfoClass.SENSITIVE, leak=MI))
    old = assess_level(
        LevelAnswers(info_class=InfoClass.SENSITIVE, leak=MI, rule_set=RuleSet.R2021)
    )
    assert old.level == 3 and "民國110年" in old.basis


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (LevelAnswers(), "meet no statutory criterion"),
        (LevelAnswers(leak=SE), "which information or system"),
        (LevelAnswers(availability=Availability.WITHIN_MTD), "system's class"),
    ],
)
def test_answers_that_decide_nothing_are_explained(answers, message):
    with pytest.raises(InputError, match=message):
        assess_level(answers)
