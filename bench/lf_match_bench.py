"""Lost-and-found matching on labelled pairs in both languages: precision@1 and recall@3, and speed.

Run: .venv/bin/python bench/lf_match_bench.py [--runs 20].
Targets: precision@1 >= 0.9, recall@3 >= 0.95 (bench/lf_match_cases.py: 65 found/lost pairs, Chinese,
English and across the two, some filed under a related category, plus 30 decoys in the same register).
Every report is matched against the whole register (all found items and the decoys, found in the week after the reported day).
Baseline, same run and same cases: the matcher before issue 13 (same category only, character bigrams
and English words, exact brand), kept here as `baseline_suggest`.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from kiosk.lostfound.match import suggest  # noqa: E402
from kiosk.lostfound.service import Item  # noqa: E402
from lf_match_cases import DECOYS, PAIRS  # noqa: E402
from stats import describe, percentile  # noqa: E402


def make_item(i: int, category: str, description: str, features: str, colour: str, brand: str) -> Item:
    """A register entry as the service returns it (found on one of the seven days from the day the reports name)."""
    day = 20 + i % 7
    return Item(id=i, ref=f"LF-2026-{i:04d}", category=category, description=description, features=features,
                colour=colour, brand=brand, quantity=1, value_fen=0, high_value=False,
                found_at=f"2026-11-{day:02d}T03:00:00Z", found_place="lobby", handed_in_kind="staff",
                handed_in_name="desk", handed_in_contact="", received_by="desk", storage="A1",
                created_at=f"2026-11-{day:02d}T03:00:00Z", status="held")


def register() -> tuple[list[Item], list[dict]]:
    """Every found item and decoy as items; every lost report with the id of its right answer."""
    items, reports = [], []
    for n, (found, lost) in enumerate(PAIRS, start=1):
        items.append(make_item(n, *found))
        category, description, features, colour, brand = lost
        reports.append({"category": category, "description": description, "features": features, "colour": colour,
                        "brand": brand, "lost_on": "2026-11-20", "answer": n})
    for n, decoy in enumerate(DECOYS, start=len(PAIRS) + 1):
        items.append(make_item(n, *decoy))
    return items, reports


# --- the matcher before issue 13, for the baseline ------------------------------------------------
_OLD_COLOURS = {"black": "黑", "white": "白", "red": "红", "blue": "蓝", "green": "绿", "yellow": "黄", "brown": "棕",
                "grey": "灰", "gray": "灰", "pink": "粉", "purple": "紫", "orange": "橙", "silver": "银", "gold": "金",
                "navy": "蓝", "beige": "米", "咖啡": "棕", "褐": "棕"}
_OLD_STOP = {"a", "an", "the", "and", "with", "of", "in", "on", "my", "for", "to", "it", "is", "one", "some"}


def _old_tokens(text: str) -> set[str]:
    text = (text or "").lower()
    out = {w for w in re.findall(r"[a-z0-9]+", text) if len(w) > 1 and w not in _OLD_STOP}
    for run in re.findall(r"[\u3400-\u9fff]+", text):
        out |= {run[i:i + 2] for i in range(len(run) - 1)} if len(run) > 1 else {run}
    return out


def _old_colour(text: str) -> str:
    text = (text or "").lower().strip()
    for english, chinese in _OLD_COLOURS.items():
        if english in text:
            return chinese
    for chinese in set(_OLD_COLOURS.values()):
        if chinese in text:
            return chinese
    return text


def baseline_suggest(report: dict, items: list[Item], limit: int = 5) -> list[Item]:
    out = []
    for item in items:
        if item.category != report["category"]:
            continue
        points = 3.0
        if report["colour"] and item.colour and _old_colour(report["colour"]) == _old_colour(item.colour):
            points += 2
        if report["brand"] and item.brand and report["brand"].strip().lower() == item.brand.strip().lower():
            points += 2
        points += len(_old_tokens(report["description"] + " " + report["features"])
                      & _old_tokens(item.description + " " + item.features))
        if points > 3:
            out.append((points, item))
    return [item for _, item in sorted(out, key=lambda p: -p[0])[:limit]]


def quality(rank) -> tuple[float, float, list[str]]:
    """precision@1, recall@3 and the reports that missed, for a function report -> ranked item ids."""
    items, reports = register()
    top1 = top3 = 0
    misses = []
    for report in reports:
        ranked = rank(report, items)
        top1 += bool(ranked) and ranked[0] == report["answer"]
        top3 += report["answer"] in ranked[:3]
        if not ranked or ranked[0] != report["answer"]:
            misses.append(f"{report['description']!r} -> {ranked[:3]} (want {report['answer']})")
    return top1 / len(reports), top3 / len(reports), misses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    new = lambda r, items: [m.item.id for m in suggest(r, items)]  # noqa: E731
    old = lambda r, items: [i.id for i in baseline_suggest(r, items)]  # noqa: E731
    items, reports = register()
    print(f"{len(PAIRS)} labelled pairs, {len(DECOYS)} decoys, register of {len(items)} items")
    for name, rank in (("issue 13 matcher", new), ("baseline (before)", old)):
        p1, r3, misses = quality(rank)
        print(f"{name}: precision@1 {p1:.3f}, recall@3 {r3:.3f}, misses at 1: {len(misses)}")
        if args.show_misses:
            for miss in misses:
                print("   ", miss)
    times = {}
    for name, rank in (("issue 13 matcher", new), ("baseline (before)", old)):
        runs = []
        for _ in range(args.runs):
            for report in reports:
                start = time.perf_counter()
                rank(report, items)
                runs.append(time.perf_counter() - start)
        times[name] = runs
        print(describe(f"{name}, one report against the register", runs))
    ratio = statistics.median(times["issue 13 matcher"]) / statistics.median(times["baseline (before)"])
    p95 = percentile(times["issue 13 matcher"], 0.95) / percentile(times["baseline (before)"], 0.95)
    print(f"ratio to baseline: median {ratio:.1f}x, p95 {p95:.1f}x")


if __name__ == "__main__":
    main()
