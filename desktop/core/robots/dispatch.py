"""The one way a notice reaches the robots: queue it per channel, then send each queue as one digest.

    dispatcher = RobotDispatcher(store, channels_fn)
    dispatcher.submit(notices)        # each (channel, notice key) queued once, ever
    dispatcher.deliver()              # per channel: everything waiting, as ONE message

Anything that wants the phone to ring — the alert tiers, the auto-approval report, a long sync
failure, the guard's pre-notice and result — builds :class:`~desktop.core.robots.messages.Notice`
objects and calls :meth:`RobotDispatcher.submit` then :meth:`RobotDispatcher.deliver` (or
:meth:`RobotDispatcher.notify`, both at once).

Behaving well with the robots:

* **Rate limits** (WeCom and DingTalk 20 a minute, Feishu 100 a minute and 5 a second): the sends of
  the last minute are counted from the send log (so a restart does not forget them); a channel at its
  limit, or told "too fast" (DingTalk then pauses the robot for 10 minutes), keeps its queue, and the
  queue goes out as one later digest. Nothing is dropped.
* **Transient failures** (network, timeouts, the service's 5xx) are retried at once a few times with
  growing pauses; when they keep failing, and after a refusal (wrong key, signature…), the channel
  waits (30 s, doubling, at most 30 min) before its queue is tried again.
* **Every send is recorded** (channel, time, outcome, the platform's error in plain words):
  :meth:`RobotDispatcher.sends` for the settings page.

Thread-safe: deliveries are serialised by a lock, so a notice is never in two sends at once. A
notice is marked sent in the same transaction that records the send; if the process dies between
the robot's answer and that commit, the notice is sent again at the next start (at least once).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from desktop.core.i18n import tr
from desktop.core.robots import messages
from desktop.core.robots.channels import DINGTALK, FEISHU, WECOM, ResolvedChannel
from desktop.core.robots.messages import TEST, Notice
from desktop.core.robots.transport import OK, RATE_LIMITED, REJECTED, TRANSIENT, RobotTransport, SendResult

log = logging.getLogger(__name__)

#: (messages, per seconds) a robot takes, per the platforms' documentation
RATE_LIMITS: dict[str, tuple[tuple[int, int], ...]] = {
    WECOM: ((20, 60),),
    DINGTALK: ((20, 60),),
    FEISHU: ((100, 60), (5, 1)),
}
#: how long a robot that answered "too fast" is left alone (DingTalk throttles for 10 minutes)
RATE_LIMIT_PAUSE_S = {WECOM: 60, DINGTALK: 600, FEISHU: 60}
FAILURE_BACKOFF_S = 30
FAILURE_BACKOFF_MAX_S = 1800
#: attempts within one delivery for transient failures, and the pause before each retry
RETRY_PAUSES_S = (1.0, 3.0)
#: sent rows are kept this long as the memory of what was sent (alert tiers are within days)
KEEP_SENT_MS = 30 * 86_400_000
KEEP_SENDS_PER_CHANNEL = 200


@dataclass(frozen=True, slots=True)
class SendRecord:
    channel: str
    at: int
    outcome: str
    notices: int
    code: str | None
    error: str | None
    test: bool


@dataclass
class Delivery:
    """What one :meth:`RobotDispatcher.deliver` did for one channel."""

    channel: str
    sent: list[Notice] = field(default_factory=list)
    result: SendResult | None = None
    waiting: int = 0  # still queued after this delivery
    held_until_ms: int | None = None  # why nothing was tried: rate limit or backoff until then


class RobotDispatcher:
    """Queues notices per channel and sends each channel's queue as one digest (see module doc).

    ``channels_fn()`` gives the channels to use now (with credentials). The transport (one HTTP
    session) is owned here unless one is handed in: :meth:`close` it.
    """

    def __init__(
        self,
        store: object,
        channels_fn: Callable[[], Sequence[ResolvedChannel]],
        *,
        transport: RobotTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        retry_pauses_s: Sequence[float] = RETRY_PAUSES_S,
    ) -> None:
        self.store = store
        self.channels_fn = channels_fn
        self._own_transport = transport is None
        self.transport = transport if transport is not None else RobotTransport(clock=clock)
        self.clock = clock
        self.sleep = sleep
        self.retry_pauses_s = tuple(retry_pauses_s)
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._own_transport:
            self.transport.close()

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    # ------------------------------------------------------------------ the queue

    def sent_keys(self, channel_id: str) -> set[str]:
        """Every key queued for the channel (sent or waiting): what must not be queued again."""
        rows = self.store.read("SELECT key FROM robot_outbox WHERE channel = ?", (channel_id,))
        return {r[0] for r in rows}

    def waiting(self, channel_id: str) -> list[Notice]:
        rows = self.store.read(
            "SELECT payload FROM robot_outbox WHERE channel = ? AND sent_at IS NULL ORDER BY created_at, key",
            (channel_id,),
        )
        out = []
        for (raw,) in rows:
            try:
                out.append(Notice.from_json(raw))
            except (ValueError, TypeError) as exc:  # written by this code: a bug, not the user's problem
                log.error("unreadable queued robot notice of channel %s: %s", channel_id, exc)
        return out

    def submit(self, notices: Sequence[Notice], *, channels: Sequence[ResolvedChannel] | None = None) -> int:
        """Queue ``notices`` for every channel (or those given); each (channel, key) once, ever.
        Returns how many were newly queued."""
        chans = list(self.channels_fn() if channels is None else channels)
        if not notices or not chans:
            return 0
        now = self.now_ms()
        added = 0
        with self.store.transaction() as conn:
            for ch in chans:
                for n in notices:
                    cur = conn.execute(
                        "INSERT OR IGNORE INTO robot_outbox (channel, key, shop_id, kind, payload, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (ch.id, n.key, n.shop_id, n.kind, n.to_json(), now),
                    )
                    added += cur.rowcount
        return added

    def remember(self, channel_id: str, keys: Sequence[str], *, shop_id: int | None = None) -> None:
        """Mark keys as done for a channel without sending anything (looser tiers passed unseen)."""
        if not keys:
            return
        now = self.now_ms()
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO robot_outbox (channel, key, shop_id, kind, payload, created_at, sent_at) "
                "VALUES (?, ?, ?, 'skipped', '{}', ?, ?)",
                [(channel_id, k, shop_id, now, now) for k in keys],
            )

    def forget_channel(self, channel_id: str) -> None:
        """Drop a removed channel's queue, memory and send log."""
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM robot_outbox WHERE channel = ?", (channel_id,))
            conn.execute("DELETE FROM robot_sends WHERE channel = ?", (channel_id,))

    # ------------------------------------------------------------------ the send log

    def sends(self, channel_id: str, limit: int = 50) -> list[SendRecord]:
        rows = self.store.read(
            "SELECT channel, at, outcome, notices, code, error, test FROM robot_sends WHERE channel = ? "
            "ORDER BY at DESC, id DESC LIMIT ?",
            (channel_id, limit),
        )
        return [SendRecord(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]

    def _record(self, conn: object, channel_id: str, result: SendResult, notices: int, *, test: bool) -> None:
        now = self.now_ms()
        conn.execute(  # type: ignore[attr-defined]
            "INSERT INTO robot_sends (channel, at, outcome, notices, code, error, test) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (channel_id, now, result.outcome, notices, result.code, result.message or None, int(test)),
        )
        conn.execute(  # type: ignore[attr-defined]
            "DELETE FROM robot_sends WHERE channel = ? AND id NOT IN "
            "(SELECT id FROM robot_sends WHERE channel = ? ORDER BY at DESC, id DESC LIMIT ?)",
            (channel_id, channel_id, KEEP_SENDS_PER_CHANNEL),
        )

    # ------------------------------------------------------------------ pacing

    def held_until_ms(self, channel: ResolvedChannel) -> int | None:
        """When the channel may be sent to again, or ``None`` when it may be now."""
        now = self.now_ms()
        longest = max(w for _, w in RATE_LIMITS[channel.kind])
        rows = self.store.read(
            "SELECT at, outcome, test FROM robot_sends WHERE channel = ? AND at > ? ORDER BY at DESC, id DESC",
            (channel.id, now - max(longest, RATE_LIMIT_PAUSE_S[channel.kind], FAILURE_BACKOFF_MAX_S) * 1000),
        )
        until = 0
        for count, window_s in RATE_LIMITS[channel.kind]:  # every message counts, test messages too
            recent = [at for at, _, _ in rows if at > now - window_s * 1000]
            if len(recent) >= count:
                until = max(until, sorted(recent)[-count] + window_s * 1000)
        if rows and rows[0][1] == RATE_LIMITED:
            until = max(until, rows[0][0] + RATE_LIMIT_PAUSE_S[channel.kind] * 1000)
        digests = [
            (at, outcome) for at, outcome, test in rows if not test
        ]  # a failed test is no reason to wait
        failures = 0
        for _at, outcome in digests:
            if outcome in (OK, RATE_LIMITED):
                break
            failures += 1
        if failures:
            backoff = min(FAILURE_BACKOFF_S * 2 ** (failures - 1), FAILURE_BACKOFF_MAX_S)
            until = max(until, digests[0][0] + backoff * 1000)
        return until if until > now else None

    # ------------------------------------------------------------------ sending

    def _send(self, channel: ResolvedChannel, body: dict) -> SendResult:
        """One message, with quick retries of transient failures (each attempt paced)."""
        result = self.transport.post(channel, body)
        for pause in self.retry_pauses_s:
            if result.outcome != TRANSIENT:
                break
            log.info("robot channel %s: %s; retrying in %.0f s", channel.id, result.outcome, pause)
            self.sleep(pause)
            result = self.transport.post(channel, body)
        return result

    def deliver(self, channels: Sequence[ResolvedChannel] | None = None) -> list[Delivery]:
        """Send each channel's queue as one digest, where the channel's pace allows it now."""
        out = []
        with self._lock:
            for channel in list(self.channels_fn() if channels is None else channels):
                out.append(self._deliver_one(channel))
        return out

    def _deliver_one(self, channel: ResolvedChannel) -> Delivery:
        delivery = Delivery(channel.id)
        notices = self.waiting(channel.id)
        if not notices:
            return delivery
        delivery.waiting = len(notices)
        held = self.held_until_ms(channel)
        if held is not None:
            delivery.held_until_ms = held
            log.info(
                "robot channel %s: %d notice(s) wait until %s (rate limit or backoff)",
                channel.id,
                len(notices),
                held,
            )
            return delivery
        _digest, body = messages.build(channel.kind, notices, self.now_ms())
        result = self._send(channel, body)
        delivery.result = result
        now = self.now_ms()
        with self.store.transaction() as conn:
            if result.ok:
                conn.executemany(
                    "UPDATE robot_outbox SET sent_at = ? WHERE channel = ? AND key = ?",
                    [(now, channel.id, n.key) for n in notices],
                )
                conn.execute(
                    "DELETE FROM robot_outbox WHERE channel = ? AND sent_at IS NOT NULL AND sent_at < ?",
                    (channel.id, now - KEEP_SENT_MS),
                )
            self._record(conn, channel.id, result, len(notices), test=False)
        if result.ok:
            delivery.sent, delivery.waiting = notices, 0
            log.info("robot channel %s: sent a digest of %d notice(s)", channel.id, len(notices))
        else:
            log.warning(
                "robot channel %s: not sent (%s, code %s); %d notice(s) kept for a later digest",
                channel.id,
                result.outcome,
                result.code,
                len(notices),
            )
        return delivery

    def notify(self, notices: Sequence[Notice]) -> list[Delivery]:
        """:meth:`submit` then :meth:`deliver` — the call for anything that wants to ring the phone."""
        self.submit(notices)
        return self.deliver()

    def send_test(self, channel: ResolvedChannel) -> SendResult:
        """The "send a test message" button: one message now (rate limit permitting), recorded."""
        with self._lock:  # a failure backoff does not apply: the user is checking the settings
            if self._at_rate_limit(channel):
                return SendResult(
                    RATE_LIMITED, tr("Too many messages to this robot in the last minute; try again shortly.")
                )
            text = tr(
                "This is a test message from AfterSale Watch. Deadline alerts for your shops will "
                "arrive in this group."
            )
            notice = Notice(TEST, "test", text=text)
            _digest, body = messages.build(channel.kind, [notice], self.now_ms())
            result = self.transport.post(channel, body)
            with self.store.transaction() as conn:
                self._record(conn, channel.id, result, 0, test=True)
            return result

    def _at_rate_limit(self, channel: ResolvedChannel) -> bool:
        now = self.now_ms()
        for count, window_s in RATE_LIMITS[channel.kind]:
            rows = self.store.read(
                "SELECT COUNT(*) FROM robot_sends WHERE channel = ? AND at > ?",
                (channel.id, now - window_s * 1000),
            )
            if rows[0][0] >= count:
                return True
        return False


__all__ = ["OK", "RATE_LIMITED", "REJECTED", "TRANSIENT", "Delivery", "RobotDispatcher", "SendRecord"]
