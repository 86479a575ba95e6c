"""What a page costs over the wire: every response of one page load in a fresh browser context
(nothing cached), by its size as transferred (headers and body as sent, compressed or not).
Images are left out: the budget is for the page, its style sheets and scripts (web-app.md 5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Response

LEFT_OUT = ("image", "media")


@dataclass(frozen=True)
class Transfer:
    url: str
    resource_type: str
    content_type: str
    size: int

    @property
    def is_counted(self) -> bool:
        return self.resource_type not in LEFT_OUT and not self.content_type.startswith("image/")


@dataclass(frozen=True)
class PageWeight:
    url: str
    transfers: tuple[Transfer, ...]

    @property
    def counted(self) -> tuple[Transfer, ...]:
        return tuple(t for t in self.transfers if t.is_counted)

    @property
    def total(self) -> int:
        return sum(t.size for t in self.counted)

    def report(self) -> str:
        lines = [f"{self.url}: {self.total} bytes without images"]
        for transfer in sorted(self.transfers, key=lambda t: -t.size):
            note = "" if transfer.is_counted else " (not counted)"
            lines.append(f"  {transfer.size:>8}  {transfer.resource_type:<10} {transfer.url}{note}")
        return "\n".join(lines)

    def check(self, budget: int) -> None:
        assert self.total <= budget, f"over the budget of {budget} bytes:\n{self.report()}"


def page_weight(browser: Browser, url: str, **context_options: object) -> PageWeight:
    """Load `url` in a new context (a first visit: empty cache, no service worker yet) and
    weigh every response once the network is idle. `context_options` go to new_context, e.g.
    storage_state for a signed-in member's page."""
    context = browser.new_context(**context_options)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        responses: list[Response] = []
        page.on("response", lambda response: responses.append(response))
        # "load": the document, its style sheets and deferred scripts are in; a live stream
        # (text/event-stream) never ends, so it is neither waited for nor weighed.
        page.goto(url, wait_until="load")
        transfers = []
        for response in responses:
            if response.headers.get("content-type", "").startswith("text/event-stream"):
                continue
            sizes = response.request.sizes()
            transfers.append(
                Transfer(
                    url=response.url,
                    resource_type=response.request.resource_type,
                    content_type=response.headers.get("content-type", ""),
                    size=sizes["responseHeadersSize"] + sizes["responseBodySize"],
                )
            )
        return PageWeight(url, tuple(transfers))
    finally:
        context.close()
