"""README documents every issue code the validator can emit."""

from pathlib import Path

from addin.validate.messages import MESSAGES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_issue_code_is_documented():
    missing = [code for code in MESSAGES if f"`{code}`" not in README]
    assert missing == []
