"""The shapes the sandbox sends its answers in (spec §8).

The platform's documentation service declares a type for every field, and the sandbox speaks those
declared types by default. Real gateways have been seen (or may be expected) to send other plausible
encodings too, so each can be switched on to test a client against it:

``declared`` (default)
    As §8 declares: ``pictures`` and ``sellerDisagreeImages`` are text holding a JSON array,
    ``address`` is text, a negotiation-history ``role`` is a number, and every envelope carries
    ``code``, ``msg``, ``sub_code`` and ``sub_msg`` as strings, on success too.
``text``
    The declared types with every number sent as numeric text ("1290"), pictures as
    comma-separated text and roles as numeric text.
``objects``
    The shapes many unofficial clients assume: pictures as JSON arrays, the address as an object,
    roles as words ("system"), and only ``result``/``error_msg`` on success.

Internally the shop keeps refunds in the ``objects`` shape; :func:`shape` converts an answer's
``data`` on its way out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

SHAPES = ("declared", "text", "objects")
DEFAULT_SHAPE = "declared"

#: the numbers the sandbox uses for negotiation-history roles (the platform's are undocumented)
ROLE_CODES: Mapping[str, int] = {"buyer": 1, "seller": 2, "system": 3, "platform": 4}

_PICTURE_KEYS = ("pictures", "sellerDisagreeImages")
_ADDRESS_PARTS = ("province", "city", "district", "town", "address")


def check_shape(shape: str) -> str:
    if shape not in SHAPES:
        raise ValueError(f"unknown wire shape {shape!r}; expected one of {', '.join(SHAPES)}")
    return shape


def address_text(address: Any) -> Any:
    """The return address as the declared text: "province city district … street consignee mobile"."""
    if not isinstance(address, Mapping):
        return address
    place = "".join(str(address[k]) for k in _ADDRESS_PARTS if address.get(k))
    people = " ".join(str(address[k]) for k in ("consignee", "mobile") if address.get(k))
    return " ".join(t for t in (place, people) if t)


def _refund(r: dict[str, Any], shape: str) -> dict[str, Any]:
    out = dict(r)
    for key in _PICTURE_KEYS:
        value = out.get(key)
        if isinstance(value, list):
            out[key] = ",".join(value) if shape == "text" else json.dumps(value, ensure_ascii=False)
    if "address" in out:
        out["address"] = address_text(out["address"])
    return out


def _numbers_as_text(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [_numbers_as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _numbers_as_text(v) for k, v in value.items()}
    return value


def _role_code(role: object) -> int:
    return ROLE_CODES.get(role, 0) if isinstance(role, str) else 0


def shape(method: str, data: Any, wire_shape: str) -> Any:
    """``data`` of ``method``'s answer in ``wire_shape`` (the shop's own dicts are not changed)."""
    if wire_shape == "objects":
        return data
    if method == "open.seller.order.refund.detail" and isinstance(data, dict):
        data = _refund(data, wire_shape)
    elif method == "open.refund.comment.basic.list" and isinstance(data, list):
        data = [{**c, "role": _role_code(c.get("role"))} if isinstance(c, dict) else c for c in data]
    if wire_shape == "text":
        data = _numbers_as_text(data)
    return data


def success_envelope(data: Any, request_id: str, wire_shape: str) -> dict[str, Any]:
    """A successful answer: ``result`` 1, and the string code family unless ``objects``."""
    envelope: dict[str, Any] = {"result": 1, "data": data, "error_msg": "", "requestId": request_id}
    if wire_shape != "objects":
        envelope.update(code="0", msg="success", sub_code="", sub_msg="")
    return envelope
