"""What a robot message says, and its JSON for each platform.

A :class:`Notice` is one thing worth telling (one request crossing an alert tier, one auto-approval,
a sync failing for more than an hour, a line of the guard's pre-notice or result, …). Everything one
channel has waiting is sent as ONE digest (:func:`render_digest`): per shop the count, the money, the
soonest deadline, then one line per request (kind, amount, time left, product) — never buyer personal
data (no name, phone, address or the buyer's own words). Markdown where the channel has it (WeCom,
DingTalk), plain text otherwise (Feishu), in the user's language, cut to the platform's byte limit
by leaving out the least urgent lines (the counts and the money still cover every request).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from desktop.core.alerts import HOUR_MS, MINUTE_MS, format_fen
from desktop.core.i18n import tr
from desktop.core.labels import kind_names
from desktop.core.robots.channels import DINGTALK, FEISHU, WECOM

#: notice kinds that are about one request (the others are events of a shop)
TIER, AUTO_APPROVED, SYNC_FAILED, GUARD_PRE_NOTICE, GUARD_RESULT, TEST = (
    "tier",
    "auto_approved",
    "sync_failed",
    "guard_pre_notice",
    "guard_result",
    "test",
)
#: the order of the sections in a digest
SECTION_ORDER = (TIER, GUARD_PRE_NOTICE, GUARD_RESULT, AUTO_APPROVED, SYNC_FAILED)

#: the biggest message content each platform takes, in UTF-8 bytes. WeCom's are documented
#: (markdown 4096, text 2048); DingTalk and Feishu take far more (20,000 bytes / a 20 KB body):
#: 4000 bytes keeps a phone-sized digest and stays well inside both.
CONTENT_LIMITS = {
    (WECOM, "markdown"): 4096,
    (WECOM, "text"): 2048,
    (DINGTALK, "markdown"): 4000,
    (DINGTALK, "text"): 4000,
    (FEISHU, "text"): 4000,
}
PRODUCT_CHARS = 24


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing to tell, once per channel (``key`` is the memory: the same key is never sent twice).

    Times are epoch ms on the local clock; money in fen. ``text`` is a ready line in the user's
    language for events that are not one request (a sync failure, the guard's own wording).
    """

    kind: str
    key: str
    shop_id: int | None = None
    shop_name: str = ""
    refund_id: int | None = None
    request_kind: str = ""  # "refund_only", "return_refund", … (desktop.core.queue_rows.KINDS)
    amount_fen: int | None = None
    deadline_ms: int | None = None
    product: str = ""
    tier_ms: int | None = None
    text: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Notice:
        data: Any = json.loads(raw)
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True, slots=True)
class Digest:
    """A rendered digest: its title, its lines, and whether it is Markdown."""

    title: str
    body: str
    markdown: bool


#: characters that are markup in a robot's Markdown, and their harmless look-alikes
_MARKUP = str.maketrans("<>*_`#[]", "‹›＊＿'＃［］")


