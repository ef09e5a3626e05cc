"""Outside attack 2 on issue 17: ordinary initials typing after the ü spellings and nasal readings.

`ly` (initials l-y, the segmentation test in test_pinyin_engine says it is kept for 李阳) must offer 李阳:
today the 1037 candidates of `ly` in a name's surname position hold 李洋 (16th) but neither 李阳 nor 李杨
nor 李扬, while `lyang` ranks 李阳 third. The others held and are kept here as a guard."""
from __future__ import annotations

import pytest

from tests.pinyin_support import cached_engine


@pytest.fixture(scope="module")
def engine():
    eng = cached_engine()
    eng.load()
    return eng


def texts(engine, typed, kind, limit=None):
    return [c.text for c in engine.candidates(typed, limit, kind=kind)]


@pytest.mark.parametrize("name", ["李阳", "李杨"])
def test_ly_offers_li_yang(engine, name):
    got = texts(engine, "ly", "surname")
    assert name in got[:40], f"{name} at {got.index(name) if name in got else None} of {len(got)}"


@pytest.mark.parametrize("typed,name,within", [("wxm", "王小明", 5), ("wangwei", "王伟", 1), ("zhangwei", "张伟", 1),
                                              ("lina", "李娜", 1), ("lyang", "李阳", 5), ("zw", "张伟", 1)])
def test_common_names_still_first(engine, typed, name, within):
    assert name in texts(engine, typed, "surname", within)


@pytest.mark.parametrize("typed,char", [("lue", "略"), ("nue", "虐"), ("lyu", "吕"), ("nyu", "女"), ("lyue", "略"),
                                        ("en", "嗯")])
def test_u_umlaut_spellings_and_en(engine, typed, char):
    assert char in texts(engine, typed, "given", 6)
