"""The catalogue reads the packs as written: pack names from the folders, techniques from
the tags, and a rule that does not compile with pySigma's reason (state "broken")."""

from pathlib import Path

from core.settings import DEFAULT_RULES
from detections.compile import compile_rule_dirs
from detections.rule_catalogue import RulePack, RuleQuery

GOOD = (DEFAULT_RULES / "win_user_account_created.yml").read_text(encoding="utf-8")


def test_packs_techniques_and_why_a_rule_did_not_compile(tmp_path: Path):
    (tmp_path / "windows").mkdir()
    (tmp_path / "windows" / "good.yml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.yml").write_text(
        "title: Dangling\nid: 0c7e6b1a-0000-4000-8000-000000000001\n"
        "logsource: {product: windows}\ndetection:\n  sel: {EventID: 1}\n"
        "  condition: sel and other\n",
        encoding="utf-8",
    )
    pack = RulePack.load([tmp_path], compile_rule_dirs([tmp_path]))
    by_id = {e.rule_id: e for e in pack.entries}
    good = by_id["16728b4d-9edc-5348-8e53-1b9b8cb7b78c"]
    broken = by_id["0c7e6b1a-0000-4000-8000-000000000001"]
    assert (good.pack, good.techniques, good.error) == (
        f"{tmp_path.name}/windows",
        ("T1136",),
        None,
    )
    assert broken.pack == tmp_path.name and "other" in (broken.error or "")
    assert RuleQuery(state="broken").keeps(broken, enabled=True)
    assert not RuleQuery(state="broken").keeps(good, enabled=True)
    assert RuleQuery(text="DANGLING").keeps(broken, enabled=True)
