"""Hypothesis strategies for text of every script, and a hard time bound for code that might loop.

Hypothesis' own deadline only reports a slow example after it returns; a layout loop that never
ends would hang the suite. `time_limit` interrupts the example instead (SIGALRM, main thread).
"""
from __future__ import annotations

import contextlib
import signal

from hypothesis import strategies as st

CONTROLS = "".join(map(chr, [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]))
SCRIPTS = {
    "ascii": "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .,:;-()/#¥$%&*+=?!'\"",
    "latin": "éèüößñçøåłőŕțĳæœ ÀÉÎÕÜ",
    "cjk": "失物招领黑色双肩包高尔夫球果岭费会员号缴费人王小明星河科技龘齉𠀋𪚥",
    "fullwidth": "ＡＢＣ１２３（）？！、。，　「」",
    "hangul_kana": "한국어텍스트ひらがなカタカナｶﾀｶﾅ",
    "combining": "\u0301\u0300\u0308\u0327\u20dd\u036f\u0489\u1ab0",
    "zero_width": "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202e\u2066",
    "emoji": "😀🎉👍🏽👨‍👩‍👧❤️🇨🇳🧳☂️⛳",
    "rtl": "مرحبا بالعالم שלום עולם",
    "indic_thai": "नमस्ते दुनिया สวัสดีชาวโลก",
    "symbols": "→←—–…·•°±×÷€£©®™§¶‰′″",
    "controls": CONTROLS,
    "breaks": "\n\r\t\u2028\u2029\x0b\x0c",
}
ALPHABET = "".join(SCRIPTS.values())


def _long_word(alphabet: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet.replace(" ", ""), min_size=40, max_size=300)


def hostile_text(max_size: int = 120) -> st.SearchStrategy[str]:
    """Text mixing every script, long words, marks with no base, controls and line breaks."""
    return st.one_of(
        st.text(alphabet=ALPHABET, max_size=max_size),
        st.text(alphabet=st.sampled_from(sorted(SCRIPTS)).flatmap(lambda k: st.sampled_from(SCRIPTS[k])),
                max_size=max_size),
        st.text(max_size=max_size // 2),  # any code point at all (surrogates, private use, unassigned)
        _long_word(SCRIPTS["ascii"]), _long_word(SCRIPTS["cjk"]), _long_word(SCRIPTS["emoji"] + SCRIPTS["combining"]),
        st.just("失" * 200), st.just("x" * 500), st.just(" " * 60 + "y"), st.just(""),
    )


class TooSlow(AssertionError):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """Fail (not hang) when the body runs longer than `seconds`."""
    def _alarm(signum, frame):
        raise TooSlow(f"took longer than {seconds} s: a loop that does not end?")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
