"""The README is the newcomer's contract: it must list every demo login and every setting the code reads."""

import re
from pathlib import Path

from programmes.demo.story import DEMO_LOGINS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_the_readme_lists_every_demo_login():
    missing = [login.email for login in DEMO_LOGINS if f"`{login.email}`" not in README]
    assert missing == []
    assert "`outturn-demo`" in README


def test_the_readme_configuration_table_names_every_environment_variable():
    settings_source = (ROOT / "config" / "settings" / "base.py").read_text()
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    assert "DATABASE_URL" in names
    missing = sorted(name for name in names if f"| `{name}` |" not in README)
    assert missing == []


def test_the_readme_starts_with_the_two_commands():
    assert README.index("make run") < README.index("make test") < README.index("## Configuration")
