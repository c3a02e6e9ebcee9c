"""Reading the gateway's answers and checking the arguments of a call (Qt-free, no I/O).

* :func:`unwrap` — the ``data`` of a successful envelope (both field families), the typed error of
  a failed one (:func:`.errors.classify`);
* :func:`typed` / :func:`typed_list` — ``data`` as records (:mod:`.models`); a list item whose own
  decision field is broken is left out and logged, not the list;
* :func:`int_arg`, :func:`choice_arg`, :func:`image_list`, :func:`camel_case` — a call's arguments
  checked before anything is signed or sent (``ValueError`` naming the argument).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from desktop.core.kuaishou.errors import MalformedResponse, ParseError, classify
from desktop.core.kuaishou.models import parse

log = logging.getLogger(__name__)

T = TypeVar("T")


def int_arg(name: str, value: object, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def choice_arg(name: str, value: object, allowed: tuple[int, ...]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}, got {value!r}")
    return value


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _is_success(envelope: Mapping[str, Any]) -> bool:
    result = envelope.get("result")
    if result is not None:
        return not isinstance(result, bool) and (result == 1 or result == "1")
    # [inferred] an answer of the newer family only: code "0"/"1" and no sub_code means success
    code = envelope.get("code")
    return code is not None and str(code) in ("0", "1") and not envelope.get("sub_code")


def unwrap(envelope: Mapping[str, Any], *, method: str | None = None) -> Any:
    """``envelope["data"]`` of a successful envelope; the typed error of a failed one."""
    if "result" not in envelope and "code" not in envelope:
        raise MalformedResponse("the answer has neither 'result' nor 'code'", method=method)
    if _is_success(envelope):
        return envelope.get("data")
    raise classify(envelope, method=method)


def _items(data: Any, path: str) -> list[Any]:
    """A list answer: ``data`` itself, or the one list inside a ``data`` object."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        lists = [(k, v) for k, v in data.items() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0][1]
        if not lists and not data:
            return []
    raise ParseError(path, f"expected a list, got {type(data).__name__}")


def typed(cls: type[T], data: Any, method: str) -> T:
    """``data`` as a ``cls`` record; a :class:`ParseError` names the field and the method."""
    try:
        return parse(cls, data, "data")
    except ParseError as exc:
        exc.method = method
        raise


def typed_list(cls: type[T], data: Any, method: str) -> list[T]:
    """A list answer as records; an item whose own decision field is broken (a reject reason
    without a usable code, an address without an id) is left out and logged, not the list."""
    if data is None or data == "":
        return []
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):
            pass
    try:
        items = _items(data, "data")
    except ParseError as exc:
        exc.method = method
        raise
    out = []
    for i, item in enumerate(items):
        try:
            out.append(parse(cls, item, f"data[{i}]"))
        except ParseError as exc:
            log.warning("%s: item %d left out: %s", method, i, exc)
    return out


def image_list(images: list[str] | tuple[str, ...]) -> list[str]:
    images = list(images)
    if len(images) > 6:
        raise ValueError(f"at most 6 images may be attached, got {len(images)}")
    if not all(isinstance(i, str) and i for i in images):
        raise ValueError("images must be non-empty texts (URLs)")
    return images
