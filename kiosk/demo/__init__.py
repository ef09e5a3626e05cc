"""Demo accounts and synthetic history for a newcomer and for benchmarks."""
