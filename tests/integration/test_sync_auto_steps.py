"""Auto-approvals of requests that are still open, against the sandbox: a return request the platform
agrees by itself at review counts in M1 (certain) as soon as it leaves the merchant's turn, days
before it closes, and it counts once per step whatever happens to it afterwards."""

from __future__ import annotations

import pytest

from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.core.store.risk_queries import estimate_shop
from desktop.core.sync import Syncer
from desktop.sandbox import Sandbox

DAY_S = 86_400
RETURN_REFUND = 1


@pytest.fixture(scope="module")
def rules():
    return load_default_rules()


def client_for(sb: Sandbox) -> KuaishouClient:
    c = sb.credentials
    creds = Credentials(
        app_key=c.app_key, sign_secret=c.sign_secret, access_token=c.access_token, sign_method=c.sign_method
    )
    return KuaishouClient(creds, base_url=sb.base_url, qps=500.0)


class Shop:
    """An empty sandbox shop, its store and a sync of it."""

    def __init__(self, sb: Sandbox, store, rules) -> None:
        self.sb, self.store, self.rules = sb, store, rules
        self.client = client_for(sb)
        self.shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id)

    def sync(self):
        result = Syncer(self.client, self.store, self.rules, shop_id=self.shop.id, days=5).run()
        assert result.completed
        return result

    def estimate(self):
        now_local = self.sb.now_ms() - (self.client.server_clock_offset_ms or 0)
        return estimate_shop(self.store, self.shop.id, self.rules, now_ms=now_local)

    def steps(self, refund_id: int):
        return self.store.classification.auto_approvals(self.shop.id, refund_id=refund_id)


@pytest.fixture
def make_shop(tmp_path, rules):
    opened = []

    def make(**sandbox_options) -> Shop:
        sb = Sandbox(seed=7, demo_data=False, **sandbox_options)
        sb.start()
        store = open_store(tmp_path / f"shop{len(opened)}.sqlite3")
        shop = Shop(sb, store, rules)
        opened.append(shop)
        return shop

    yield make
    for shop in opened:
        shop.client.close()
        shop.store.close()
        shop.sb.stop()


def add_return(shop: Shop, *, due_in_s: int, fee: int = 8800) -> tuple[int, int]:
    """A return request waiting for the merchant's review; (its id, its review deadline)."""
    now = shop.sb.now_ms()
    added = shop.sb.add_refund(
        handlingWay=RETURN_REFUND,
        status=10,
        negotiateStatus=1,
        createTime=now - 60_000,
        submitTime=now - 60_000,
        expireTime=now + due_in_s * 1000,
        refundFee=fee,
    )
    return added["refundId"], added["expireTime"]


def m1(shop: Shop) -> tuple[int, dict]:
    """M1 over 30 days and its non-zero split by kind and certainty."""
    est = shop.estimate()
    split = {kind: {c: n for c, n in counts.items() if n} for kind, counts in est.metrics.auto[30].items()}
    return est.metrics.m1_long, {kind: counts for kind, counts in split.items() if counts}


def daily_returns(shop: Shop) -> int:
    return sum(p.auto_return_refund for p in shop.estimate().daily)


def test_an_open_return_agreed_by_the_system_counts_at_once_and_once_after_it_closes(make_shop):
    shop = make_shop(buyer_ships_after_s=None)  # the buyer never sends the parcel back
    rid, deadline = add_return(shop, due_in_s=90)
    shop.sync()
    assert shop.store.refunds.get(shop.shop.id, rid).merchant_turn
    assert m1(shop)[0] == 0

    shop.sb.advance(300)  # the review deadline passes: the platform agrees the return by itself
    assert shop.sb.refunds[rid]["status"] == 30
    result = shop.sync()

    stored = shop.store.refunds.get(shop.shop.id, rid)
    assert stored.closed_at is None and not stored.merchant_turn  # still open: the buyer's turn
    assert rid in result.auto_approved
    (step,) = shop.steps(rid)
    assert (step.stage, step.at, step.certainty, step.decided_by) == (
        "review_return",
        deadline,
        "certain",
        "observed",
    )
    total, by_kind = m1(shop)
    assert total == 1 and by_kind == {"return_refund": {"certain": 1}}
    assert daily_returns(shop) == 1

    again = shop.sync()  # nothing new: not reported again, not counted again
    assert again.auto_approved == [] and m1(shop)[0] == 1

    shop.sb.advance(11 * DAY_S)  # no parcel within the return window: the request closes
    assert shop.sb.refunds[rid]["status"] == 70
    closed = shop.sync()
    stored = shop.store.refunds.get(shop.shop.id, rid)
    assert stored.closed_at is not None
    assert (stored.outcome, stored.certainty) == ("auto_approved_overdue", "certain")
    assert rid not in closed.auto_approved
    assert [s.at for s in shop.steps(rid)] == [deadline]
    assert m1(shop) == (1, {"return_refund": {"certain": 1}})
    assert daily_returns(shop) == 1


def test_a_receipt_the_system_confirms_later_is_a_second_step_each_counted_once(make_shop):
    shop = make_shop(buyer_ships_after_s=600)
    rid, deadline = add_return(shop, due_in_s=90)
    shop.sync()
    shop.sb.advance(300)  # agreed by the system at review
    shop.sync()
    assert m1(shop)[0] == 1

    shop.sb.advance(600)  # the buyer ships: the merchant's turn again (confirm receipt, 7 days)
    assert shop.sb.refunds[rid]["status"] == 40
    receipt_deadline = shop.sb.refunds[rid]["expireTime"]
    shop.sync()
    assert shop.store.refunds.get(shop.shop.id, rid).merchant_turn
    assert m1(shop)[0] == 1  # the review step, still once

    shop.sb.advance(8 * DAY_S)  # nobody confirms: the platform confirms the receipt and refunds
    assert shop.sb.refunds[rid]["status"] == 60
    result = shop.sync()
    assert rid in result.auto_approved
    steps = shop.steps(rid)
    assert [(s.stage, s.at, s.certainty) for s in steps] == [
        ("review_return", deadline, "certain"),
        ("confirm_receipt", receipt_deadline, "certain"),
    ]
    shop.sync()
    assert m1(shop) == (2, {"return_refund": {"certain": 2}})
    assert daily_returns(shop) == 2


def test_a_return_the_merchant_agrees_in_time_counts_nothing(make_shop):
    shop = make_shop(buyer_ships_after_s=None)
    rid, _deadline = add_return(shop, due_in_s=3600, fee=4500)
    shop.sync()
    shop.client.approve_return(rid, 4500)
    shop.sb.advance(2 * 3600)  # long after the deadline the merchant met
    shop.sync()
    stored = shop.store.refunds.get(shop.shop.id, rid)
    assert stored.closed_at is None and not stored.merchant_turn
    assert stored.outcome == "pending"
    assert shop.steps(rid) == [] and m1(shop)[0] == 0
