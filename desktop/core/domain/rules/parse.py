"""Reading and validating the rules file: :func:`load_rules` (the file's bytes: size, encoding,
TOML syntax) and :func:`parse_rules` (every table and value: type, range, order, unknown keys), each
refusal a :class:`~desktop.core.domain.rules.model.RulesError` naming the key at fault.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from typing import Any

from desktop.core.domain.rules.model import (
    BASES,
    GUARD_STAGES,
    LIMITED_STAGES,
    SANCTIONS,
    SCHEMA_VERSION,
    Basis,
    ClassifyRules,
    Exposure,
    GuardRules,
    LevelThresholds,
    Param,
    RiskRules,
    RiskWindows,
    Rules,
    RulesError,
    StageLimit,
    UrgencyTiers,
    Warnings,
    WatchThresholds,
)
from desktop.core.i18n import tr

#: the largest rules file read (the bundled one is about 10 kB)
MAX_FILE_BYTES = 1_000_000
#: upper bounds of the values (each refusal says the range): hours of a stage limit, of a warning
#: or urgency tier, of a backlog bucket; days of a risk window (the platform lists 90 days) and of
#: the daily series; counts of the level thresholds
MAX_STAGE_HOURS = 720.0  # 30 days
MAX_WARNING_HOURS = 168.0  # a week
MAX_FAST_REFUND_SECONDS = 86_400
MAX_WINDOW_DAYS = 90
MAX_SERIES_DAYS = 366
MAX_COUNT = 100_000
MAX_WEEKS = 52
MAX_P90_HOURS = 720.0


#: the ``[guard]`` table of a rules file that has none (all but the rule assumed)
_GUARD_DEFAULTS: dict[str, Any] = {
    "rule": {
        "value": "agree_before_deadline",
        "basis": "sourced",
        "note": "notice of 2023-05-09: the violation is a request left unhandled until the platform agrees it",
    },
    "lead_minutes": {"value": 45, "basis": "assumed"},
    "max_fee_yuan": {"value": 200, "basis": "assumed"},
    "daily_count": {"value": 20, "basis": "assumed"},
    "daily_yuan": {"value": 2000, "basis": "assumed"},
    "pre_notice_minutes": {"value": 15, "basis": "assumed"},
    "stale_minutes": {"value": 5, "basis": "assumed"},
    "default_stages": {"value": ["review_refund_only"], "basis": "assumed"},
}


# ----------------------------------------------------------------------------------- loading
def load_rules(path: str | os.PathLike[str]) -> Rules:
    """Read and validate the rules file at ``path``; raise :class:`RulesError` when it is unusable.

    Every refusal names the file, the key (when one is at fault) and what to do: a file saved in
    another encoding than UTF-8, a binary file, one too large or nested too deeply, a syntax error
    (with its line), and every value out of its range. A UTF-8 byte order mark (as Notepad saves
    it) is accepted."""
    name = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise RulesError("", tr("the rules file {path} does not exist", path=name)) from None
    except OSError as exc:
        raise RulesError(
            "", tr("cannot read the rules file {path}: {error}", path=name, error=exc.strerror or str(exc))
        ) from None
    try:
        data = tomllib.loads(_text(raw))
    except RulesError as exc:
        exc.path = name
        raise
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(
            "", tr("the rules file is not valid TOML: {error}", error=str(exc)), path=name
        ) from None
    except RecursionError:
        raise RulesError(
            "",
            tr("the rules file is nested too deeply to be a rules file; restore the bundled file"),
            path=name,
        ) from None
    try:
        return parse_rules(data)
    except RulesError as exc:
        exc.path = name
        raise


def _text(raw: bytes) -> str:
    """The rules file's bytes as text (UTF-8, with or without a byte order mark)."""
    if len(raw) > MAX_FILE_BYTES:
        raise RulesError(
            "",
            tr(
                "the rules file is larger than {size} kB, too large to be a rules "
                "file; restore the bundled file",
                size=MAX_FILE_BYTES // 1000,
            ),
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RulesError("", tr("the rules file is saved as UTF-16; save it again as UTF-8"))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # the byte order mark Notepad writes
    if b"\0" in raw:
        raise RulesError(
            "", tr("the rules file is not a text file (it holds binary data); restore the bundled file")
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RulesError(
            "", tr("the rules file is not UTF-8 text (line {line}); save it again as UTF-8", line=line)
        ) from None


def parse_rules(data: Mapping[str, Any]) -> Rules:
    """Validate an already decoded rules document (see :func:`load_rules`)."""
    root = _Table(data, "")
    version = root.plain("schema_version", int)
    if version != SCHEMA_VERSION:
        raise RulesError(
            "schema_version",
            tr(
                "this version of the app reads schema {expected}, got {got}",
                expected=SCHEMA_VERSION,
                got=version,
            ),
        )
    risk = _risk(root.table("risk"))
    rules = Rules(
        schema_version=version,
        stages=_stages(root.table("stages")),
        warnings=_warnings(root.table("warnings")),
        classify=_classify(root.table("classify")),
        risk=risk,
        forecast_horizons_hours=_forecast(root.table("forecast"), risk),
        guard=_guard(root.table("guard") if "guard" in root.data else _Table(_GUARD_DEFAULTS, "guard")),
    )
    root.done()
    return rules


def _stages(t: _Table) -> dict[str, StageLimit]:
    out: dict[str, StageLimit] = {}
    for name in t.keys():  # noqa: SIM118 - a rules table, not a dict
        if name not in LIMITED_STAGES:
            raise RulesError(
                t.sub(name),
                tr("unknown stage; known stages: {names}", names=", ".join(LIMITED_STAGES)),
            )
        st = t.table(name)
        hours = st.plain("limit_hours", float)
        _check_positive(st.sub("limit_hours"), hours)
        _check_at_most(st.sub("limit_hours"), hours, MAX_STAGE_HOURS)
        basis, note = st.basis_and_note()
        st.done()
        out[name] = StageLimit(name, float(hours), basis, note)
    t.done()
    return out


def _warnings(t: _Table) -> Warnings:
    alerts = t.param("alert_hours", _list_of(float, min_len=1))
    for h in alerts.value:
        _check_positive(alerts.key, h)
        _check_at_most(alerts.key, h, MAX_WARNING_HOURS)
    _check_distinct(alerts.key, alerts.value)
    alerts = _replace_value(alerts, tuple(sorted(alerts.value, reverse=True)))
    u = t.table("urgency")
    critical = u.param("critical_hours", float)
    urgent = u.param("urgent_hours", float)
    warn = u.param("warn_hours", float)
    _check_positive(critical.key, critical.value)
    _check_order(critical, urgent)
    _check_order(urgent, warn)
    _check_at_most(warn.key, warn.value, MAX_WARNING_HOURS)
    u.done()
    t.done()
    return Warnings(alerts, UrgencyTiers(critical, urgent, warn))


def _classify(t: _Table) -> ClassifyRules:
    fast = t.param("fast_refund_max_seconds", int)
    _check_non_negative(fast.key, fast.value)
    _check_at_most(fast.key, fast.value, MAX_FAST_REFUND_SECONDS)
    # the platform sends roles as numbers whose values are undocumented: a role is named by its
    # number (7) or a text ("system"); both are kept as casefolded text
    roles = t.param("system_roles", _list_of(_Role, min_len=0))
    for role in roles.value:
        if not role.strip():
            raise RulesError(roles.key, tr("must not contain empty texts"))
    roles = _replace_value(roles, tuple(r.strip().casefold() for r in roles.value))
    t.done()
    return ClassifyRules(fast, roles)


def _risk(t: _Table) -> RiskRules:
    w = t.table("windows")
    days = w.param("days", _list_of(int, min_len=1))
    for d in days.value:
        _check_positive(days.key, d)
        _check_at_most(days.key, d, MAX_WINDOW_DAYS)
    _check_distinct(days.key, days.value)
    days = _replace_value(days, tuple(sorted(days.value)))
    picks = {}
    for name in ("m1_short_days", "m1_long_days", "m2_days", "m5_days"):
        p = w.param(name, int)
        if p.value not in days.value:
            raise RulesError(
                p.key,
                tr(
                    "must be one of {allowed} (risk.windows.days), got {got}",
                    allowed=", ".join(map(str, days.value)),
                    got=p.value,
                ),
            )
        picks[name] = p
    if picks["m1_short_days"].value >= picks["m1_long_days"].value:
        raise RulesError(
            picks["m1_short_days"].key,
            tr(
                "must be less than {other} ({limit}), got {got}",
                other=picks["m1_long_days"].key,
                limit=picks["m1_long_days"].value,
                got=picks["m1_short_days"].value,
            ),
        )
    series = w.param("series_days", int)
    _check_positive(series.key, series.value)
    _check_at_most(series.key, series.value, MAX_SERIES_DAYS)
    w.done()
    windows = RiskWindows(
        days, picks["m1_short_days"], picks["m1_long_days"], picks["m2_days"], picks["m5_days"], series
    )

    s = t.table("sample")
    min_requests = s.param("m2_min_requests", int)
    _check_positive(min_requests.key, min_requests.value)
    _check_at_most(min_requests.key, min_requests.value, MAX_COUNT)
    s.done()

    b = t.table("backlog")
    backlog = b.param("hours", _list_of(float, min_len=1))
    for h in backlog.value:
        _check_positive(backlog.key, h)
        _check_at_most(backlog.key, h, MAX_WARNING_HOURS)
    _check_distinct(backlog.key, backlog.value)
    backlog = _replace_value(backlog, tuple(sorted(backlog.value, reverse=True)))
    b.done()

    high = _level(t.table("high"))
    elevated = _level(t.table("elevated"))
    for name in ("m1_long", "m1_short", "m2_rate", "m4_weeks"):
        _check_order(getattr(elevated, name), getattr(high, name))

    wt = t.table("watch")
    watch = WatchThresholds(
        m1_long=wt.param("m1_long", int),
        pending_hours_left=wt.param("pending_hours_left", float),
        m5_p90_hours=wt.param("m5_p90_hours", float),
    )
    _check_positive(watch.m1_long.key, watch.m1_long.value)
    _check_positive(watch.pending_hours_left.key, watch.pending_hours_left.value)
    _check_positive(watch.m5_p90_hours.key, watch.m5_p90_hours.value)
    _check_at_most(watch.m1_long.key, watch.m1_long.value, MAX_COUNT)
    _check_at_most(watch.pending_hours_left.key, watch.pending_hours_left.value, MAX_WARNING_HOURS)
    _check_at_most(watch.m5_p90_hours.key, watch.m5_p90_hours.value, MAX_P90_HOURS)
    _check_order(watch.m1_long, elevated.m1_long)
    wt.done()

    e = t.table("exposure")
    exposure = Exposure(
        *(e.param(level, _list_of(str, min_len=1)) for level in ("high", "elevated", "watch"))
    )
    for p in (exposure.high, exposure.elevated, exposure.watch):
        for item in p.value:
            if item not in SANCTIONS:
                raise RulesError(
                    p.key,
                    tr("unknown sanction {name!r}; known: {names}", name=item, names=", ".join(SANCTIONS)),
                )
    e.done()
    t.done()
    return RiskRules(windows, min_requests, backlog, high, elevated, watch, exposure)


def _level(t: _Table) -> LevelThresholds:
    lv = LevelThresholds(
        m1_long=t.param("m1_long", int),
        m1_short=t.param("m1_short", int),
        m2_rate=t.param("m2_rate", float),
        m4_weeks=t.param("m4_weeks", int),
    )
    for p in (lv.m1_long, lv.m1_short, lv.m4_weeks):
        _check_positive(p.key, p.value)
    for p in (lv.m1_long, lv.m1_short):
        _check_at_most(p.key, p.value, MAX_COUNT)
    _check_at_most(lv.m4_weeks.key, lv.m4_weeks.value, MAX_WEEKS)
    if not 0 < lv.m2_rate.value <= 1:
        raise RulesError(lv.m2_rate.key, tr("must be between 0 and 1, got {got}", got=_fmt(lv.m2_rate.value)))
    t.done()
    return lv


def _forecast(t: _Table, risk: RiskRules) -> Param[tuple[int, ...]]:
    horizons = t.param("horizons_hours", _list_of(int, min_len=1))
    # a horizon must fit in every window the levels read and in M4's 7-day block, so that every
    # request falling due within it counts alike (the forecast's rescue list relies on it)
    longest = 24 * min(7, risk.windows.m1_short_days.value, risk.windows.m2_days.value)
    for h in horizons.value:
        _check_positive(horizons.key, h)
        if h > longest:
            raise RulesError(
                horizons.key,
                tr(
                    "must not be longer than {limit} h (the shortest risk window), got {got}",
                    limit=longest,
                    got=h,
                ),
            )
    _check_distinct(horizons.key, horizons.value)
    t.done()
    return _replace_value(horizons, tuple(sorted(horizons.value)))


def _guard(t: _Table) -> GuardRules:
    """The ``[guard]`` table (absent: the built-in defaults, all but the rule assumed)."""
    g = GuardRules(
        rule=t.param("rule", str),
        lead_minutes=t.param("lead_minutes", int),
        max_fee_yuan=t.param("max_fee_yuan", float),
        daily_count=t.param("daily_count", int),
        daily_yuan=t.param("daily_yuan", float),
        pre_notice_minutes=t.param("pre_notice_minutes", int),
        stale_minutes=t.param("stale_minutes", int),
        default_stages=t.param("default_stages", _list_of(str, min_len=1)),
    )
    if g.rule.value != "agree_before_deadline":
        raise RulesError(g.rule.key, tr("unknown guard rule {got}", got=_fmt(g.rule.value)))
    for p in (
        g.lead_minutes,
        g.max_fee_yuan,
        g.daily_count,
        g.daily_yuan,
        g.pre_notice_minutes,
        g.stale_minutes,
    ):
        _check_positive(p.key, p.value)
    for stage in g.default_stages.value:
        if stage not in GUARD_STAGES:
            raise RulesError(
                g.default_stages.key,
                tr("unknown stage; known stages: {names}", names=", ".join(GUARD_STAGES)),
            )
    t.done()
    return g


# ----------------------------------------------------------------------------------- helpers
class _Role:
    """A negotiation-history role: a whole number or a text (kept as text)."""


_TYPE_NAMES = {
    int: "an integer",
    float: "a number",
    str: "a text",
    bool: "true/false",
    _Role: "a whole number or a text",
}


class _ListOf:
    def __init__(self, item: type, min_len: int) -> None:
        self.item = item
        self.min_len = min_len


def _list_of(item: type, *, min_len: int) -> _ListOf:
    return _ListOf(item, min_len)


def _convert(key: str, value: Any, kind: type | _ListOf) -> Any:
    if isinstance(kind, _ListOf):
        if not isinstance(value, list):
            raise RulesError(key, tr("must be a list, got {got}", got=_fmt(value)))
        if len(value) < kind.min_len:
            raise RulesError(key, tr("must not be empty"))
        return tuple(_convert(f"{key}[{i}]", v, kind.item) for i, v in enumerate(value))
    if kind is _Role and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    ok = (
        (kind is _Role and isinstance(value, str))
        or (kind is int and isinstance(value, int) and not isinstance(value, bool))
        or (kind is float and isinstance(value, (int, float)) and not isinstance(value, bool))
        or (kind is str and isinstance(value, str))
    )
    if not ok:
        raise RulesError(key, tr("must be {kind}, got {got}", kind=tr(_TYPE_NAMES[kind]), got=_fmt(value)))
    if kind is float:
        if not math.isfinite(value):
            raise RulesError(key, tr("must be a finite number, got {got}", got=_fmt(value)))
        return float(value) if isinstance(value, float) else value
    return value


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "…")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return tr("a table")
    if isinstance(value, int) and abs(value) >= 10**15:
        return f"{value:.3g}"
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


class _Table:
    """A TOML table being read: remembers the keys used so :meth:`done` can refuse the rest."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise RulesError(path, tr("must be a table, got {got}", got=_fmt(data)))
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def sub(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def keys(self) -> list[str]:
        return list(self.data)

    def _get(self, name: str) -> Any:
        if name not in self.data:
            raise RulesError(self.sub(name), tr("missing"))
        self.used.add(name)
        return self.data[name]

    def table(self, name: str) -> _Table:
        return _Table(self._get(name), self.sub(name))

    def plain(self, name: str, kind: type | _ListOf) -> Any:
        return _convert(self.sub(name), self._get(name), kind)

    def basis_and_note(self) -> tuple[Basis, str]:
        """The ``basis`` and ``note`` keys of this table (a sourced value must name its source)."""
        if "basis" not in self.data:
            raise RulesError(
                self.sub("basis"), tr('missing: every value must say basis = "sourced" or "assumed"')
            )
        raw = self.plain("basis", str)
        if raw not in BASES:
            raise RulesError(
                self.sub("basis"), tr('must be "sourced" or "assumed", got {got}', got=_fmt(raw))
            )
        basis: Basis = "sourced" if raw == "sourced" else "assumed"
        note: str = self.plain("note", str) if "note" in self.data else ""
        if basis == "sourced" and not note.strip():
            raise RulesError(self.sub("note"), tr("a sourced value must name its source in note"))
        return basis, note

    def param(self, name: str, kind: type | _ListOf) -> Param[Any]:
        """A value written as ``name = { value = …, basis = "…", note = "…" }``."""
        key = self.sub(name)
        raw = self._get(name)
        if not isinstance(raw, Mapping):
            raise RulesError(
                key,
                tr(
                    'must be a table {{ value = …, basis = "sourced" | "assumed", note = "…" }}, got {got}',
                    got=_fmt(raw),
                ),
            )
        t = _Table(raw, key)
        t._get("value")
        value = _convert(key, raw["value"], kind)  # a bad value is reported under the parameter's key
        basis, note = t.basis_and_note()
        t.done()
        return Param(key, value, basis, note)

    def done(self) -> None:
        unknown = [k for k in self.data if k not in self.used]
        if unknown:
            raise RulesError(self.sub(unknown[0]), tr("unknown key"))


def _replace_value(p: Param[Any], value: Any) -> Param[Any]:
    return Param(p.key, value, p.basis, p.note)


def _check_positive(key: str, value: float) -> None:
    if value <= 0:
        raise RulesError(key, tr("must be greater than 0, got {got}", got=_fmt(value)))


def _check_at_most(key: str, value: float, limit: float) -> None:
    if value > limit:
        raise RulesError(
            key, tr("must not be greater than {limit}, got {got}", limit=f"{limit:g}", got=_fmt(value))
        )


def _check_non_negative(key: str, value: float) -> None:
    if value < 0:
        raise RulesError(key, tr("must not be negative, got {got}", got=_fmt(value)))


def _check_distinct(key: str, values: tuple[Any, ...]) -> None:
    if len(set(values)) != len(values):
        raise RulesError(key, tr("must not repeat a value, got {got}", got=", ".join(map(_fmt, values))))


def _check_order(lower: Param[Any], upper: Param[Any]) -> None:
    """``lower`` must not exceed ``upper`` (thresholds of a milder tier/level below a stricter one)."""
    if lower.value > upper.value:
        raise RulesError(
            lower.key,
            tr(
                "must not be greater than {other} ({limit}), got {got}",
                other=upper.key,
                limit=_fmt(upper.value),
                got=_fmt(lower.value),
            ),
        )
