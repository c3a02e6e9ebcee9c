"""The rules file (``resources/rules/kuaishou.toml``): stage limits, warning tiers, classification
settings and the risk model's thresholds, every value tagged ``sourced`` or ``assumed``.

:func:`load_rules` reads and validates it; any problem raises :class:`RulesError` naming the key
(``risk.high.m2_rate``) and what is wrong with it. The result is a tree of frozen dataclasses; each
threshold is a :class:`Param` so the UI can show its basis beside it.

This module does not know where the app's resources live (the domain layer imports no path helper):
the caller passes the path, normally ``desktop.core.rulesfile.default_rules_path()``.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from desktop.core.i18n import tr

Basis = Literal["sourced", "assumed"]
BASES: tuple[str, ...] = ("sourced", "assumed")

#: stages that may carry a fallback limit (the merchant's and the buyer's clocks of rules doc §2)
LIMITED_STAGES: tuple[str, ...] = (
    "review_refund_only",
    "review_return",
    "review_exchange",
    "review_resend",
    "review_repair",
    "confirm_receipt",
    "reject_intercept",
    "buyer_return",
)

#: the sanctions the notice of 2023-05-09 lists (texts in :mod:`desktop.core.domain.risk`)
SANCTIONS: tuple[str, ...] = (
    "warning",
    "compulsory_training",
    "compulsory_exam",
    "penalty_points",
    "freight_claims_by_platform",
    "cart_suspended",
    "penalty_payment",
    "refund_handling_removed",
    "clearance",
)

SCHEMA_VERSION = 1
HOUR_MS = 3_600_000
DAY_MS = 86_400_000

T = TypeVar("T")


class RulesError(ValueError):
    """The rules file is unusable; ``key`` is the dotted key at fault (``""`` for the whole file),
    ``path`` the file (set by :func:`load_rules`). ``str()`` names all three: file, key, problem."""

    def __init__(self, key: str, problem: str, *, path: str | None = None) -> None:
        super().__init__(problem)
        self.key = key
        self.problem = problem
        self.path = path

    def __str__(self) -> str:
        where = f"{self.key}: {self.problem}" if self.key else self.problem
        return f"{self.path}: {where}" if self.path else where


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


# ------------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class Param(Generic[T]):
    """One configured value with where it comes from."""

    key: str  # dotted key in the file, e.g. "risk.high.m2_rate"
    value: T
    basis: Basis
    note: str = ""


@dataclass(frozen=True, slots=True)
class StageLimit:
    stage: str
    limit_hours: float
    basis: Basis
    note: str = ""

    @property
    def key(self) -> str:
        return f"stages.{self.stage}.limit_hours"

    @property
    def limit_ms(self) -> int:
        return round(self.limit_hours * HOUR_MS)


@dataclass(frozen=True, slots=True)
class UrgencyTiers:
    critical_hours: Param[float]
    urgent_hours: Param[float]
    warn_hours: Param[float]


@dataclass(frozen=True, slots=True)
class Warnings:
    alert_hours: Param[tuple[float, ...]]  # descending, e.g. (24, 6, 2, 0.5)
    urgency: UrgencyTiers


@dataclass(frozen=True, slots=True)
class ClassifyRules:
    fast_refund_max_seconds: Param[int]
    system_roles: Param[tuple[str, ...]]  # casefolded


@dataclass(frozen=True, slots=True)
class RiskWindows:
    days: Param[tuple[int, ...]]  # ascending
    m1_short_days: Param[int]
    m1_long_days: Param[int]
    m2_days: Param[int]
    m5_days: Param[int]
    series_days: Param[int]


@dataclass(frozen=True, slots=True)
class LevelThresholds:
    """Thresholds of the "high" or "elevated" level (any one reached → the level)."""

    m1_long: Param[int]
    m1_short: Param[int]
    m2_rate: Param[float]
    m4_weeks: Param[int]


@dataclass(frozen=True, slots=True)
class WatchThresholds:
    m1_long: Param[int]
    pending_hours_left: Param[float]
    m5_p90_hours: Param[float]


@dataclass(frozen=True, slots=True)
class Exposure:
    high: Param[tuple[str, ...]]
    elevated: Param[tuple[str, ...]]
    watch: Param[tuple[str, ...]]

    def for_level(self, level: str) -> Param[tuple[str, ...]] | None:
        return {"high": self.high, "elevated": self.elevated, "watch": self.watch}.get(level)


@dataclass(frozen=True, slots=True)
class RiskRules:
    windows: RiskWindows
    m2_min_requests: Param[int]
    backlog_hours: Param[tuple[float, ...]]  # descending, e.g. (24, 6, 2)
    high: LevelThresholds
    elevated: LevelThresholds
    watch: WatchThresholds
    exposure: Exposure


@dataclass(frozen=True, slots=True)
class GuardRules:
    """The guard's rule (agree a request shortly before its deadline instead of letting the platform
    auto-approve it) and the defaults of its policy (rules doc: the lead time and caps are assumed)."""

    rule: Param[str]
    lead_minutes: Param[int]
    max_fee_yuan: Param[float]
    daily_count: Param[int]
    daily_yuan: Param[float]
    pre_notice_minutes: Param[int]
    stale_minutes: Param[int]
    default_stages: Param[tuple[str, ...]]


#: the stages the guard may act on (the names ``check --json`` uses)
GUARD_STAGES: tuple[str, ...] = ("review_refund_only", "review_return", "review_exchange", "confirm_receipt")

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


@dataclass(frozen=True, slots=True)
class Rules:
    schema_version: int
    stages: Mapping[str, StageLimit]
    warnings: Warnings
    classify: ClassifyRules
    risk: RiskRules
    forecast_horizons_hours: Param[tuple[int, ...]]  # ascending
    guard: GuardRules | None = None  # None only for hand-built rules: see :func:`_guard`

    def stage_limit(self, stage: str) -> StageLimit | None:
        return self.stages.get(stage)


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
        basis = self.plain("basis", str)
        if basis not in BASES:
            raise RulesError(
                self.sub("basis"), tr('must be "sourced" or "assumed", got {got}', got=_fmt(basis))
            )
        note = self.plain("note", str) if "note" in self.data else ""
        if basis == "sourced" and not note.strip():
            raise RulesError(self.sub("note"), tr("a sourced value must name its source in note"))
        return basis, note  # type: ignore[return-value]

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
