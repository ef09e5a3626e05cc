"""Outside attack on issue 17 item 1: characters of GB 2312 and of the 8,105 that no pinyin reaches."""
from __future__ import annotations

import pytest

from tests.pinyin_support import cached_engine


@pytest.fixture(scope="module")
def engine():
    return cached_engine().load()


@pytest.mark.parametrize("kind", ["general", "surname", "given"])
def test_en_is_reachable_from_some_pinyin(engine, kind):
    """嗯 (U+55EF: GB 2312 and the General Standard table, everyday in notes and chat) has only the
    syllabic-nasal readings ń ňg ǹ ..., which the engine drops as interjections, and no other: no input
    offers it. A desk writes it as "en" or "ng" (most IMEs take both)."""
    offered = {c.text for q in ("en", "n", "ng", "m") for c in engine.candidates(q, None, kind)}
    assert "嗯" in offered


@pytest.mark.parametrize("typed,char", [("lue", "略"), ("nue", "虐"), ("lyu", "吕"), ("nyu", "女")])
def test_u_umlaut_spelt_as_the_passport_and_most_imes_spell_it(engine, typed, char):
    """lue/nue (most IMEs accept them: no plain 'lue' syllable exists) and LYU/NYU (the spelling of ü on
    Chinese passports since 2012: 吕 is LYU) -- a visitor copying their passport name types these."""
    assert char in [c.text for c in engine.candidates(typed, 12, "surname")]
