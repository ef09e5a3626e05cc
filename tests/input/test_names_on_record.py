"""Given names by position (issue 17): the names on record in jieba's dictionary (words it tags nr)
counted by where a character stands; the first given-name character says which population a name is
likelier from and so moves the later ones (伯 -> names of history: 之; 梓 -> living people's), and a
given name someone on record has (伯仁) pairs like a word. Real data, real engine."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.input import pinyin
from tests.pinyin_support import cached_engine


@pytest.fixture(scope="module")
def engine():
    return cached_engine().load()


@pytest.fixture(scope="module")
def record():
    return pinyin.load_name_positions(set(pinyin.SURNAMES) | set(pinyin.load_surname_freq()))


def test_the_counts_say_where_a_character_stands(record):
    first, last, pairs = record
    assert sum(first.values()) == sum(last.values()) > 10_000  # one first and one last per name
    assert first["伯"] > 1.5 * last["伯"] and first["仲"] > 3 * last["仲"]  # 伯 and 仲 lead
    assert last["之"] > first["之"]                                                  # 之 ends
    assert "小宝" in pairs and "国荣" in pairs
    assert not any(len(p) != 2 for p in pairs)


def test_held_out_names_are_left_out_of_every_count(record):
    first, last, pairs = record
    surnames = set(pinyin.SURNAMES) | set(pinyin.load_surname_freq())
    # 韦小宝 and 韦一笑 are on record (jieba tags them nr); 不是名字 is no name: leaving it out changes nothing
    f2, l2, p2 = pinyin.load_name_positions(surnames, held_out=["韦小宝", "韦一笑", "不是名字"])
    assert f2["小"] == first["小"] - 1 and l2["宝"] == last["宝"] - 1
    assert f2["一"] == first["一"] - 1 and l2["笑"] == last["笑"] - 1
    changed = {ch for ch in first if f2.get(ch) != first[ch]} | {ch for ch in last if l2.get(ch) != last[ch]}
    assert changed == {"小", "宝", "一", "笑"}
    assert p2 <= pairs and len(pairs) - len(p2) <= 2


def test_a_first_character_of_history_brings_the_endings_of_history(engine):
    index = engine._require()
    assert pinyin._era_factor(index, "伯", "之") > 5.0       # 伯之, 伯仁: names on record
    # a first character nobody on record has (梓) leaves the later one to ngender's counts, near enough
    assert all(0.9 < pinyin._era_factor(index, "梓", ch) < 1.1 for ch in "之涵轩仁")
    assert pinyin._era_factor(index, "伯", "涵") < 0.6     # and makes a living girl's ending less likely
    after_bo = [c.text for c in engine.candidates("zhi", None, "given", before="王伯")]
    after_zi = [c.text for c in engine.candidates("zhi", None, "given", before="王梓")]
    assert after_bo.index("之") < after_zi.index("之")
    assert set(after_bo) == set(after_zi)                    # re-ranked, nothing added or dropped


def test_a_given_name_on_record_pairs_like_a_word(engine):
    index = engine._require()
    assert "伯仁" in index.name_pairs and "伯仁" not in index.pairs
    assert pinyin._after(index, "伯", "仁") >= pinyin.NAME_PAIR_WEIGHT * pinyin._era_factor(index, "伯", "仁") * 0.5
    assert [c.text for c in engine.candidates("ren", 1, "given", before="周伯")] == ["仁"]


def test_living_peoples_names_keep_their_place(engine):
    # the first given-name character is still ranked by ngender's counts alone: the names on record
    # put 裕 and 育 before 钰 when they were mixed in there
    for syl, ch, place in (("wei", "伟", 0), ("zi", "梓", 1), ("hao", "浩", 0), ("yu", "钰", 5), ("rui", "睿", 1)):
        assert ch in [c.text for c in engine.candidates(syl, place + 1, "given", before="王")], syl
    # after a living person's first character the ending is theirs: 梓 + han is 涵, 子 + xuan is 轩
    assert engine.candidates("han", 1, "given", before="王梓")[0].text == "涵"
    assert engine.candidates("xuan", 1, "given", before="王子")[0].text == "轩"


@settings(deadline=500, max_examples=200)
@given(st.data())
def test_the_factor_after_any_pair_of_name_characters_is_finite(data):
    index = cached_engine().load()._require()
    chars = sorted(index.eras)
    prev = data.draw(st.sampled_from(chars))
    ch = data.draw(st.sampled_from(chars + ["", "a", "🙂"]))
    # the names on record never rule a character out (smoothed counts); the sex model may (a first
    # character only men have and one only women have: 0.0), which only orders, never drops
    era = pinyin._era_factor(index, prev, ch)
    assert math.isfinite(era) and era > 0
    factor = pinyin._after(index, prev, ch)
    assert math.isfinite(factor) and factor >= 0


def test_an_engine_with_held_out_names_is_built_afresh_and_never_cached(tmp_path, engine):
    # 伯仁 is the given name of two men on record (宋伯仁, 文伯仁): hold both out and it is no one's
    assert {w for w in _on_record_with_given("伯仁")} == {"宋伯仁", "文伯仁"}
    held = pinyin.PinyinEngine(cache_dir=tmp_path, held_out=["宋伯仁", "文伯仁"]).load()
    assert not held.loaded_from_cache and not list(tmp_path.iterdir())
    assert "伯仁" in engine._require().name_pairs and "伯仁" not in held._require().name_pairs
    assert held.candidates("ren", None, "given", before="宋伯")  # still a working engine


def _on_record_with_given(given: str) -> list[str]:
    """Words of jieba's dictionary tagged nr that end in `given` (read here, apart from the engine)."""
    out = []
    with open(pinyin._jieba_dict_path(), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "nr" and parts[0].endswith(given) and len(parts[0]) in (3, 4):
                out.append(parts[0])
    return out
