"""The checklist files shipped with CitySOC load, cover every category, and a file that
does not fit is refused naming the file, the key and its line."""

from pathlib import Path

import pytest

from core.errors import ConfigError
from incidents.checklists import CHECKLIST_DIR, checklist_for, load_checklists
from incidents.models import IncidentCategory

GOOD = "tasks:\n  - id: a\n    zh: 甲\n    en: A\n"


def test_the_shipped_checklists_load_with_both_languages():
    found = load_checklists()
    assert set(found) == {c.value for c in IncidentCategory} | {"default"}
    for checklist in found.values():
        assert all(t.zh and t.en for t in checklist.tasks)
    ransomware = [t.id for t in checklist_for(IncidentCategory.INTRUSION).tasks]
    assert ransomware[:3] == ["isolate-host", "preserve-evidence", "reset-credentials"]
    assert checklist_for(None).tasks == found["default"].tasks


def _folder(tmp_path: Path, **files: str) -> Path:
    for name, text in {"default": GOOD, **files}.items():
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tasks:\n  - id: a\n    zh: 甲\n", r"intrusion.yaml, key tasks.0.en \(line 2\)"),
        (
            "tasks:\n  - id: a\n    zh: 甲\n    en: A\n  - id: Bad Id\n    zh: 乙\n    en: B\n",
            r"key tasks.1.id \(line 5\)",
        ),
        (GOOD + "  - id: a\n    zh: 甲\n    en: A\n", "appears twice"),
        ("tasks: [\n", r"intrusion.yaml, line \d+: not YAML"),
        ("tasks: []\n", "key tasks"),
        (GOOD + "extra: 1\n", r"key extra \(line 5\)"),
    ],
)
def test_a_bad_file_is_named_with_its_key_and_line(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_checklists(_folder(tmp_path, intrusion=text))


def test_a_file_for_no_category_and_a_missing_default_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="ransomware.yaml: no incident category"):
        load_checklists(_folder(tmp_path, ransomware=GOOD))
    (tmp_path / "default.yaml").unlink()
    (tmp_path / "ransomware.yaml").unlink()
    with pytest.raises(ConfigError, match="no default.yaml"):
        load_checklists(tmp_path)


def test_the_files_ship_as_package_data():
    pyproject = (CHECKLIST_DIR.parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'incidents = ["checklists/*.yaml"]' in pyproject
