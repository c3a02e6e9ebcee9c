"""The demo shop run for a stretch of (simulated) hours with short deadlines: every request that
expired was alerted before it expired — none missed, none twice — and its auto-approval was reported.

The sandbox's clock is the app's clock here; it advances in 5-minute steps. Each step does what the
app does after a background sync: sync over real HTTP, build the queue rows from the store, turn them
into alert items and let the alert center plan, remember and show.
"""

from __future__ import annotations

import collections

from desktop.core.alerts import AUTO_APPROVED_KEY, AlertItem, AlertPolicy, items_from_rows
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.queue_rows import build_queue_rows
from desktop.core.rulesfile import load_default_rules
from desktop.core.sync import Syncer
from desktop.sandbox import Sandbox
from desktop.ui.alerts import AlertBanner, AlertCenter, Notifier

STEP_S = 300
HOURS = 4


def test_every_expired_request_was_alerted_before_it_expired_once_per_tier(qtbot, store):
    sb = Sandbox(seed=7, buyer_ships_after_s=None)
    sb.start()
    try:
        clock = lambda: sb.now_ms() / 1000  # noqa: E731 - the sandbox's clock is the app's clock
        start_ms = sb.now_ms()
        # short deadlines: 7 min to 3 h 50 min away, refund-only and returns
        short = []
        for n, minutes in enumerate((7, 19, 33, 58, 95, 121, 170, 230)):
            refund = sb.add_refund(
                handlingWay=10 if n % 2 else 1,
                status=10,
                negotiateStatus=1,
                refundFee=1000 + n,
                expireTime=start_ms + minutes * 60_000,
            )
            short.append(refund["refundId"])
        c = sb.credentials
        client = KuaishouClient(
            Credentials(c.app_key, c.sign_secret, c.access_token, c.sign_method),
            base_url=sb.base_url,
            qps=1000,
            clock=clock,
        )
        seller = client.seller_info()
        shop_id = store.shops.add(base_url=sb.base_url, seller_id=seller.seller_id, name=seller.name).id
        rules = load_default_rules()
        syncer = Syncer(client, store, rules, shop_id=shop_id, clock=clock)

        banner = AlertBanner()
        qtbot.addWidget(banner)
        notifier = Notifier(None, banner)
        rows: list = []
        center = AlertCenter(
            store, notifier, items_fn=lambda: items_from_rows(rows, 0), policy_fn=AlertPolicy, clock=clock
        )
        shown: list[tuple[int, str, int]] = []  # (refund, key, shown at ms)
        notifier.shown.connect(
            lambda digests: shown.extend(
                (i.refund_id, k, sb.now_ms()) for d in digests for i, k in zip(d.items, d.keys, strict=False)
            )
        )
        deadlines = {}
        for _ in range(HOURS * 3600 // STEP_S):
            result = syncer.run()
            rows = build_queue_rows(store.refunds.all(shop_id, open_only=True), rules)
            for r in rows:
                if r.waits_on_merchant and r.expire_at_ms is not None:
                    deadlines.setdefault(r.refund_id, r.expire_at_ms)
            with qtbot.waitSignal(center.evaluated, timeout=5000):
                center.evaluate()
            if result.auto_approved:
                auto = [AlertItem(shop_id, rid, deadlines.get(rid, 0)) for rid in result.auto_approved]
                with qtbot.waitSignal(center.evaluated, timeout=5000):
                    center.auto_approved(auto)
            sb.advance(STEP_S)
        client.close()
    finally:
        sb.stop()

    expired = [rid for rid, deadline in deadlines.items() if deadline < start_ms + HOURS * 3_600_000]
    assert set(short) <= set(deadlines)
    assert len(expired) >= len(short)  # the demo shop's own near deadlines expire too
    by_refund = collections.defaultdict(list)
    for rid, key, at in shown:
        by_refund[rid].append((key, at))
    counts = collections.Counter((rid, key) for rid, key, _ in shown)
    assert all(n == 1 for n in counts.values()), "an alert was shown twice"
    for rid in expired:
        before = [at for key, at in by_refund[rid] if key != AUTO_APPROVED_KEY and at < deadlines[rid]]
        assert before, f"refund {rid} expired at {deadlines[rid]} without an alert before"
        # the last warning came in the last half hour (the tightest tier), not only a day before
        assert deadlines[rid] - max(before) <= 30 * 60_000 + STEP_S * 1000
        assert (rid, AUTO_APPROVED_KEY) in counts, f"refund {rid}'s auto-approval was not reported"
