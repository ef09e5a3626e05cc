"""Name-aware pinyin (issue 17): every GB 2312 character reachable from each of its readings, with
no cut-off; surname readings first; compound surnames; whole names and initials; handwriting."""
from __future__ import annotations

import time

import pytest

from tests.pinyin_support import cached_engine


@pytest.fixture(scope="module")
def engine():
    return cached_engine().load()


def first(engine, pinyin, kind="surname"):
    return [c.text for c in engine.candidates(pinyin, 6, kind)]


@pytest.mark.parametrize("ch,syl", [("曾", "zeng"), ("单", "shan"), ("查", "zha"), ("翟", "zhai"),
                                    ("朴", "piao"), ("闫", "yan"), ("王", "wang")])
def test_surname_readings_come_first_in_the_surname_position(engine, ch, syl):
    assert first(engine, syl)[0] == ch


@pytest.mark.parametrize("ch,syl,above", [("解", "xie", "谢"), ("仇", "qiu", "邱"), ("覃", "qin", "秦"),
                                          ("区", "ou", "欧")])
def test_rarer_surname_readings_are_on_the_first_page_after_the_commoner_surname(engine, ch, syl, above):
    page = first(engine, syl)
    assert page[0] == above and ch in page[:3]


@pytest.mark.parametrize("word,pinyin", [("欧阳", "ouyang"), ("司马", "sima"), ("诸葛", "zhuge"),
                                         ("上官", "shangguan"), ("尉迟", "yuchi"), ("万俟", "moqi")])
def test_compound_surnames_are_offered_first(engine, word, pinyin):
    assert first(engine, pinyin)[0] == word


def test_whole_name_and_initials(engine):
    assert "王晓明" in first(engine, "wangxiaoming")
    assert "王晓明" in first(engine, "wxm")
    assert "单钰" in [c.text for c in engine.candidates("shanyu", 12, "surname")]


def test_given_name_position_ranks_by_name_frequency(engine):
    # 钰 was 86th for yu: now on the first page of a name field
    assert "钰" in first(engine, "yu", "given")
    assert first(engine, "wei", "given")[0] == "伟"
    # other fields keep the general ranking: 于/与 before the name character
    assert first(engine, "yu", "general")[0] != "钰"


def test_surname_position_follows_the_population_table(engine):
    from kiosk.input.pinyin import load_surname_freq
    table = load_surname_freq()
    assert len(table) >= 300 and table["王"] > table["闫" if "闫" in table else "阎"] > 0
    # surnames our own list lacked are now in front of common words with the same reading
    for ch, syl in (("傅", "fu"), ("俞", "yu"), ("倪", "ni"), ("包", "bao"), ("关", "guan"), ("章", "zhang")):
        assert ch in first(engine, syl), (ch, first(engine, syl))
    assert first(engine, "yan")[0] == "闫"   # the everyday form of 阎 takes the table's share
    assert first(engine, "xiao")[0] == "肖"


def test_initials_in_a_name_field_split_into_letters(engine):
    # "zhm" is zh-m by the cheapest parse and z-h-m as initials: both are offered
    names = [c.text for c in engine.candidates("zhm", 40, "surname")]
    assert any(len(t) == 3 and t[0] == "张" for t in names) and any(len(t) == 2 for t in names)
    # a full syllable stays one: "zhang" offers no z-h-a-n-g words
    assert [c.text for c in engine.candidates("zhang", 6, "surname")][0] == "张"
    assert not [c for c in engine.candidates("zhang", 40, "surname") if len(c.text) >= 4]
    # "sh" alone is still the prefix of 石/沈/史, not two initials
    assert all(len(c.text) == 1 for c in engine.candidates("sh", 6, "surname"))


