"""Probe (outside attack 2, issue 17 names keyboard): spellings and initials, engine only."""
from __future__ import annotations

import time

from tests.pinyin_support import cached_engine


def main():
    eng = cached_engine(); eng.load()
    for typed, kind in [("lue", "given"), ("nue", "given"), ("lyu", "surname"), ("nyu", "given"), ("lve", "given"),
                        ("nve", "given"), ("lüe", "given"), ("lu:e", "given"), ("n", "given"), ("ng", "given"),
                        ("en", "given"), ("ly", "surname"), ("wxm", "surname"), ("wangwei", "surname"),
                        ("zhangwei", "surname"), ("lina", "surname"), ("liyang", "surname"), ("lyang", "surname"),
                        ("lyuyang", "surname"), ("nyuer", "given"), ("lyue", "given"), ("NG", "given"),
                        ("m", "given"), ("hm", "given"), ("lvyang", "surname"), ("lueyang", "surname")]:
        t = time.perf_counter()
        got = eng.candidates(typed, 8, kind=kind)
        ms = (time.perf_counter() - t) * 1000
        print(f"{typed!r:12} {kind:8} {ms:6.1f}ms", [(c.text, c.consumed) for c in got])


if __name__ == "__main__":
    main()
