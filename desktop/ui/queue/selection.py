"""What the window's actions read of the queue and the detail pane: the requests the seller selected
or looks at. Typed as protocols, so the approve/reject actions and the guard's holds depend on these
few members, not on the widgets (:class:`~desktop.ui.queue.view.QueueWidget`,
:class:`~desktop.ui.queue.detail.DetailPane`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class ListedRequest(Protocol):
    """A request as the seller saw it (a queue row, a refund)."""

    @property
    def refund_id(self) -> int: ...


class RequestQueue(Protocol):
    """The queue: the requests selected in it, in view order."""

    def selected_rows(self) -> Sequence[ListedRequest]: ...


class RequestPane(Protocol):
    """The detail pane: the one request it shows (``None``: none)."""

    @property
    def row(self) -> ListedRequest | None: ...
