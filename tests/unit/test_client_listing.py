"""Paging one listing window: cursor paging to "nomore", cancel, unreadable items, bounded paging.

Splitting a range into windows, the 90-day limit and progress are the sync's (tests/integration/test_sync.py)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from kuaishou_fake import FakeGateway, ok

from desktop.core import i18n
from desktop.core.kuaishou import errors
from desktop.core.kuaishou.client import DAY_MS, LIST_ITEMS_PATH, Credentials, KuaishouClient
from desktop.core.kuaishou.models import RefundPage, parse

NOW_MS = 1_700_000_000_000


@pytest.fixture
def gw():
    gateway = FakeGateway()
    yield gateway
    gateway.close()


def client_for(gw, **kw):
    return KuaishouClient(
        Credentials("ks1", "sign-secret-x", "token-abc-x"),
        base_url=gw.base_url,
        qps=10_000,
        clock=lambda: NOW_MS / 1000,
        sleep=lambda s: None,
        **kw,
    )


def refund(rid: int, t: int) -> dict:
    return {"refundId": rid, "createTime": t, "updateTime": t, "status": 10}


def paged_shop(refunds: list[dict], per_page: int):
    """A handler serving ``refunds`` by createTime within [beginTime, endTime], ``per_page`` at a
    time, with opaque cursors."""

    def handle(req):
        p = req.business
        hits = [r for r in refunds if p["beginTime"] <= r["createTime"] <= p["endTime"]]
        start = int(p["pcursor"][1:]) if p["pcursor"] else 0
        chunk = hits[start : start + per_page]
        nxt = start + per_page
        return ok(
            {
                "pcursor": f"c{nxt}" if nxt < len(hits) else "nomore",
                "totalSize": len(hits),
                "refundOrderInfoList": chunk,
            }
        )

    return handle


def pages_of(gw, begin_ms=NOW_MS - 1000, end_ms=NOW_MS, **kw):
    return list(client_for(gw).iter_window_pages(begin_ms, end_ms, **kw))


def ids(pages) -> list[int]:
    return [r.refund_id for page in pages for r in page.items]


def test_one_window_is_paged_by_cursor_to_nomore(gw):
    begin = NOW_MS - DAY_MS
    data = [refund(i, begin + i * (DAY_MS // 10)) for i in range(10)]
    gw.handler = paged_shop(data, per_page=4)
    pages = pages_of(gw, begin, NOW_MS, page_size=4)
    assert ids(pages) == list(range(10))
    assert [p.is_last for p in pages] == [False, False, True]
    params = [r.business for r in gw.requests]
    assert [p["pcursor"] for p in params] == ["", "c4", "c8"]
    assert all(
        p["beginTime"] == begin
        and p["endTime"] == NOW_MS
        and p["pageSize"] == 4
        and p["currentPage"] == 1
        and p["type"] == 9
        and p["queryType"] == 1
        for p in params
    )


def test_update_time_queries_and_waiting_only(gw):
    gw.handler = lambda req: ok({"pcursor": "nomore", "refundOrderInfoList": []})
    pages_of(gw, type=8, query_type=2)
    p = gw.requests[0].business
    assert p["type"] == 8 and p["queryType"] == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"begin_ms": -1, "end_ms": NOW_MS},
        {"begin_ms": NOW_MS, "end_ms": NOW_MS, "page_size": 0},
        {"begin_ms": NOW_MS, "end_ms": NOW_MS, "page_size": 101},
        {"begin_ms": NOW_MS, "end_ms": NOW_MS, "type": 1},
        {"begin_ms": NOW_MS, "end_ms": NOW_MS, "query_type": 3},
        {"begin_ms": NOW_MS, "end_ms": NOW_MS, "type": 9.0},  # a choice is a whole number
        {"begin_ms": NOW_MS, "end_ms": NOW_MS, "query_type": True},
        {"begin_ms": float(NOW_MS), "end_ms": NOW_MS},
    ],
)
def test_bad_arguments_are_refused_before_any_call(gw, kwargs):
    with pytest.raises(ValueError):
        pages_of(gw, **kwargs)
    assert gw.requests == []


def test_cancelled_is_checked_before_every_page(gw):
    begin = NOW_MS - DAY_MS
    gw.handler = paged_shop([refund(i, begin + i) for i in range(10)], per_page=2)
    got = []
    for page in client_for(gw).iter_window_pages(begin, NOW_MS, page_size=2, cancelled=lambda: len(got) >= 2):
        got.append(page)
    assert len(gw.requests) == 2 and ids(got) == [0, 1, 2, 3]


def test_a_cursor_that_does_not_advance_is_an_error_not_a_loop(gw):
    gw.handler = lambda req: ok({"pcursor": "same", "refundOrderInfoList": [refund(1, NOW_MS)]})
    with pytest.raises(errors.MalformedResponse, match="cursor"):
        pages_of(gw)
    assert len(gw.requests) == 2


def test_a_missing_cursor_ends_the_window(gw):
    gw.handler = lambda req: ok({"refundOrderInfoList": [refund(1, NOW_MS)]})
    assert ids(pages_of(gw)) == [1]
    assert len(gw.requests) == 1


def test_an_error_mid_listing_surfaces_typed(gw):
    gw.handler = lambda req: (
        ok({"pcursor": "c1", "refundOrderInfoList": [refund(1, NOW_MS)]})
        if req.business["pcursor"] == ""
        else ok({"pcursor": ["nomore"], "refundOrderInfoList": []})
    )
    it = client_for(gw).iter_window_pages(NOW_MS - 1000, NOW_MS)
    assert [r.refund_id for r in next(it).items] == [1]
    with pytest.raises(errors.ParseError) as info:
        next(it)
    assert info.value.field == "data.pcursor"


def test_an_unreadable_refund_is_set_aside_and_the_listing_goes_on(gw):
    gw.handler = lambda req: (
        ok({"pcursor": "c1", "refundOrderInfoList": [refund(1, NOW_MS), {"refundId": "x"}]})
        if req.business["pcursor"] == ""
        else ok({"pcursor": "nomore", "refundOrderInfoList": [refund(2, NOW_MS)]})
    )
    with client_for(gw) as client:
        pages = list(client.iter_window_pages(NOW_MS - 1000, NOW_MS))
    assert ids(pages) == [1, 2]
    (unreadable,) = pages[0].unreadable
    assert pages[1].unreadable == ()
    assert unreadable.error.field == "data.refundOrderInfoList[1].refundId"


def test_a_list_page_keeps_the_body_it_was_parsed_from(gw):
    gw.handler = lambda req: ok(
        {
            "pcursor": "nomore",
            "refundOrderInfoList": [refund(1, NOW_MS)],
            "received": "not a field of the page",
        }
    )
    page = client_for(gw).list_refunds_page(NOW_MS - DAY_MS, NOW_MS)
    assert [r.refund_id for r in page.items] == [1]
    body = json.loads(page.received)
    assert page == parse(RefundPage, body["data"])  # a "received" key in the data is not read
    # the path the store reads the items at
    (items,) = (
        sqlite3.connect(":memory:")
        .execute("SELECT json_extract(?, ?)", (page.received.decode(), LIST_ITEMS_PATH))
        .fetchone()
    )
    assert json.loads(items) == [refund(1, NOW_MS)]


# ------------------------------------------------------------------- pages bounded per window
@pytest.fixture
def english():
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


def test_a_cursor_that_changes_on_every_page_with_the_same_refunds_is_stopped(gw, english):
    """A gateway whose cursor changes on every page without ending was once paged 8,959 times."""
    gw.handler = lambda req: ok(
        {"pcursor": f"c{len(gw.requests)}", "refundOrderInfoList": [refund(1, NOW_MS), refund(2, NOW_MS)]}
    )
    with pytest.raises(errors.MalformedResponse, match="does not end: 3 pages in a row"):
        pages_of(gw)
    assert len(gw.requests) == 4  # the first page brought new refunds, then three that did not


def test_a_cursor_that_never_ends_with_new_refunds_is_bounded_by_total_size(gw, english):
    counter = iter(range(10**9))

    def handle(req):
        n = next(counter)
        return ok(
            {
                "pcursor": f"c{n}",
                "totalSize": 250,
                "refundOrderInfoList": [refund(10_000 + 100 * n + i, NOW_MS) for i in range(100)],
            }
        )

    gw.handler = handle
    with pytest.raises(errors.MalformedResponse, match="totalSize of 250"):
        pages_of(gw)
    assert len(gw.requests) == 3 + 5  # three pages hold 250 refunds; five more to spare


def test_without_total_size_a_hard_ceiling_stops_the_window(gw, english, monkeypatch):
    from desktop.core.kuaishou import paging

    monkeypatch.setattr(paging, "MAX_PAGES_PER_WINDOW", 40)
    counter = iter(range(10**9))
    gw.handler = lambda req: (
        lambda n: ok({"pcursor": f"c{n}", "refundOrderInfoList": [refund(10_000 + n, NOW_MS)]})
    )(next(counter))
    with pytest.raises(errors.MalformedResponse, match="the 40 allowed"):
        pages_of(gw)
    assert len(gw.requests) == 40


def test_a_window_whose_total_size_grows_while_paging_is_read_to_its_end(gw):
    refunds = [refund(i, NOW_MS - 500) for i in range(12)]

    def handle(req):
        start = int(req.business["pcursor"][1:]) if req.business["pcursor"] else 0
        if start == 2:
            refunds.extend(refund(100 + i, NOW_MS - 500) for i in range(6))  # arrived meanwhile
        nxt = start + 2
        return ok(
            {
                "pcursor": f"c{nxt}" if nxt < len(refunds) else "nomore",
                "totalSize": len(refunds),
                "refundOrderInfoList": refunds[start:nxt],
            }
        )

    gw.handler = handle
    assert len(ids(pages_of(gw, page_size=2))) == 18
