"""Can visitors type their own names? (issue 17) Figures printed, not a timed test.

Names: every three-character entry of CC-CEDICT (through pypinyin-dict's phrase data, MIT / CC-BY-SA
dictionary) that starts with one of our surnames, that jieba's dictionary tags as a person's name (nr)
and that does not end like a place (区, 县, 市 …): real people's names (mostly public figures), not
written by hand. Readings: CC-CEDICT's own, not pypinyin's (which the ranking
uses). Compound-surname names (欧阳修) are added the same way from four-character entries.

For each name: % of characters enterable from their reading in their position, % on the first page
(6), % first, mean taps per three-character name (the cheapest of: each character by its shortest
typed prefix + page flips + pick; the whole name from its full pinyin; the whole name from its
initials), and candidate look-up p50/p95 over every query made, against a dict look-up baseline.

    .venv/bin/python bench/names_bench.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.input.pinyin import COMPOUND_SURNAMES, SURNAMES, PinyinEngine, _toneless  # noqa: E402

PAGE = 6
PLACE_ENDINGS = set("区县市岛村城窟山镇乡州省路街湖江河岸寺庙宫门楼桥港湾峡谷口关堡坝洲站台园院所厂部党团会派")


def person_names() -> set[str]:
    """Words jieba's dictionary tags nr (a person's name): the filter that keeps 刘德华 and drops 黄花鱼."""
    from kiosk.input.pinyin import _jieba_dict_path
    out = set()
    with open(_jieba_dict_path(), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "nr":
                out.add(parts[0])
    return out


def cedict_names() -> list[tuple[str, list[str]]]:
    from pypinyin_dict.phrase_pinyin_data import cc_cedict_0, cc_cedict_1, cc_cedict_2, cc_cedict_3
    people = person_names()
    out = []
    singles = set(SURNAMES)
    for module in (cc_cedict_0, cc_cedict_1, cc_cedict_2, cc_cedict_3):
        for word, readings in getattr(module, "phrases_dict", {}).items():
            if word not in people or word[-1] in PLACE_ENDINGS or not all("\u4e00" <= c <= "\u9fff" for c in word):
                continue
            ok = (len(word) == 3 and word[0] in singles) or (len(word) == 4 and word[:2] in COMPOUND_SURNAMES)
            if ok and len(readings) == len(word):
                syls = [_toneless(r[0].lower()) for r in readings]
                if all(syls):
                    out.append((word, syls))
    return sorted(out)


class Timer:
    def __init__(self, engine):
        self.engine, self.times = engine, []

    def __call__(self, pinyin, kind):
        start = time.perf_counter()
        result = [c.text for c in self.engine.candidates(pinyin, None, kind)]
        self.times.append((time.perf_counter() - start) * 1000)
        return result


def rank(cands, text):
    return cands.index(text) if text in cands else None


def name_taps(look, word, syls):
    """Cheapest tap count for the whole name (letters + page flips + picks), or None."""
    best = None
    # whole name: full pinyin, or initials
    for typed in ("".join(syls), "".join(s[0] for s in syls)):
        r = rank(look(typed, "surname"), word)
        if r is not None:
            cost = len(typed) + r // PAGE + 1
            best = cost if best is None else min(best, cost)
    # character by character (a compound surname is one pick)
    parts = [(word[:2], syls[:2], "surname")] if word[:2] in COMPOUND_SURNAMES else [(word[0], syls[:1], "surname")]
    used = len(parts[0][0])
    parts += [(word[i], [syls[i]], "given") for i in range(used, len(word))]
    total = 0
    for text, psyls, kind in parts:
        full = "".join(psyls)
        options = []
        for k in range(1, len(full) + 1):
            typed = full[:k] if len(psyls) == 1 else psyls[0] + psyls[1][:max(1, k - len(psyls[0]))]
            r = rank(look(typed, kind), text)
            if r is not None:
                options.append(len(typed) + r // PAGE + 1)
        if not options:
            return best
        total += min(options)
    return total if best is None else min(best, total)


def main() -> None:
    engine = PinyinEngine().load()
    look = Timer(engine)
    names = cedict_names()
    chars = enterable = first_page = first = 0
    ranks = []
    taps = []
    for word, syls in names:
        parts = [(word[:2], "".join(syls[:2]), "surname")] if word[:2] in COMPOUND_SURNAMES else [(word[0], syls[0], "surname")]
        parts += [(word[i], syls[i], "given") for i in range(len(parts[0][0]), len(word))]
        for text, typed, kind in parts:
            chars += 1
            r = rank(look(typed, kind), text)
            if r is None:
                continue
            enterable += 1
            first_page += r < PAGE
            first += r == 0
            ranks.append(r + 1)
        if len(word) == 3:
            t = name_taps(look, word, syls)
            if t is not None:
                taps.append(t)
    # baseline in the same run: a dict look-up per query
    d = {str(i): i for i in range(1000)}
    base = []
    for i in range(len(look.times)):
        start = time.perf_counter()
        d.get(str(i % 1000))
        base.append((time.perf_counter() - start) * 1000)
    lt = sorted(look.times)
    p95 = lt[int(len(lt) * 0.95)]
    print(f"names: {len(names)} from CC-CEDICT (readings: CC-CEDICT), characters: {chars}")
    print(f"enterable {100 * enterable / chars:.1f} %  first page {100 * first_page / chars:.1f} %  "
          f"first {100 * first / chars:.1f} %  mean rank {statistics.mean(ranks):.2f}")
    print(f"taps per three-character name: mean {statistics.mean(taps):.2f}  median {statistics.median(taps)}  "
          f"(n={len(taps)})")
    print(f"candidate look-up: n={len(lt)} p50 {statistics.median(lt):.2f} ms  p95 {p95:.2f} ms  "
          f"(dict baseline p95 {sorted(base)[int(len(base) * 0.95)] * 1000:.2f} µs, ratio {p95 / max(1e-9, sorted(base)[int(len(base) * 0.95)]):.0f}x)")


if __name__ == "__main__":
    main()
