"""Matching lost reports to held items on realistic Chinese and English descriptions."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from kiosk.lostfound import service as lostfound
from kiosk.core.audit import Actor
from kiosk.core.clock import FakeClock
from kiosk.lostfound.match import colour_key, suggest, tokens

DESK = Actor("desk", None, "staff")
ITEMS = [
    ("umbrella", "黑色长柄雨伞", "木质手柄，伞面有白色圆点", "黑色", "天堂"),
    ("umbrella", "Blue folding umbrella", "", "blue", ""),
    ("wallet", "Brown leather wallet", "initials K.L., library card inside", "brown", "Fossil"),
    ("wallet", "红色长款钱包", "里面有银行卡和会员卡", "红色", "Coach"),
    ("phone", "白色苹果手机", "透明手机壳，背面贴有猫咪贴纸", "白色", "Apple"),
    ("phone", "Black Samsung phone", "cracked screen corner", "black", "Samsung"),
    ("keys", "钥匙串三把", "红色挂件，汽车钥匙", "", ""),
    ("clothing", "Navy blue jacket", "size L, golf club logo on chest", "navy", "Nike"),
]
# (report, expected best item's description)
CASES = [
    (("umbrella", "丢了一把黑色雨伞，长柄的", "手柄是木头的", "黑", ""), "黑色长柄雨伞"),
    (("umbrella", "blue umbrella, folds small", "", "Blue", ""), "Blue folding umbrella"),
    (("wallet", "我的钱包是红色的长款", "有银行卡", "红", "coach"), "红色长款钱包"),
    (("wallet", "Lost my wallet, brown leather", "has my library card", "brown", ""), "Brown leather wallet"),
    (("phone", "iPhone, white", "猫咪贴纸的手机壳", "white", "apple"), "白色苹果手机"),
    (("phone", "Samsung phone with a cracked screen", "", "black", "Samsung"), "Black Samsung phone"),
    (("keys", "一串钥匙，有汽车钥匙", "红色挂件", "", ""), "钥匙串三把"),
    (("clothing", "dark blue jacket with the club logo", "size L", "blue", "nike"), "Navy blue jacket"),
]


@pytest.fixture
def items(db):
    clock = FakeClock(datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc))
    out = []
    for category, description, features, colour, brand in ITEMS:
        out.append(lostfound.register_item(db, clock, DESK, "Asia/Shanghai", category=category,
                                           description=description, features=features, colour=colour, brand=brand,
                                           found_place="lobby", handed_in_kind="staff", handed_in_name="desk",
                                           storage="A1"))
    return out


def report(category, description, features, colour, brand, lost_on=date(2026, 11, 19)):
    return {"category": category, "description": description, "features": features, "colour": colour,
            "brand": brand, "lost_on": lost_on.isoformat()}


@pytest.mark.parametrize("case,expected", CASES, ids=[c[1] for c in CASES])
def test_known_right_answers_come_first(items, case, expected):
    matches = suggest(report(*case), items)
    assert matches, "no suggestion"
    assert matches[0].item.description == expected
    assert matches[0].reasons[0] == "category"


def test_explanations_read_like_the_desk_would_say_them(items):
    [best, *_] = suggest(report("umbrella", "丢了一把黑色雨伞，长柄的", "手柄是木头的", "黑", ""), items)
    assert best.explanation.startswith("category, colour, ") and best.explanation.endswith("words")


def test_outside_the_date_window_or_other_category_is_not_suggested(items):
    late = report("umbrella", "black umbrella", "", "black", "", lost_on=date(2026, 12, 30))
    assert suggest(late, items) == []
    assert all(m.item.category == "keys" for m in suggest(report("keys", "钥匙", "红色挂件", "红", ""), items))


def test_tokens_and_colours():
    assert tokens("黑色雨伞") == {"黑色", "色雨", "雨伞"}
    assert tokens("The Blue umbrella") == {"blue", "umbrella"}
    assert colour_key("黑色") == colour_key("Black") == colour_key("黑")
    assert colour_key("navy") == colour_key("蓝色")
