"""Every text the Qt-free core shows to users has a Chinese translation."""

import ast
import pathlib

from desktop.core import i18n

ROOT = pathlib.Path(__file__).resolve().parents[2] / "desktop"


def _tr_literals():
    for file in sorted(ROOT.rglob("*.py")):
        if "ui" in file.relative_to(ROOT).parts[:1]:
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("tr", "_tr")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield file.relative_to(ROOT.parent), node.args[0].value


def test_every_core_text_has_a_chinese_translation():
    missing = [f"{f}: {t!r}" for f, t in _tr_literals() if t not in i18n.catalog("zh_CN")]
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_translation_placeholders_match_the_source():
    import string

    fmt = string.Formatter()
    for source, target in i18n.catalog("zh_CN").items():
        names = lambda s: sorted(n for _, n, _, _ in fmt.parse(s) if n)  # noqa: E731
        assert names(source) == names(target), source


def test_language_switch_and_fallback(monkeypatch):
    monkeypatch.setitem(i18n._catalogs, "zh_CN", {"{n} left": "剩余 {n}"})
    i18n.set_language("zh_CN")
    assert i18n.tr("{n} left", n=3) == "剩余 3"
    assert i18n.tr("not in the catalog") == "not in the catalog"
    i18n.set_language("en")
    try:
        assert i18n.tr("{n} left", n=3) == "3 left"
    finally:
        i18n.set_language("zh_CN")
