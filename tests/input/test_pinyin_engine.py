"""Pinyin engine: segmentation, ranking for names, word-by-word picking, cache, speed."""
from __future__ import annotations

import statistics
import time

import pytest

from kiosk.input import pinyin
from kiosk.input.pinyin import PinyinEngine, segment
from tests.pinyin_support import cached_engine as shared_test_engine


@pytest.fixture(scope="module")
def engine() -> PinyinEngine:
    eng = shared_test_engine()
    eng.load()
    return eng


def texts(engine, typed, limit=10):
    return [c.text for c in engine.candidates(typed, limit)]


def test_segmentation_plain_ambiguous_and_abbreviated(engine):
    assert engine.segment("wangxiaoming") == [["wang", "xiao", "ming"]]
    assert engine.segment("xian") == [["xian"]]          # one syllable beats xi+an
    assert engine.segment("xi'an") == [["xi", "an"]]     # the apostrophe forces the split
    assert engine.segment("fangan") == [["fang", "an"], ["fan", "gan"]]  # both readings kept
    assert engine.segment("wxm") == [["w", "x", "m"]]    # initials are not swallowed by 呣 "m"
    assert engine.segment("wangxm") == [["wang", "x", "m"]]
    assert engine.segment("zhangs") == [["zhang", "s"]]
    assert engine.segment("lv") == [["lv"]]
    assert engine.segment("WANG") == [["wang"]]
    assert engine.segment("") == [] and engine.segment("123") == []
    # the module function works without a loaded index too
    assert segment("beijing") == [["bei", "jing"]]


@pytest.mark.parametrize("typed,surname", [("wang", "王"), ("li", "李"), ("zhang", "张"), ("chen", "陈"),
                                           ("liu", "刘"), ("yang", "杨"), ("huang", "黄"), ("zhao", "赵"),
                                           ("wu", "吴"), ("zhou", "周")])
def test_common_surnames_rank_first(engine, typed, surname):
    assert texts(engine, typed, 1) == [surname]


def test_words_and_ambiguous_inputs(engine):
    assert texts(engine, "zhongguo")[0] == "中国"
    assert texts(engine, "beijing")[0] == "北京"
    assert texts(engine, "nihao")[0] == "你好"
    assert "西安" in texts(engine, "xi'an", 2)
    assert {"方案", "反感"} <= set(texts(engine, "fangan", 4))
    assert "绿" in texts(engine, "lv") and "女" in texts(engine, "nv", 1)


def test_full_name_first_candidates_and_picking_word_by_word(engine):
    assert "王晓明" in texts(engine, "wangxiaoming", 3)
    # Pick as a visitor would: 王, then 小, then 明 (小明 is not a dictionary word).
    typed, result = "wangxiaoming", ""
    for wanted in ("王", "小", "明"):
        cands = engine.candidates(typed, 20)
        pick = next(c for c in cands if c.text == wanted)
        result += pick.text
        typed = typed[pick.consumed:]
    assert result == "王小明" and typed == ""
    # Given names and surname + given-name pairs come whole, near the top.
    assert "小明" in texts(engine, "xiaoming", 6) and "张伟" in texts(engine, "zhangwei", 3)
    # a whole-input candidate consumes everything; a leading one leaves the rest
    whole = engine.candidates("zhangsan", 5)
    assert whole[0].consumed == len("zhangsan")
    lead = next(c for c in engine.candidates("zhangsan", 30) if c.text == "张")
    assert "zhangsan"[lead.consumed:] == "san"
    after_apostrophe = next(c for c in engine.candidates("xi'an", 30) if c.text == "西")
    assert "xi'an"[after_apostrophe.consumed:] == "an"


def test_abbreviations(engine):
    assert "王晓明" in texts(engine, "wxm", 10)
    assert "王晓明" in texts(engine, "wangxm", 10)
    assert "中国" in texts(engine, "zg", 5)
    assert texts(engine, "zhongg", 1) == ["中国"]


def test_cache_round_trip_and_stale_cache(tmp_path):
    cold = PinyinEngine(cache_dir=tmp_path, max_words=20_000).load()
    assert not cold.loaded_from_cache and (tmp_path / pinyin.CACHE_NAME).exists()
    warm = PinyinEngine(cache_dir=tmp_path, max_words=20_000).load()
    assert warm.loaded_from_cache
    assert [c.text for c in warm.candidates("wangxm", 20)] == [c.text for c in cold.candidates("wangxm", 20)]
    print(f"\npinyin load (20k words): cold {cold.load_seconds:.2f} s, cached {warm.load_seconds:.3f} s")
    # built from other data (a different size) -> rebuilt, not trusted
    assert not PinyinEngine(cache_dir=tmp_path, max_words=10_000).load().loaded_from_cache
    # a damaged cache is rebuilt, never a crash
    (tmp_path / pinyin.CACHE_NAME).write_bytes(b"not a pickle")
    again = PinyinEngine(cache_dir=tmp_path, max_words=10_000).load()
    assert not again.loaded_from_cache and again.candidates("wang", 1)[0].text == "王"


def test_background_load_returns_at_once_and_calls_back(tmp_path):
    eng = PinyinEngine(cache_dir=tmp_path, max_words=5_000)
    called = []
    start = time.perf_counter()
    ready = eng.load_in_background(called.append)
    assert time.perf_counter() - start < 0.05
    assert ready.wait(60) and called == [eng] and eng.error is None
    later = []
    eng.load_in_background(later.append)  # already loaded: called straight away
    assert later == [eng]


def test_lookup_speed_after_load(engine):
    inputs = ["wang", "wangxiaoming", "wxm", "zhangsan", "lixiaohong", "chenjianguo", "xi'an",
              "zhongguorenmin", "liu", "zh", "s"]
    times = []
    for _ in range(10):
        for typed in inputs:
            start = time.perf_counter()
            engine.candidates(typed, 60)
            times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[int(len(times) * 0.95)]
    print(f"\ncandidates p50 {statistics.median(times) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms")
    assert p95 <= 0.020


def test_nasal_readings_and_u_umlaut_spellings_are_found_but_never_become_syllables(engine):
    """Outside attack 17.4: 嗯 (ń ňg only) was offered by no input; lue/nue and the passport's
    LYU/NYU found nothing. The nasals are found as the letters typed, not as syllables of their own."""
    assert "嗯" in texts(engine, "en", 4) and "嗯" in texts(engine, "ng", 6)
    assert "哼" in texts(engine, "hng", 3)
    assert engine.segment("wxm") == [["w", "x", "m"]] and "n" not in engine._require().syllables
    assert texts(engine, "lue", 1) == ["略"] and texts(engine, "nue", 1) == ["虐"]
    assert "吕" in texts(engine, "lyu", 3) and texts(engine, "nyu", 1) == ["女"]
    assert texts(engine, "lyuyou", 1) == texts(engine, "lvyou", 1) == ["旅游"]
    assert engine.segment("lu'er") == [["lu", "er"]] and texts(engine, "luer", 1) != ["略"]
    # the other spellings are whole syllables only: "ly" / "ny" stay the initials l-y, n-y (李阳)
    assert engine.segment("ly") == [["l", "y"]] and engine.segment("ny") == [["n", "y"]]