def test_the_second_given_character_pairs_with_the_first(engine):
    from kiosk.input.pinyin import _given_context
    # 建 + guo: 国 (建国 is a word) first; with nothing before, name frequency alone decides
    assert [c.text for c in engine.candidates("guo", 6, "given", before="王建")][0] == "国"
    assert [c.text for c in engine.candidates("qiang", 6, "given", before="李志")][0] == "强"
    plain = [c.text for c in engine.candidates("guo", 6, "given")]
    assert plain == [c.text for c in engine.candidates("guo", 6, "given", before="王")]  # surname only
    assert plain == [c.text for c in engine.candidates("guo", 6, "given", before="欧阳")]  # compound
    # the context never drops a candidate, only reorders
    a = {c.text for c in engine.candidates("yu", None, "given", before="王建")}
    assert a == {c.text for c in engine.candidates("yu", None, "given")}
    # hostile text before the cursor: emoji, control bytes, Latin, a pasted page
    for before in ("", "🙂", "王\x00建", "Ann Lee", "王" * 10_000, "ｗａｎｇ", "欧", "欧阳建"):
        ctx = _given_context(before)
        assert ctx == "" or ("\u4e00" <= ctx <= "\u9fff")
        engine.candidates("guo", 6, "given", before=before)
    assert _given_context("欧阳建") == "建" and _given_context("欧阳") == "" and _given_context("王") == ""


def test_the_second_given_character_follows_the_first_ones_sex_and_a_word_is_a_weight(engine):
    """A name's characters share its bearer's sex (ngender's counts by sex): after a woman's
    character a woman's is likelier, after a man's less so; a word of the two weighs, never forces
    (廷尉 is a word, yet 张廷 + yu is 玉; 青虾 is shrimp, 林青 + xia is 霞)."""
    from kiosk.input.pinyin import PAIR_WEIGHT, _after
    index = engine._require()
    assert _after(index, "婷", "娜") > 1.5 and _after(index, "军", "娜") < 0.7
    assert _after(index, "军", "强") > 1.0 > _after(index, "婷", "强")
    assert _after(index, "建", "国") > PAIR_WEIGHT * 0.9  # a word, a man's pair
    assert _after(index, "🙂", "国") == 1.0 and _after(index, "建", "🙂") == 1.0  # no data: no change
    assert engine.candidates("yu", 1, "given", before="张廷")[0].text == "玉"
    assert engine.candidates("xia", 1, "given", before="林青")[0].text == "霞"
    # the whole name from initials weighs the pair too: 王建国 first for wjg
    assert engine.candidates("wjg", 1, "surname")[0].text == "王建国"
    # a desk's own counts update the context's order, not the plain one
    from kiosk.input import learned
    found = tuple(engine.candidates("yu", None, "given", before="张廷"))
    same = learned.rerank(found, {"玉": 3}, 2, lambda ch: _after(index, "廷", ch))
    assert same[0].text == "玉" and sorted(c.text for c in same) == sorted(c.text for c in found)


def _charset():
    """The 8,105 General Standard characters with their table readings, plus GB 2312's 6,763 hanzi
    (rows 16-87) with pypinyin's, each reading as a toneless syllable."""
    from pypinyin.pinyin_dict import pinyin_dict

    from kiosk.input.pinyin import _toneless, general_standard
    chars: dict[str, set[str]] = {}
    standard = general_standard()
    for ch, readings in standard.items():
        chars.setdefault(ch, set()).update(filter(None, map(_toneless, readings.split(","))))
    gb = 0
    for code, readings in pinyin_dict.items():
        ch = chr(code)
        try:
            raw = ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if len(raw) == 2 and 0xB0 <= raw[0] <= 0xF7:
            gb += 1
            chars.setdefault(ch, set()).update(filter(None, map(_toneless, readings.split(","))))
    return chars, len(standard), gb


def test_every_character_is_reachable_from_each_reading_without_cut_off(engine):
    chars, standard, gb = _charset()
    assert standard == 8105 and gb == 6763
    by_syllable: dict[str, set[str]] = {}
    for ch, syls in chars.items():
        for syl in syls:
            by_syllable.setdefault(syl, set()).add(ch)
    missing = []
    for syl, wanted in by_syllable.items():
        for kind in ("general", "surname", "given"):
            offered = {c.text for c in engine.candidates(syl, None, kind)}
            lost = wanted - offered
            if lost:
                missing.append((syl, kind, "".join(sorted(lost))))
    assert not missing, missing[:10]


