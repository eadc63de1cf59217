"""Accessibility checks with axe-core (installed from npm by `make`), run in the page Playwright has open."""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, within: str | None = None) -> list[dict]:
    """Serious and critical WCAG 2.2 A/AA violations on the page as it is now, or in the part `within` selects."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "([tags, within]) => axe.run(within ? document.querySelector(within) : document,"
        " {runOnly: {type: 'tag', values: tags}})",
        [WCAG_22_AA, within],
    )
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


def assert_accessible(page, within: str | None = None) -> None:
    violations = axe_violations(page, within)
    summary = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations]
    assert summary == [], f"{page.url}: " + "; ".join(summary)
