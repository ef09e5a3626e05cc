"""Probe: where do the two-character names of l+y initials rank (李阳 李洋 李杨 刘洋 ...)?"""
from tests.pinyin_support import cached_engine

eng = cached_engine(); eng.load()
for typed in ("ly", "ly'", "l'y", "wx", "zw", "lj", "ll"):
    got = [c.text for c in eng.candidates(typed, None, kind="surname")]
    print(typed, len(got), got[:12], {w: (got.index(w) if w in got else None)
                                      for w in ("李阳", "李洋", "李杨", "刘洋", "李扬", "李勇", "王欣", "张伟", "李军", "李丽")})
print(eng.segment("ly"), eng.segment("lyang"))
