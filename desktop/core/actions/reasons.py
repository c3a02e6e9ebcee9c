"""Reject reasons for a bulk rejection: what every selected refund allows, and what needs pictures.

There is no static list of reasons (spec §4): each refund has its own, from
``open.refund.reject.reason``. A bulk rejection can only use a reason every selected refund allows;
a reason that requires pictures cannot be sent in bulk (the app uploads no pictures), so the refunds
that would need them are listed to be rejected one by one in the seller backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from desktop.core.kuaishou.models import RejectReason


@dataclass(frozen=True, slots=True)
class SharedReason:
    """A reason allowed for every refund whose reasons could be read."""

    code: int
    desc: str
    tip: str | None
    #: some refund requires a description with this reason
    needs_desc: bool
    #: the refunds for which this reason requires pictures (to be handled one by one)
    image_refunds: tuple[int, ...]

    @property
    def needs_images(self) -> bool:
        return bool(self.image_refunds)


@dataclass(frozen=True, slots=True)
class ReasonsSummary:
    #: the reasons allowed per refund (only refunds whose reasons could be read)
    per_refund: Mapping[int, tuple[RejectReason, ...]]
    #: the reasons every readable refund allows, in the order the first refund lists them
    shared: tuple[SharedReason, ...]
    #: refunds whose reasons could not be read (usually: not rejectable in their state) → message
    unavailable: Mapping[int, str] = field(default_factory=dict)

    def reason(self, code: int) -> SharedReason | None:
        return next((r for r in self.shared if r.code == code), None)


def summarise(
    per_refund: Mapping[int, Sequence[RejectReason]], unavailable: Mapping[int, str] | None = None
) -> ReasonsSummary:
    """Intersect the reasons of several refunds (``RejectReason`` records, by ``code``)."""
    per = {rid: tuple(reasons) for rid, reasons in per_refund.items()}
    shared: list[SharedReason] = []
    if per:
        first = next(iter(per.values()))
        for reason in first:
            matches = [
                (rid, m)
                for rid, reasons in per.items()
                if (m := next((r for r in reasons if r.code == reason.code), None)) is not None
            ]
            if len(matches) < len(per):
                continue
            shared.append(
                SharedReason(
                    code=reason.code,
                    desc=reason.desc or str(reason.code),
                    tip=reason.tip,
                    needs_desc=any(bool(m.required_reject_desc) for _, m in matches),
                    image_refunds=tuple(rid for rid, m in matches if m.required_reject_image),
                )
            )
    return ReasonsSummary(per, tuple(shared), dict(unavailable or {}))