def test_hostile_inputs_end_quickly(engine):
    for text in ("", "'''", "x" * 200, "zhuangzhuangzhuangzhuangzhuang", "a'b'c'd'e'f'g", "ü", "１２",
                 "wang\x00li", "🙂wang", "ｗａｎｇ"):
        start = time.perf_counter()
        for kind in ("general", "surname", "given"):
            engine.candidates(text, None, kind)
        assert time.perf_counter() - start < 2.0, text


def test_handwriting_recognises_a_character_from_its_strokes():
    from kiosk.input.handwriting import HandwritingUnavailable, Recognizer, normalise
    try:
        rec = Recognizer(prior=cached_engine().char_prior)
    except HandwritingUnavailable:
        pytest.skip("libzinnia0 / tegaki-zinnia-simplified-chinese not installed (scripts/bootstrap.sh)")
    # 王 written as four straight strokes in screen coordinates (y downwards)
    wang = [[(10, 10), (50, 10), (90, 10)], [(15, 50), (50, 50), (85, 50)], [(50, 10), (50, 50), (50, 90)],
            [(5, 90), (50, 90), (95, 90)]]
    times = []
    for _ in range(5):  # best of five: the machine's two cores are shared with other test runs
        start = time.perf_counter()
        guesses = rec.classify(wang, 10)
        times.append(time.perf_counter() - start)
    # a sanity bound only (at load 15 on two cores one Zinnia call alone has taken 60 ms); the
    # 50 ms target is measured by bench/handwriting_bench.py, which prints the load it ran under
    assert min(times) < 0.15, times
    assert "王" in [g.text for g in guesses[:5]]
    assert len({g.text for g in guesses}) == len(guesses)  # the views' lists merged: no character twice
    assert [g.score for g in guesses] == sorted((g.score for g in guesses), reverse=True)
    # hostile input: nothing, NaN, one point, thousands of strokes
    assert rec.classify([]) == []
    assert rec.classify([[(float("nan"), 1.0)]]) == []
    assert isinstance(rec.classify([[(1, 1)]]), list)
    many = [[(i, i), (i + 1, i + 2)] for i in range(5000)]
    assert len(normalise(many)) <= 64
    assert isinstance(rec.classify(many), list)


def test_handwriting_normalisation_places_the_character_in_its_margin_and_shift():
    from kiosk.input.handwriting import CANVAS, normalise
    tall = [[(0, 0), (0, 300)], [(0, 150), (40, 150)]]  # a tall, thin character: aspect kept
    for margin, shift in ((0.1, 0), (0.25, -30), (0.15, -30), (0.9, 0), (-1.0, 0)):
        pts = [p for s in normalise(tall, margin=margin, shift=shift) for p in s]
        ys = [y for _, y in pts]
        xs = [x for x, _ in pts]
        m = CANVAS * min(0.45, max(0.0, margin))
        assert abs(min(ys) - (m + shift)) <= 1 and abs(max(ys) - (CANVAS - m + shift)) <= 1
        width = max(xs) - min(xs)
        assert abs(width - (CANVAS - 2 * m) * 40 / 300) <= 1  # not stretched
        assert abs((min(xs) + max(xs)) / 2 - CANVAS / 2) <= 1  # centred across
    # a single point, infinities, a huge coordinate: finite points inside the box or nothing
    assert normalise([[(float("inf"), 0)]]) == []
    for pts in (normalise([[(5, 5)]]), normalise([[(0, 0), (1e300, 1e300)]])):
        assert all(0 <= x <= CANVAS and -100 <= y <= CANVAS for s in pts for x, y in s)


