"""Probe (issue 17.2): characters outside GB 2312 and the 8,105 on the FIRST page (6) of name fields,
for every syllable, in the surname position and after common first given-name characters."""
import sys, collections
sys.path.insert(0, ".")
from tests.pinyin_support import cached_engine
from kiosk.input.pinyin import general_standard
e = cached_engine().load()
std = set(general_standard())
def simplified(ch):
    try:
        ch.encode("gb2312"); return True
    except UnicodeEncodeError:
        return ch in std
syls = sorted(s for s in e._require().syllables)
hits = collections.Counter(); examples = {}
for b in ["", "王", "王建", "李志", "张国", "陈晓", "刘德", "黄子", "赵文"]:
    kind = "surname" if not b else "given"
    for s in syls:
        for i, c in enumerate(e.candidates(s, 6, kind, b)):
            if len(c.text) == 1 and not simplified(c.text):
                hits[c.text] += 1
                examples.setdefault(c.text, (b, s, i + 1))
print(len(hits), "characters outside GB 2312/8,105 on a first page:", [(ch, examples[ch]) for ch, _ in hits.most_common(30)])