def clean(text: str, limit: int = PRODUCT_CHARS, *, markdown: bool = True) -> str:
    """A platform-given text made safe for one line: no line breaks, no markup, at most ``limit``."""
    text = " ".join(str(text or "").split())
    if markdown:
        text = text.translate(_MARKUP)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def time_left(deadline_ms: int | None, now_ms: int) -> str:
    if deadline_ms is None:
        return tr("no deadline")
    left = deadline_ms - now_ms
    if left <= 0:
        return tr("expired")
    if left >= HOUR_MS:
        hours, minutes = divmod(left // MINUTE_MS, 60)
        return tr("{hours} h {minutes} min left", hours=hours, minutes=minutes)
    return tr("{minutes} min left", minutes=max(1, left // MINUTE_MS))


def clock_time(ms: int, now_ms: int) -> str:
    """A deadline as the seller reads it: ``14:30`` today, else ``11-27 14:30``."""
    at = dt.datetime.fromtimestamp(ms / 1000).astimezone()
    now = dt.datetime.fromtimestamp(now_ms / 1000).astimezone()
    return at.strftime("%H:%M") if at.date() == now.date() else at.strftime("%m-%d %H:%M")


def _section_heading(kind: str, notices: Sequence[Notice], now_ms: int) -> str:
    n = len(notices)
    money = format_fen(sum(x.amount_fen or 0 for x in notices))
    if kind == TIER:
        soonest = min((x.deadline_ms for x in notices if x.deadline_ms is not None), default=None)
        if soonest is None:
            return tr("{count} request(s) near their deadline, {money}", count=n, money=money)
        return tr(
            "{count} request(s) near their deadline, {money}; the first at {time} ({left})",
            count=n,
            money=money,
            time=clock_time(soonest, now_ms),
            left=time_left(soonest, now_ms),
        )
    if kind == AUTO_APPROVED:
        return tr(
            "{count} request(s) expired and were auto-approved by the platform, {money}", count=n, money=money
        )
    if kind == SYNC_FAILED:
        return tr("Sync has been failing for more than an hour: new requests and deadlines may be missed")
    if kind == GUARD_PRE_NOTICE:
        return tr("The guard (after-sale safety net): before it acts")
    if kind == GUARD_RESULT:
        return tr("The guard (after-sale safety net): what it did")
    return tr("{count} notice(s)", count=n)


def _line(notice: Notice, now_ms: int, kinds: dict[str, str], markdown: bool) -> str:
    if notice.refund_id is None:
        return clean(notice.text, 200, markdown=markdown)
    parts = [kinds.get(notice.request_kind, kinds["unknown"])]
    if notice.amount_fen is not None:
        parts.append(format_fen(notice.amount_fen))
    if notice.kind == TIER:
        parts.append(time_left(notice.deadline_ms, now_ms))
    elif notice.kind == AUTO_APPROVED and notice.deadline_ms is not None:
        parts.append(tr("deadline was {time}", time=clock_time(notice.deadline_ms, now_ms)))
    if notice.product:
        parts.append(clean(notice.product, markdown=markdown))
    if notice.text:
        parts.append(clean(notice.text, 80, markdown=markdown))
    parts.append(tr("No. {refund_id}", refund_id=notice.refund_id))  # to find it in the seller backend
    return " · ".join(parts)


def _sections(notices: Sequence[Notice]) -> list[tuple[str, str, list[Notice]]]:
    """(shop name, kind, notices) in display order: shops by their most urgent deadline."""
    by_shop: dict[tuple[int | None, str], dict[str, list[Notice]]] = {}
    for n in notices:
        by_shop.setdefault((n.shop_id, n.shop_name), {}).setdefault(n.kind, []).append(n)

    def urgency(item: tuple[tuple[int | None, str], dict[str, list[Notice]]]) -> tuple[int, str]:
        tiers = item[1].get(TIER, [])
        return (min((x.deadline_ms or 0 for x in tiers), default=2**62), item[0][1])

    out = []
    for (_shop, name), kinds in sorted(by_shop.items(), key=urgency):
        for kind in sorted(kinds, key=lambda k: SECTION_ORDER.index(k) if k in SECTION_ORDER else 99):
            items = kinds[kind]
            if kind == TIER:
                items = sorted(items, key=lambda x: (x.deadline_ms is None, x.deadline_ms or 0))
            out.append((name, kind, items))
    return out


def title_of(notices: Sequence[Notice]) -> str:
    kinds = {n.kind for n in notices}
    if kinds == {TEST}:
        return tr("AfterSale Watch: test message")
    if TIER in kinds:
        return tr("AfterSale Watch: deadlines approaching")
    if kinds & {GUARD_PRE_NOTICE, GUARD_RESULT}:
        return tr("AfterSale Watch: the guard")
    if AUTO_APPROVED in kinds:
        return tr("AfterSale Watch: auto-approved after the deadline")
    return tr("AfterSale Watch: sync failing")


def render_digest(notices: Sequence[Notice], now_ms: int, *, markdown: bool, limit_bytes: int) -> Digest:
    """One message for every notice given, at most ``limit_bytes`` of UTF-8 (least urgent lines left out)."""
    title = title_of(notices)
    kinds = kind_names()
    if {n.kind for n in notices} == {TEST}:
        body = notices[0].text
        return Digest(title, f"### {title}\n{body}" if markdown else f"{title}\n{body}", markdown)
    blocks: list[tuple[str, list[str]]] = []  # (heading lines, item lines)
    last_shop = None
    for shop, kind, items in _sections(notices):
        head = []
        if shop != last_shop:
            shop_text = clean(shop or tr("Shop"), 40, markdown=markdown)
            head.append(f"#### {shop_text}" if markdown else f"【{shop_text}】")
            last_shop = shop
        heading = _section_heading(kind, items, now_ms)
        head.append(f"**{heading}**" if markdown else heading)
        lines = [
            ("> " if markdown else "· ") + _line(n, now_ms, kinds, markdown)
            for n in items
            if n.refund_id is not None or n.text
        ]
        blocks.append(("\n".join(head), lines))
    header = f"### {title}" if markdown else title

    def compose(keep: int) -> str:
        """The message with only the first ``keep`` item lines (in display order)."""
        out, left, dropped = [header], keep, 0
        for head, lines in blocks:
            out.append(head)
            shown = lines[: max(0, left)]
            left -= len(shown)
            dropped += len(lines) - len(shown)
            out.extend(shown)
        if dropped:
            out.append(tr("… and {count} more not listed here: open AfterSale Watch", count=dropped))
        return "\n".join(out)

    def fits(keep: int) -> bool:
        return len(compose(keep).encode("utf-8")) <= limit_bytes

    total = sum(len(lines) for _, lines in blocks)
    keep = total
    if not fits(total):  # the most lines that fit (the size grows with the lines kept): bisect
        low, high = 0, total
        while low < high:
            mid = (low + high + 1) // 2
            low, high = (mid, high) if fits(mid) else (low, mid - 1)
        keep = low
    body = compose(keep)
    encoded = body.encode("utf-8")
    if len(encoded) > limit_bytes:  # headings alone too long (very many shops): hard cut
        body = encoded[: limit_bytes - 3].decode("utf-8", "ignore") + "…"
    return Digest(title, body, markdown)


def content_format(kind: str) -> str:
    """``markdown`` where the channel has it, else ``text``."""
    return "text" if kind == FEISHU else "markdown"


def content_limit(kind: str) -> int:
    return CONTENT_LIMITS[(kind, content_format(kind))]


def payload(kind: str, digest: Digest) -> dict[str, Any]:
    """The JSON body of one message for a channel kind (without DingTalk's/Feishu's signature)."""
    if kind == WECOM:
        if digest.markdown:
            return {"msgtype": "markdown", "markdown": {"content": digest.body}}
        return {"msgtype": "text", "text": {"content": digest.body}}
    if kind == DINGTALK:
        if digest.markdown:
            return {"msgtype": "markdown", "markdown": {"title": digest.title, "text": digest.body}}
        return {"msgtype": "text", "text": {"content": digest.body}}
    if kind == FEISHU:
        return {"msg_type": "text", "content": {"text": digest.body}}
    raise ValueError(f"unknown channel kind {kind!r}")


def build(kind: str, notices: Sequence[Notice], now_ms: int) -> tuple[Digest, dict[str, Any]]:
    """The digest of ``notices`` for a channel kind, and its JSON body."""
    digest = render_digest(
        notices, now_ms, markdown=content_format(kind) == "markdown", limit_bytes=content_limit(kind)
    )
    return digest, payload(kind, digest)
