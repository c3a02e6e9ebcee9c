"""The rules file (``resources/rules/kuaishou.toml``): stage limits, warning tiers, classification
settings and the risk model's thresholds, every value tagged ``sourced`` or ``assumed``.

:func:`load_rules` reads and validates it; any problem raises :class:`RulesError` naming the key
(``risk.high.m2_rate``) and what is wrong with it. The result is a tree of frozen dataclasses; each
threshold is a :class:`Param` so the UI can show its basis beside it.

By role: :mod:`~desktop.core.domain.rules.model` holds the records and the names the file may use,
:mod:`~desktop.core.domain.rules.parse` reads and validates a file; this package re-exports both.

This package does not know where the app's resources live (the domain layer imports no path helper):
the caller passes the path, normally ``desktop.core.rulesfile.default_rules_path()``.
"""

from __future__ import annotations

from desktop.core.domain.rules.model import (
    BASES,
    DAY_MS,
    GUARD_STAGES,
    HOUR_MS,
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
from desktop.core.domain.rules.parse import load_rules, parse_rules

__all__ = [
    "BASES",
    "DAY_MS",
    "GUARD_STAGES",
    "HOUR_MS",
    "LIMITED_STAGES",
    "SANCTIONS",
    "SCHEMA_VERSION",
    "Basis",
    "ClassifyRules",
    "Exposure",
    "GuardRules",
    "LevelThresholds",
    "Param",
    "RiskRules",
    "RiskWindows",
    "Rules",
    "RulesError",
    "StageLimit",
    "UrgencyTiers",
    "Warnings",
    "WatchThresholds",
    "load_rules",
    "parse_rules",
]