def test_handwriting_input_is_bounded_whatever_the_pad_or_a_caller_passes():
    """Outside attack 17.3: a scribble at the pad's limits (40 strokes x 600 points) took ~300 ms per
    stroke and one stroke of 2,000 points 1.15 s and 964 MB inside Zinnia; NaN and 1e400 raised."""
    import random
    from kiosk.input import handwriting as hw
    random.seed(17)
    scribble = [[(random.random() * 300, random.random() * 300) for _ in range(600)] for _ in range(40)]
    long_one = [[(random.random() * 300, random.random() * 300) for _ in range(100_000)]]
    for strokes in (scribble, long_one):
        prepared = hw.prepare(strokes)
        assert all(2 <= len(s) <= hw.STROKE_POINTS for s in prepared)
        assert sum(len(s) for s in prepared) <= hw.TOTAL_POINTS
    # a straight line is its two ends; a real character's shape is kept (its corners stay)
    assert hw.prepare([[(i, 2 * i) for i in range(500)]]) == [[(0.0, 0.0), (499.0, 998.0)]]
    corner = hw.prepare([[(i, 0) for i in range(50)] + [(49, j) for j in range(1, 50)]])
    assert len(corner[0]) <= 4 and corner[0][0] == (0.0, 0.0) and corner[0][-1] == (49.0, 49.0)
    assert any(abs(x - 49) + abs(y) <= 2 for x, y in corner[0])  # the corner (thinned by stride: ±1)
    # points no screen reports are dropped, never raised on
    bad = [[(float("nan"), 1), (10 ** 400, 5), ("a", 1), None, (1, 2, 3), (1e300, 0), (3, 4), (5, 6)], None, [], "xy"]
    assert hw.prepare(bad) == [[(3.0, 4.0), (5.0, 6.0)]]
    try:
        rec = hw.Recognizer(prior=cached_engine().char_prior)
    except hw.HandwritingUnavailable:
        pytest.skip("libzinnia0 / tegaki-zinnia-simplified-chinese not installed (scripts/bootstrap.sh)")
    assert isinstance(rec.classify(bad), list)
    for strokes in (scribble, long_one):
        cpu = []
        for _ in range(3):
            start = time.process_time()
            rec.classify(strokes, 10)
            cpu.append(time.process_time() - start)
        # CPU time, not wall: bounded by the points Zinnia gets (~35 ms here), not by the input
        assert min(cpu) < 0.12, cpu


