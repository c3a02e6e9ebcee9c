"""Placeholders of translated widget texts are filled in one pass (desktop.ui.i18n.fill)."""

from __future__ import annotations

from desktop.ui.i18n import fill


def test_values_are_inserted_in_order_of_their_numbers():
    assert fill("%2 of %1 shops", 5, 3) == "3 of 5 shops"


def test_a_value_holding_a_placeholder_is_not_filled_again():
    # chained str.replace("%1", …).replace("%2", …) turned this into "双11完成折"
    assert fill("店铺 %1：%2", "双11%2折", "完成") == "店铺 双11%2折：完成"
    assert fill("%1 / %2", "%1", "%2") == "%1 / %2"


def test_a_missing_value_leaves_its_placeholder_visible():
    assert fill("%1 and %3", "a", "b") == "a and %3"


def test_two_digit_placeholders_and_repeats():
    values = [str(i) for i in range(1, 12)]
    assert fill("%11-%1-%1", *values) == "11-1-1"


def test_percent_signs_that_are_not_placeholders_stay():
    assert fill("100% 完成 %1", "ok") == "100% 完成 ok"
    assert fill("%0 %a %", 1) == "%0 %a %"
