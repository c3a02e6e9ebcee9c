"""Platform texts and links made safe to show: no bidi tricks, only https links."""

from __future__ import annotations

import pytest

from desktop.core.textsafe import https_link, neutralise


@pytest.mark.parametrize(
    "control",
    [
        "\u202e",
        "\u202d",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
    ],
)
def test_bidi_controls_are_removed(control):
    assert neutralise(f"photo{control}gnp.exe") == "photognp.exe"


def test_other_controls_go_line_breaks_and_tabs_stay():
    assert neutralise("a\x00b\x1bc\x7fd\x85e\u2028f") == "abcdef"
    assert neutralise("一行\r\n二行\r三行\t尾") == "一行\n二行\n三行\t尾"
    assert neutralise(None) == "" and neutralise(12) == "12"
    assert neutralise("保温杯 <b>500ml</b>") == "保温杯 <b>500ml</b>"  # markup is escaped where shown


@pytest.mark.parametrize(
    "url", ["https://img.example/1.jpg", "HTTPS://img.example/a.png?x=1#y", "https://[::1]:8443/p.jpg"]
)
def test_https_links_are_accepted(url):
    assert https_link(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///C:/x.png",
        "javascript:alert(1)",
        "smb://host/share",
        "data:image/png;base64,AAAA",
        "http://img.example/1.jpg",
        "//img.example/1.jpg",
        "img.example/1.jpg",
        "https://",
        "https:///path",
        "https://user:pw@img.example/",
        "https://img.example:99999/",
        "https://img.example/\u202egpj.exe",
        "https://img.ex ample/",
        "",
        None,
        12,
        ["https://x.example"],
    ],
)
def test_everything_else_is_refused(url):
    assert https_link(url) is None
