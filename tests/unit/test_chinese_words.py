"""The Chinese interface speaks Chinese: no translation of the window's texts carries English words or
API field names (``expireTime``, ``appKey``…), and no core text shown in the app names an API field.
Kept: product names (CSV, Excel, Lark), shortcuts, addresses, the words the chat apps' own Chinese screens use
(Webhook) and the key prefixes a seller types or pastes (ks, SEC)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from desktop.core import paths

#: what a Chinese seller does see in Latin letters
_ALLOWED = re.compile(
    r"%\d|%n|\{[a-z_]+\}|\(&[A-Za-z]\)|CSV|Excel|Ctrl\+Shift\+[A-Z]|https?://\S+|\bhttps?\b|\*\.csv|\.csv|以 ks 开头|以 SEC 开头|Webhook|\bLark\b"
)
_API_FIELD = re.compile(r"\b[a-z]+[A-Z][A-Za-z]+\b")  # camelCase: expireTime, appKey, signSecret


def _ts_translations() -> list[tuple[str, str]]:
    root = ET.parse(paths.resource("translations", "aftersale-watch_zh_CN.ts")).getroot()
    out = []
    for ctx in root:
        for message in ctx.findall("message"):
            tr = message.find("translation")
            for text in [tr.text or ""] + [n.text or "" for n in tr.findall("numerusform")]:
                if text.strip():
                    out.append((ctx.find("name").text, text))
    return out


def test_the_window_texts_in_chinese_have_no_english_words():
    english = [
        (ctx, text) for ctx, text in _ts_translations() if re.search(r"[A-Za-z]{2,}", _ALLOWED.sub("", text))
    ]
    assert english == []


def test_no_chinese_text_names_an_api_field():
    found = [text for _ctx, text in _ts_translations() if _API_FIELD.search(_ALLOWED.sub("", text))]
    for file in sorted(paths.resource("translations").glob("core-*.zh_CN.json")):
        found += [
            f"{file.name}: {v}"
            for v in json.loads(file.read_text(encoding="utf-8")).values()
            if _API_FIELD.search(v)
        ]
    assert found == []
