"""Outside attack 16: a deny-listed name is not dodged by a punctuation mark, a symbol, a digit or a space
typed with it, nor by writing part of it in pinyin; and a different name does not start matching."""
from __future__ import annotations

import pytest

from kiosk.core import namefold
from kiosk.core.audit import Actor
from kiosk.visitors import service as visitors
from kiosk.visitors.service import SeeTheDesk

DESK = Actor("Li Na", None, "staff")


@pytest.mark.parametrize("typed", ["张三丰。", "张_三丰", "张三丰1", "张san丰", "zhang三丰", "张三feng", "張san豐",
                                   "张sanfeng", "😀张三丰", "张三丰!", "（张三丰）", "张-三-丰", "张\u200b三丰",
                                   "张三丰\u3000", "张·三·丰", "「张三丰」", "张三丰２", "ZHANG三丰"])
def test_a_listed_name_with_a_mark_symbol_digit_or_pinyin_part_is_stopped(db, clock, typed):
    visitors.add_to_deny_list(db, clock, DESK, name="张三丰", reason="r")
    with pytest.raises(SeeTheDesk):
        visitors.check_deny(db, clock, name=typed)
    assert db.execute("SELECT COUNT(*) FROM audit WHERE action = 'visitor.deny_match'").fetchone()[0] == 1


@pytest.mark.parametrize("typed", ["张三", "张三峰", "张san峰", "张三丰丰", "王三丰", "张三丰伟", "zhang三", "张sanfen",
                                   "三丰", "张三1丰2峰"])
def test_a_different_name_is_not_stopped(db, clock, typed):
    """A part (张三), another character of the same sound (张三峰: the deny list never compares two Han
    spellings by sound), a longer name, a pinyin part that is not the listed character's reading."""
    visitors.add_to_deny_list(db, clock, DESK, name="张三丰", reason="r")
    visitors.check_deny(db, clock, name=typed)


def test_a_polyphone_is_matched_by_any_of_its_readings():
    assert namefold.same_name("单雄信", "shan雄信") and namefold.same_name("单雄信", "dan雄信")
    assert not namefold.same_name("单雄信", "zhan雄信")


def test_digits_and_marks_alone_are_no_name():
    assert namefold.deny_key("123。！") == ""
    assert not namefold.same_name("张三丰", "123")
