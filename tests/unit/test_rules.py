"""The rules file: the bundled one loads; a bad one is refused with the key and the problem named."""

from __future__ import annotations

import copy
import tomllib

import pytest

from desktop.core import i18n
from desktop.core.domain.rules import RulesError, load_rules, parse_rules
from desktop.core.rulesfile import default_rules_path, load_default_rules


@pytest.fixture
def english():
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


@pytest.fixture(scope="module")
def doc() -> dict:
    with open(default_rules_path(), "rb") as fh:
        return tomllib.load(fh)


def _set(doc: dict, dotted: str, value) -> dict:
    out = copy.deepcopy(doc)
    *parents, last = dotted.split(".")
    node = out
    for p in parents:
        node = node[p]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return out


_DELETE = object()


def test_bundled_rules_load_with_the_documented_defaults():
    rules = load_default_rules()
    assert rules.stage_limit("review_refund_only").limit_hours == 48
    assert rules.stage_limit("review_refund_only").basis == "sourced"
    assert rules.stage_limit("confirm_receipt").limit_hours == 7 * 24  # the safe side of 7 vs 10 days
    assert rules.stage_limit("reject_intercept").limit_hours == 5 * 24
    assert rules.stage_limit("review_exchange").basis == "assumed"
    assert rules.warnings.alert_hours.value == (24, 6, 2, 0.5)
    u = rules.warnings.urgency
    assert (u.critical_hours.value, u.urgent_hours.value, u.warn_hours.value) == (2, 6, 24)
    r = rules.risk
    assert (r.high.m1_long.value, r.high.m1_short.value, r.high.m2_rate.value, r.high.m4_weeks.value) == (
        10,
        5,
        0.05,
        4,
    )
    assert (
        r.elevated.m1_long.value,
        r.elevated.m1_short.value,
        r.elevated.m2_rate.value,
        r.elevated.m4_weeks.value,
    ) == (5, 3, 0.01, 2)
    assert (r.watch.m1_long.value, r.watch.pending_hours_left.value, r.watch.m5_p90_hours.value) == (1, 6, 36)
    assert r.m2_min_requests.value == 20
    assert r.windows.days.value == (7, 30, 90)
    assert r.backlog_hours.value == (24, 6, 2)
    assert rules.forecast_horizons_hours.value == (6, 24, 48)
    assert rules.forecast_horizons_hours.key == "forecast.horizons_hours"


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("risk.high.m2_rate", {"value": 5, "basis": "assumed"}, "must be between 0 and 1, got 5"),
        ("risk.high.m1_long", {"value": -1, "basis": "assumed"}, "must be greater than 0, got -1"),
        ("risk.high.m1_long", {"value": 2.5, "basis": "assumed"}, "must be an integer, got 2.5"),
        ("risk.high.m1_long", {"value": "10", "basis": "assumed"}, "must be an integer, got '10'"),
        (
            "risk.elevated.m1_short",
            {"value": 6, "basis": "assumed"},
            "must not be greater than risk.high.m1_short (5), got 6",
        ),
        (
            "risk.watch.m1_long",
            {"value": 7, "basis": "assumed"},
            "must not be greater than risk.elevated.m1_long (5), got 7",
        ),
        (
            "warnings.urgency.critical_hours",
            {"value": 8, "basis": "assumed"},
            "must not be greater than warnings.urgency.urgent_hours (6), got 8",
        ),
        (
            "warnings.urgency.critical_hours",
            {"value": 0, "basis": "assumed"},
            "must be greater than 0, got 0",
        ),
        (
            "risk.windows.m1_long_days",
            {"value": 14, "basis": "assumed"},
            "must be one of 7, 30, 90 (risk.windows.days), got 14",
        ),
        (
            "risk.windows.m1_short_days",
            {"value": 90, "basis": "assumed"},
            "must be less than risk.windows.m1_long_days (30), got 90",
        ),
        (
            "forecast.horizons_hours",
            {"value": [6, 6], "basis": "assumed"},
            "must not repeat a value, got 6, 6",
        ),
        ("forecast.horizons_hours", {"value": [], "basis": "assumed"}, "must not be empty"),
        ("risk.exposure.watch", {"value": ["jail"], "basis": "assumed"}, "unknown sanction 'jail'"),
        ("risk.sample.m2_min_requests", 20, "must be a table { value = …"),
        ("stages.review_return.limit_hours", -48, "must be greater than 0, got -48"),
        ("stages.review_return.basis", "guess", 'must be "sourced" or "assumed", got \'guess\''),
        ("stages.review_return.note", "", "a sourced value must name its source in note"),
        (
            "classify.fast_refund_max_seconds",
            {"value": -1, "basis": "assumed"},
            "must not be negative, got -1",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_key(doc, english, key, value, problem):
    with pytest.raises(RulesError) as err:
        parse_rules(_set(doc, key, value))
    assert err.value.key == key
    assert str(err.value).startswith(f"{key}: ")
    assert problem in err.value.problem


def test_missing_basis_unknown_keys_and_missing_keys_are_named(doc, english):
    with pytest.raises(RulesError) as err:
        parse_rules(_set(doc, "risk.high.m2_rate", {"value": 0.05}))
    assert err.value.key == "risk.high.m2_rate.basis"
    with pytest.raises(RulesError) as err:
        parse_rules(_set(doc, "stages.review_return.basis", _DELETE))
    assert err.value.key == "stages.review_return.basis"
    with pytest.raises(RulesError) as err:
        parse_rules(_set(doc, "risk.high.m5_p90", {"value": 1, "basis": "assumed"}))
    assert (err.value.key, err.value.problem) == ("risk.high.m5_p90", "unknown key")
    with pytest.raises(RulesError) as err:
        parse_rules(_set(doc, "stages.review_gift", {"limit_hours": 1, "basis": "assumed"}))
    assert err.value.key == "stages.review_gift"
    with pytest.raises(RulesError) as err:
        parse_rules(_set(doc, "risk.elevated.m4_weeks", _DELETE))
    assert (err.value.key, err.value.problem) == ("risk.elevated.m4_weeks", "missing")
    with pytest.raises(RulesError) as err:
        parse_rules(_set(doc, "schema_version", 2))
    assert err.value.key == "schema_version"


def test_a_bad_file_on_disk_is_refused(tmp_path, english):
    bad = tmp_path / "rules.toml"
    text = default_rules_path().read_text(encoding="utf-8")
    bad.write_text(text.replace("m2_rate = { value = 0.05", "m2_rate = { value = 5"), encoding="utf-8")
    with pytest.raises(RulesError, match=r"risk\.high\.m2_rate: must be between 0 and 1, got 5$") as err:
        load_rules(bad)
    assert str(err.value).startswith(f"{bad}: ")  # the file is named
    bad.write_text("schema_version = [", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid TOML"):
        load_rules(bad)
    with pytest.raises(RulesError, match="does not exist"):
        load_rules(tmp_path / "missing.toml")


def test_the_problem_is_in_the_users_language(doc):
    i18n.set_language("zh_CN")
    with pytest.raises(RulesError) as err:
        parse_rules(_set(doc, "risk.high.m2_rate", {"value": 5, "basis": "assumed"}))
    assert str(err.value) == "risk.high.m2_rate: 必须在 0 与 1 之间，实际为 5"


def test_lists_are_normalised(doc):
    rules = parse_rules(_set(doc, "forecast.horizons_hours", {"value": [48, 6], "basis": "assumed"}))
    assert rules.forecast_horizons_hours.value == (6, 48)
    rules = parse_rules(_set(doc, "warnings.alert_hours", {"value": [2, 24], "basis": "assumed"}))
    assert rules.warnings.alert_hours.value == (24, 2)


# ------------------------------------------------------------------- robustness of the file itself
def _bundled_bytes() -> bytes:
    return default_rules_path().read_bytes()


def test_a_utf8_byte_order_mark_as_notepad_saves_it_is_accepted(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_bytes(b"\xef\xbb\xbf" + _bundled_bytes())
    assert load_rules(path).schema_version == 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (lambda: _bundled_bytes().decode("utf-8").encode("utf-16"), "UTF-16"),
        (lambda: _bundled_bytes().decode("utf-8").encode("gbk"), "not UTF-8 text (line 1)"),
        (lambda: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4, "binary"),
        (lambda: b"a = " + b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (lambda: b"# " + b"x" * 2_000_000, "too large"),
        (lambda: b"schema_version = 1\nstages = [", "not valid TOML"),
    ],
)
def test_a_file_that_is_not_a_rules_file_is_refused_naming_it_and_the_fix(
    tmp_path, english, content, problem
):
    path = tmp_path / "rules.toml"
    path.write_bytes(content())
    with pytest.raises(RulesError) as err:
        load_rules(path)
    assert problem in str(err.value)
    assert str(err.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("key", "value", "limit"),
    [
        ("stages.review_return.limit_hours", 1e12, "720"),
        ("risk.windows.series_days", {"value": 100_000_000, "basis": "assumed"}, "366"),
        ("risk.windows.days", {"value": [7, 30, 90, 100_000], "basis": "assumed"}, "90"),
        ("warnings.alert_hours", {"value": [24, 6, 2, 1e9], "basis": "assumed"}, "168"),
        ("warnings.urgency.warn_hours", {"value": 1e6, "basis": "assumed"}, "168"),
        ("classify.fast_refund_max_seconds", {"value": 10**12, "basis": "assumed"}, "86400"),
        ("risk.sample.m2_min_requests", {"value": 10**9, "basis": "assumed"}, "100000"),
        ("risk.backlog.hours", {"value": [1e9, 6, 2], "basis": "assumed"}, "168"),
        ("risk.high.m1_long", {"value": 10**12, "basis": "assumed"}, "100000"),
        ("risk.high.m4_weeks", {"value": 1000, "basis": "assumed"}, "52"),
        ("risk.watch.m5_p90_hours", {"value": 1e9, "basis": "assumed"}, "720"),
        ("risk.watch.pending_hours_left", {"value": 1e9, "basis": "assumed"}, "168"),
    ],
)
def test_every_number_has_a_sane_range(doc, english, key, value, limit):
    with pytest.raises(RulesError) as err:
        parse_rules(_set(doc, key, value))
    assert err.value.key == key
    assert f"must not be greater than {limit}" in err.value.problem