def test_handwriting_parallel_views_give_the_serial_answer_and_survive_threads_and_close():
    """The second view runs on a helper thread: same guesses as the views one after the other, from
    many callers at once, and a closed recogniser answers [] instead of crashing in C."""
    import threading
    from kiosk.input.handwriting import HandwritingUnavailable, Recognizer
    try:
        par = Recognizer(prior=cached_engine().char_prior, parallel=True, budget=None)  # waits: same answer
        ser = Recognizer(prior=cached_engine().char_prior, adaptive=False)
    except HandwritingUnavailable:
        pytest.skip("libzinnia0 / tegaki-zinnia-simplified-chinese not installed (scripts/bootstrap.sh)")
    shapes = {
        "王": [[(10, 10), (90, 10)], [(15, 50), (85, 50)], [(50, 10), (50, 90)], [(5, 90), (95, 90)]],
        "十": [[(5, 50), (95, 50)], [(50, 5), (50, 95)]],
        "口": [[(10, 10), (10, 90)], [(10, 10), (90, 10), (90, 90)], [(10, 90), (90, 90)]],
    }
    expected = {ch: [(g.text, round(g.score, 5)) for g in ser.classify(s, 10)] for ch, s in shapes.items()}
    assert "十" in [t for t, _ in expected["十"][:5]]
    errors, results = [], []

    def caller(ch):
        try:
            for _ in range(5):
                results.append((ch, [(g.text, round(g.score, 5)) for g in par.classify(shapes[ch], 10)]))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)
    threads = [threading.Thread(target=caller, args=(ch,)) for ch in shapes for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(results) == 30
    assert all(got == expected[ch] for ch, got in results)
    par.close()
    ser.close()
    assert par.classify(shapes["王"]) == [] and ser.classify(shapes["王"], 5, rerank=False) == []
    par.close()  # twice: no double free


def test_candidates_are_kept_whole_results_and_context_still_reorders(engine):
    """A look-up repeated (or warmed) is a dict read and a slice; the slice of a limit is the head
    of the full list; the context rule (黄建 + guo: 国 first) works on kept results too; a kept
    result is never changed by the caller mutating what it got."""
    full = engine.candidates("guo", None, "given", before="黄建")
    assert full[0].text == "国"
    again = engine.candidates("guo", None, "given", before="黄建")
    assert [c.text for c in again] == [c.text for c in full]
    assert [c.text for c in engine.candidates("guo", 6, "given", before="黄建")] == [c.text for c in full[:6]]
    plain = engine.candidates("guo", None, "given")
    assert sorted(c.text for c in plain) == sorted(c.text for c in full)  # reordered, nothing lost
    got = engine.candidates("wang", None, "surname")
    got.clear()
    assert engine.candidates("wang", 1, "surname")[0].text == "王"
    assert engine.candidates("wang", 0, "surname") == [] and engine.candidates("wang", -3, "surname") == []
    # hostile keys: long, control bytes, emoji, full-width: answered, and the kept results stay bounded
    for text in ("a" * 500, "wang\x00", "🙂", "ｗａｎｇ", "zh" * 40):
        engine.candidates(text, None, "given", before="🙂" * 100)
    from kiosk.input.pinyin import RESULT_CACHE
    for i in range(RESULT_CACHE + 50):
        engine._remember((f"k{i}", "general", ""), ())
    assert len(engine._recent) <= RESULT_CACHE


def test_warm_up_keeps_every_single_token_and_look_ups_are_fast(engine):
    """After warm_up, every syllable and leading part of one is a kept result in every kind; its
    look-up takes well under a millisecond (a dict read and a slice), even for "y" (900+)."""
    from kiosk.input.pinyin import WARM_KINDS
    stop = threading_event()
    stop.set()
    assert engine.warm_up(stop=stop) == 0  # a stop asked for is honoured at once
    engine.warm_up()
    index = engine._require()
    assert all((p, k, "") in engine._warm for p in index.prefixes for k in WARM_KINDS)
    times = []
    for p in ("y", "zh", "x", "wang", "s"):
        for k in WARM_KINDS:
            start = time.perf_counter()
            engine.candidates(p, None, k)
            times.append(time.perf_counter() - start)
    assert len(engine.candidates("y", None, "given")) > 500
    assert sorted(times)[len(times) // 2] < 0.002, times


def threading_event():
    import threading
    return threading.Event()


def test_modern_given_name_characters_are_within_reach_of_their_initial(engine):
    """梓 for zi and 睿 for r alone are on the first page after 黄 / 黄梓 (the sign-in's 25 taps)."""
    assert "梓" in [c.text for c in engine.candidates("zi", 6, "given", before="黄")]
    assert "睿" in [c.text for c in engine.candidates("r", 6, "given", before="黄梓")]
    # and the older name data still leads: 志 first for z, 玉 first for yu, 钰 on the first page
    assert engine.candidates("z", 1, "given", before="黄")[0].text == "志"
    assert "钰" in [c.text for c in engine.candidates("yu", 6, "given", before="王")]


def test_handwriting_answers_within_its_budget_when_the_second_view_is_late():
    """A helper view that is not back within the budget is left out: the pad answers from the first
    view in time, counts the late view, and the helper skips work whose caller has gone on."""
    import threading
    from kiosk.input.handwriting import HandwritingUnavailable, Recognizer
    try:
        rec = Recognizer(prior=cached_engine().load().char_prior, parallel=True, budget=0.05)
        rec.char_prior_ready = rec.prior("王")  # the index loaded before the clock starts
    except HandwritingUnavailable:
        pytest.skip("libzinnia0 / tegaki-zinnia-simplified-chinese not installed (scripts/bootstrap.sh)")
    slow_handle = rec._handles[1]
    real_raw, release, calls = slow_handle.raw, threading.Event(), []

    def stuck(norm, n):  # a core that never comes: the view returns only when released
        calls.append(1)
        release.wait(5)
        return real_raw(norm, n)
    slow_handle.raw = stuck
    wang = [[(10, 10), (90, 10)], [(15, 50), (85, 50)], [(50, 10), (50, 90)], [(5, 90), (95, 90)]]
    start = time.perf_counter()
    guesses = rec.classify(wang, 10)
    took = time.perf_counter() - start
    assert took < 1.0 and rec.late_views == 1, (took, rec.late_views)
    assert "王" in [g.text for g in guesses[:5]]
    # two more while the helper is still stuck on the first: both answer in time, late again
    for _ in range(2):
        assert rec.classify(wang, 5)
    assert rec.late_views == 3
    release.set()
    deadline = time.time() + 5
    while rec._helpers[0]._jobs.qsize() and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert len(calls) == 1  # the two abandoned jobs queued behind it were skipped, not computed
    rec.close()


def test_handwriting_asks_the_second_placement_only_when_unsure_and_in_time():
    """Adaptive (the keyboard's recogniser): a sure first answer is one Zinnia call; an unsure one
    asks the second placement; a first call that ate half the budget is answered alone."""
    from kiosk.input import handwriting as hw
    try:
        rec = hw.Recognizer(prior=cached_engine().load().char_prior, budget=None)
        both = hw.Recognizer(prior=cached_engine().char_prior, adaptive=False)
    except hw.HandwritingUnavailable:
        pytest.skip("libzinnia0 / tegaki-zinnia-simplified-chinese not installed (scripts/bootstrap.sh)")
    shapes = [[[(5, 50), (95, 50)], [(50, 5), (50, 95)]],                       # 十
              [[(10, 10), (90, 10)], [(15, 50), (85, 50)], [(50, 10), (50, 90)], [(5, 90), (95, 90)]],
              [[(10, 10), (10, 90)], [(10, 10), (90, 10), (90, 90)], [(10, 90), (90, 90)]],
              [[(20, 20), (80, 80)], [(80, 20), (20, 80)]], [[(50, 10), (30, 90)], [(50, 10), (70, 90)]]]
    for strokes in shapes:
        before = rec.second_views
        got = rec.classify(strokes, 10)
        one = rec._merge([rec._handles[0].raw(hw.normalise(strokes, margin=hw.VIEWS[0][0], shift=hw.VIEWS[0][1]),
                                               hw.RERANK_POOL)])
        sure = len(one) > 1 and one[0].score - one[1].score >= hw.SURE_MARGIN
        if sure:
            assert rec.second_views == before and [g.text for g in got] == [g.text for g in one[:10]]
        else:
            assert rec.second_views == before + 1
            assert [g.text for g in got] == [g.text for g in both.classify(strokes, 10)]
    # a first call that took more than half the budget: answered from it alone, counted as late
    slow = hw.Recognizer(prior=cached_engine().char_prior, budget=0.04)
    real = slow._handles[0].raw
    slow._handles[0].raw = lambda norm, n: (time.sleep(0.03), real(norm, n))[1]
    slow.classify(shapes[3], 10)
    assert slow.second_views == 0 and slow.late_views in (0, 1)
    for r in (rec, both, slow):
        r.close()


def test_rare_surnames_of_the_baijiaxing_reach_the_first_page_below_the_common_ones(engine):
    """Outside attack 17.6: 54 of the 百家姓's 406 single surnames were off the first page for every
    reading (逄 pang 13th, 郦 li 66th, 阚 kan 22nd); `oy` gave no 欧阳, 西门 ranked 17th."""
    def first_page(typed):
        return [c.text for c in engine.candidates(typed, 6, "surname")]
    assert first_page("pang")[:2] == ["庞", "逄"]
    assert first_page("li")[0] == "李" and "郦" in first_page("li")
    assert first_page("kan")[0] == "阚"
    assert first_page("oy")[0] == "欧阳" and first_page("ximen")[0] == "西门"
    for typed, common in (("wang", "王"), ("zhang", "张"), ("yu", "余"), ("xi", "席"), ("shan", "单")):
        assert first_page(typed)[0] == common
    # the table's surnames keep their one surname reading: 王 is never offered for yu, 石 for dan
    assert "王" not in first_page("yu") and "石" not in first_page("dan")
