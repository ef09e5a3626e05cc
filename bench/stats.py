"""Figures the benchmarks print: medians and nearest-rank percentiles in milliseconds."""
from __future__ import annotations

import statistics


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p from 0 to 1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def describe(name: str, values: list[float]) -> str:
    """'name: median … ms, p95 … ms, max … ms (n=…)' for times in seconds."""
    return (f"{name}: median {statistics.median(values) * 1000:.2f} ms, p95 {percentile(values, 0.95) * 1000:.2f} ms,"
            f" max {max(values) * 1000:.2f} ms (n={len(values)})")
