"""Texts and links from the platform (or typed by a user) made safe to show.

* :func:`neutralise` removes the characters that change how the *rest* of a text is drawn: the
  bidirectional controls (an RTL override shows ``gnp.exe`` as ``exe.png``) and the other control
  characters, except line breaks and tabs. What remains is the text as it was typed, in reading order.
* :func:`https_link` accepts a picture or page address only when it is a plain ``https`` URL with a
  host: ``file:``, ``javascript:``, ``smb:``, ``data:``, ``http:`` and malformed addresses are refused
  (a click must never open a local file, run a script or reach a share).

Qt-free; the widgets still show such texts as plain text (never Qt's auto-detected rich text).
"""

from __future__ import annotations

import re
import urllib.parse

#: bidirectional formatting characters (embeddings, overrides, isolates, marks)
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
)
# C0 and C1 controls except tab and line feed, DEL, the bidi controls, line/paragraph separators
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")


def neutralise(text: object) -> str:
    """``text`` without bidirectional controls and other control characters (``None`` → ``""``)."""
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    return _UNSAFE.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))


def https_link(url: object) -> str | None:
    """``url`` when it is an ``https`` address with a host (safe to open in a browser), else ``None``."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    if not candidate or candidate != neutralise(candidate) or any(c.isspace() for c in candidate):
        return None
    try:
        parts = urllib.parse.urlsplit(candidate)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not host or parts.username or parts.password:
        return None
    return candidate
