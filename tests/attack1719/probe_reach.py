"""Probe (issue 17.1): every GB 2312 / 8,105 character reachable from each of its readings, in every
kind, also with a given-name context before it. Readings from sources the engine does NOT merge
(pypinyin-dict's kTGHZ2013 = 通用规范汉字字典, kXHC1983 = 现代汉语词典, cc_cedict), besides its own."""
from __future__ import annotations
import sys, time, collections
sys.path.insert(0, ".")
from tests.pinyin_support import cached_engine
from kiosk.input.pinyin import general_standard, _toneless
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin_dict.pinyin_data import ktghz2013, kxhc1983, cc_cedict

eng = cached_engine().load()
std = general_standard()
gb = {chr(c) for c in range(0x4e00, 0xa000) if (lambda ch: (ch.encode("gb2312", "ignore") != b""))(chr(c))}
chars = sorted(set(std) | gb)
src = {"pypinyin": pinyin_dict, "k8105": {ord(k): v for k, v in std.items()},
       "tghz2013": ktghz2013.pinyin_dict, "xhc1983": kxhc1983.pinyin_dict, "cedict": cc_cedict.pinyin_dict}
readings = collections.defaultdict(dict)
for name, d in src.items():
    for ch in chars:
        r = d.get(ord(ch))
        if r:
            for x in r.split(","):
                readings[ch].setdefault(x, name)
cache = {}
def cands(syl, kind, before=""):
    key = (syl, kind, before)
    if key not in cache:
        cache[key] = {c.text for c in eng.candidates(syl, None, kind, before) if c.consumed == len(syl)}
    return cache[key]
missing = collections.defaultdict(list)
unusable = []
t = time.time()
for ch in chars:
    for r, name in readings[ch].items():
        syl = _toneless(r)
        if not syl:
            unusable.append((ch, r, name)); continue
        for kind, before in (("surname", ""), ("given", "王"), ("given", "王建"), ("general", "")):
            if ch not in cands(syl, kind, before):
                missing[(kind, before)].append((ch, r, name))
print("chars", len(chars), "time", round(time.time() - t, 1))
for k, v in missing.items():
    print(k, len(v), v[:40])
print("readings that are no syllable:", len(unusable), unusable[:40])
none_at_all = [ch for ch in chars if not any(ch in cands(_toneless(r), "general") for r in readings[ch] if _toneless(r))]
print("chars reachable by no reading (general):", len(none_at_all), none_at_all[:50])
