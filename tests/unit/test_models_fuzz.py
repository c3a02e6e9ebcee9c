"""Fuzz of the response parsers: whatever the gateway sends, the client yields records or a typed
error (ParseError / MalformedResponse; an ApiError only for a failed envelope), never a crash."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.kuaishou import models
from desktop.core.kuaishou.answers import typed, typed_list, unwrap
from desktop.core.kuaishou.errors import ApiError, MalformedResponse, ParseError
from desktop.core.kuaishou.transport import decode_object

RECORDS = [
    models.Refund,
    models.RefundPage,
    models.Address,
    models.RejectReason,
    models.NegotiationComment,
    models.SellerInfo,
    models.ShopScore,
    models.OAuthToken,
]


def _keys(cls) -> list[str]:
    return [f.metadata["key"] for f in dataclasses.fields(cls) if "key" in f.metadata]


ALL_KEYS = sorted(
    {k for cls in RECORDS for k in _keys(cls)} | {"result", "data", "code", "sub_code", "error_msg"}
)
# texts that look almost like numbers: the parsers' favourite traps
numberish = st.sampled_from(
    ["", "1", "-3", "１２", "1e5", " 7 ", "--1", "-", "NaN", "true", "1" * 5000]
) | st.from_regex(r"\s?-{0,2}[0-9٣]{0,4}(\.[0-9])?\s?", fullmatch=True)
scalars = (
    numberish
    | st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
)
keys = st.sampled_from(ALL_KEYS) | st.text(max_size=6)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
    max_leaves=16,
)


def shaped(cls, depth: int = 0):
    """Dicts with (some of) the record's own keys, holding well-typed or arbitrary values."""
    optional = {}
    hints = {f.metadata.get("key"): f for f in dataclasses.fields(cls)}
    for key, f in hints.items():
        if key is None:
            continue
        nested = None
        tp = f.type if isinstance(f.type, str) else str(f.type)
        for sub in [
            *RECORDS,
            models.LogisticsInfo,
            models.ReturnFreightInfo,
            models.AddressBaseInfo,
            models.ScoreSummary,
            models.ScoreDimension,
        ]:
            if sub.__name__ in tp and depth < 2:
                inner = shaped(sub, depth + 1)
                nested = st.lists(inner, max_size=3) if "tuple" in tp else inner
        good = nested if nested is not None else numberish | st.integers(0, 2**64)
        optional[key] = good | json_values
    return st.fixed_dictionaries({}, optional=optional)


SHAPED = {cls: shaped(cls) for cls in RECORDS}
ANY_RECORD_DATA = st.one_of([st.tuples(st.just(cls), SHAPED[cls] | json_values) for cls in RECORDS])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_RECORD_DATA)
def test_parse_yields_a_record_or_a_parse_error(case):
    cls, data = case
    try:
        record = models.parse(cls, data, "data")
    except ParseError as exc:
        assert exc.field.startswith("data")
    else:
        assert isinstance(record, cls)


envelopes = st.fixed_dictionaries(
    {},
    optional={
        "result": st.sampled_from([1, "1", 0, 21, 24, 300014, True]) | scalars,
        "data": SHAPED[models.RefundPage] | st.lists(SHAPED[models.Address], max_size=3) | json_values,
        "error_msg": scalars,
        "code": scalars,
        "sub_code": scalars,
        "msg": scalars,
        "requestId": scalars,
    },
)


@st.composite
def bodies(draw):
    kind = draw(st.sampled_from(["json", "truncated", "any-json", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    obj = draw(envelopes if kind != "any-json" else json_values)
    text = json.dumps(obj, ensure_ascii=draw(st.booleans())).encode("utf-8")
    if kind == "truncated":
        text = text[: draw(st.integers(0, max(0, len(text) - 1)))]
    return text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies(), st.sampled_from(["page", "list", "detail"]))
def test_envelope_handling_yields_data_records_or_typed_errors(body, shape):
    method = "open.seller.order.refund.pcursor.list"
    try:
        envelope = decode_object(body, method=method, status=200)
    except MalformedResponse:
        return
    try:
        data = unwrap(envelope, method=method)
    except ApiError as exc:  # a failed envelope: its typed error
        assert exc.method == method
        return
    except MalformedResponse:
        return
    try:
        if shape == "page":
            assert isinstance(typed(models.RefundPage, data, method), models.RefundPage)
        elif shape == "detail":
            assert isinstance(typed(models.Refund, data, method), models.Refund)
        else:
            records = typed_list(models.Address, data, method)
            assert all(isinstance(r, models.Address) for r in records)
    except ParseError as exc:
        assert exc.method == method and exc.field.startswith("data")
