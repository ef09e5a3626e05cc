"""What this desk has learned about its visitors' names: counts of characters by position, nothing more.

A site where many visitors are called 梓 or 覃 should offer them sooner. The desk counts, per position
(surname, given name), in how many distinct registered names each character occurs. Privacy:
- only characters are counted, never whole names: a whole-name candidate is never built from these
  counts, so no visitor is ever offered another visitor's name;
- a character counts only once it is in at least `SITE_MIN` distinct names, so one visitor's rare
  character (䶮) is not shown to the next as a sign that they were here;
- the counts are computed from the visits still on record (kiosk.visitors.name_character_counts), in
  memory: a name erased or anonymised by retention stops counting at the next start.

Ranking: among the single characters that take the whole input in a name field, a candidate's place
is the posterior mean of a Dirichlet prior (the package name data's share, weight `PRIOR_WEIGHT`)
updated by this site's counts; characters outside the name data may rise by counts alone.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

SITE_MIN = 3          # distinct names a character must be in before it counts
PRIOR_WEIGHT = 30.0   # how many site names the package's name data is worth
MAX_NAMES = 50_000    # names read at most (the newest): bounded start-up work on a busy desk
_NAME_SCORE = 1e12    # name-bucket candidates score above this (kiosk.input.pinyin), whole names above 2e12


def _han(ch: str) -> bool:
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF


@dataclass(frozen=True)
class NameCounts:
    """Per position ("surname", "given"): character -> number of distinct names it is in (≥ SITE_MIN)."""

    surname: dict[str, int] = field(default_factory=dict)
    given: dict[str, int] = field(default_factory=dict)

    def get(self, kind: str) -> dict[str, int]:
        return self.surname if kind == "surname" else self.given if kind == "given" else {}

    def __bool__(self) -> bool:
        return bool(self.surname or self.given)


def count_name_characters(names: Iterable[str], compound_surnames: Iterable[str] = ()) -> NameCounts:
    """Counts for the names given (Chinese names only: a name with any other character, "Anna 王",
    teaches nothing). A compound surname (欧阳) counts as one surname; each distinct name counts once."""
    compounds = frozenset(compound_surnames)
    surname: Counter[str] = Counter()
    given: Counter[str] = Counter()
    seen: set[str] = set()
    for raw in names:
        name = (raw or "").strip()
        if not (2 <= len(name) <= 6) or name in seen or not all(_han(ch) for ch in name):
            continue
        seen.add(name)
        if len(seen) > MAX_NAMES:
            break
        head = 2 if name[:2] in compounds and len(name) > 2 else 1
        surname[name[:head]] += 1
        for ch in set(name[head:]):
            given[ch] += 1
    return NameCounts({c: n for c, n in surname.items() if n >= SITE_MIN},
                      {c: n for c, n in given.items() if n >= SITE_MIN})


def rerank(found: tuple, counts: dict[str, int], length: int,
           weight: Callable[[str], float] | None = None) -> tuple:
    """`found` (candidates best first) with the single characters that take the whole input reordered
    by prior share + site counts, in the places they held; everything else stays where it was.
    `weight(ch)`, if given, multiplies a package-data candidate's prior (the name's context: a second
    given-name character after the first, kiosk.input.pinyin `_after`)."""
    if not counts:
        return found
    slots = [i for i, c in enumerate(found)
             if c.consumed == length and len(c.text) == 1 and c.score < 2 * _NAME_SCORE
             and (c.score >= _NAME_SCORE or c.text in counts)]
    hits = [i for i in slots if found[i].text in counts]
    if not hits:
        return found
    prior = {i: max(0.0, found[i].score - _NAME_SCORE) * (weight(found[i].text) if weight else 1.0)
             for i in slots}
    total_prior = sum(prior.values()) or 1.0
    total_site = sum(counts.get(found[i].text, 0) for i in slots)

    def posterior(i: int) -> float:
        return (counts.get(found[i].text, 0) + PRIOR_WEIGHT * prior[i] / total_prior) / (total_site + PRIOR_WEIGHT)

    order = sorted(slots, key=lambda i: (-posterior(i), i))  # ties keep the package order
    out = list(found)
    for place, i in zip(slots, order):
        out[place] = found[i]
    return tuple(out)
