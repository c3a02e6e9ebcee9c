"""Paging one listing window by cursor, bounded so that a gateway whose cursor never ends cannot
keep a sync going (Qt-free, no I/O of its own: the page requests are handed in)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from desktop.core.i18n import tr
from desktop.core.kuaishou.errors import MalformedResponse
from desktop.core.kuaishou.models import RefundPage

#: the most pages one listing window is paged through (100 refunds a page: 100,000 a day)
MAX_PAGES_PER_WINDOW = 1000
#: a window stops after this many pages in a row without a refund not seen before in it
MAX_PAGES_WITHOUT_NEW = 3
#: pages allowed beyond what the window's first ``totalSize`` needs (refunds arriving meanwhile)
PAGE_SLACK = 5


def bounded_pages(
    fetch: Callable[[str], RefundPage],
    page_size: int,
    cancelled: Callable[[], bool] | None = None,
    *,
    method: str,
) -> Iterator[RefundPage]:
    """The pages ``fetch(pcursor)`` returns, from ``pcursor=""`` to the last (``method``: the API
    method they come from, for the errors).

    ``cancelled`` is checked before every page request and ends the iteration quietly. A cursor
    met again, :data:`MAX_PAGES_WITHOUT_NEW` pages in a row bringing no refund not seen before, more
    pages than the first ``totalSize`` needs (with :data:`PAGE_SLACK` to spare for refunds arriving
    meanwhile) or more than :data:`MAX_PAGES_PER_WINDOW` pages in all each raise
    :class:`MalformedResponse` naming what happened.
    """
    cursor = ""
    used: set[str] = set()
    seen: set[int] = set()
    pages = without_new = 0
    allowed = MAX_PAGES_PER_WINDOW
    total: int | None = None
    while True:
        if cancelled is not None and cancelled():
            return
        page = fetch(cursor)
        pages += 1
        if pages == 1 and page.total_size is not None and page.total_size >= 0:
            allowed = min(allowed, -(-page.total_size // page_size) + PAGE_SLACK)
            total = page.total_size if allowed < MAX_PAGES_PER_WINDOW else None
        fresh = {r.refund_id for r in page.items} - seen
        seen |= fresh
        without_new = 0 if fresh else without_new + 1
        yield page
        if page.is_last:
            return
        used.add(cursor)
        if page.pcursor in used:
            raise MalformedResponse(
                f"the list cursor did not advance (pcursor {page.pcursor[:40]!r} again)",
                method=method,
            )
        if without_new >= MAX_PAGES_WITHOUT_NEW:
            raise MalformedResponse(
                tr(
                    "the refund list does not end: {count} pages in a row brought no refund not "
                    "seen before ({pages} pages of one window); the listing was stopped",
                    count=without_new,
                    pages=pages,
                ),
                method=method,
            )
        if pages >= allowed:
            raise MalformedResponse(
                tr(
                    "the refund list does not end: {pages} pages of one window, more than its "
                    "totalSize of {total} needs; the listing was stopped",
                    pages=pages,
                    total=total,
                )
                if total is not None
                else tr(
                    "the refund list does not end: {pages} pages of one window, more than the "
                    "{limit} allowed; the listing was stopped",
                    pages=pages,
                    limit=MAX_PAGES_PER_WINDOW,
                ),
                method=method,
            )
        cursor = page.pcursor
