"""Where the bundled rules file lives, for callers outside the domain layer.

The domain layer (:mod:`desktop.core.domain.rules`) validates a rules file but does not know the app's
paths; the composition root, ``check`` and the tests load the default file through here.
"""

from __future__ import annotations

from pathlib import Path

from desktop.core import paths
from desktop.core.domain.rules import Rules, load_rules


def default_rules_path() -> Path:
    """``resources/rules/kuaishou.toml`` (the source tree's or the bundle's copy)."""
    return paths.resource("rules", "kuaishou.toml")


def load_default_rules() -> Rules:
    """The bundled rules, validated (raises :class:`~desktop.core.domain.rules.RulesError`)."""
    return load_rules(default_rules_path())
