"""Accessibility checks with axe-core (fetched by `fedi vendor --tests`): the rules of WCAG 2.0,
2.1 and 2.2 at levels A and AA; a serious or critical violation fails the test, with a message
that names each rule, where it fails and how to fix it. So does an id used by an ARIA attribute
that is not unique: axe leaves that one for review, but it is never right in our pages."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")
FAILING_REVIEWS = ("duplicate-id-aria",)
RUN = """tags => axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations", "incomplete"]
}).then(result => [result.violations, result.incomplete])"""


class Axe:
    def __init__(self, script: Path) -> None:
        self.source = script.read_text(encoding="utf-8")

    def violations(self, page: Page) -> list[dict[str, Any]]:
        """The serious and critical violations on the page as it is now."""
        if not page.evaluate("() => typeof window.axe === 'object'"):
            # Through the DevTools protocol, which the page's Content-Security-Policy does not
            # restrict: a <script> tag would be refused (script-src 'self').
            page.evaluate(self.source)
        found, to_review = page.evaluate(RUN, TAGS)
        failing: list[dict[str, Any]] = [v for v in found if v.get("impact") in FAILING_IMPACTS]
        return failing + [v for v in to_review if v["id"] in FAILING_REVIEWS]

    def check(self, page: Page) -> None:
        found = self.violations(page)
        assert not found, f"axe: {len(found)} violation(s) on {page.url}\n{describe(found)}"


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
