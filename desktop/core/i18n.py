"""Translations for texts produced below the Qt boundary (risk reasons, the ``check`` report…).

The Qt widgets use Qt Linguist (``self.tr``); the Qt-free core cannot, so it uses this small catalog:
source texts are English, and ``resources/translations/core-*.<lang>.json`` map them to the
translation (one file per area, merged). Chinese is the default language.

    from desktop.core.i18n import tr
    tr("{count} requests expire within {hours} h", count=3, hours=2)

``tests/unit/test_core_i18n.py`` checks that every literal passed to ``tr`` has a Chinese entry.
"""

from __future__ import annotations

import json
import logging
import threading

from desktop.core import paths

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")

_lock = threading.Lock()
_language = DEFAULT_LANGUAGE
_catalogs: dict[str, dict[str, str]] = {}


def set_language(lang: str) -> None:
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _language = lang


def language() -> str:
    return _language


def catalog(lang: str) -> dict[str, str]:
    """The merged catalog of ``lang`` (loaded once)."""
    with _lock:
        cat = _catalogs.get(lang)
        if cat is None:
            cat = {}
            if lang != "en":
                folder = paths.resource("translations")
                for file in sorted(folder.glob(f"core-*.{lang}.json")):
                    try:
                        cat.update(json.loads(file.read_text(encoding="utf-8")))
                    except (OSError, ValueError) as exc:  # a broken catalog must not stop the app
                        log.error("cannot read translation catalog %s: %s", file.name, exc)
            _catalogs[lang] = cat
        return cat


def tr(text: str, /, **values: object) -> str:
    """``text`` in the current language, with ``{name}`` fields filled from ``values``."""
    translated = catalog(_language).get(text, text) if _language != "en" else text
    return translated.format(**values) if values else translated
