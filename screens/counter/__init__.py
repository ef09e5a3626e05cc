"""Goods and fee counters, day and cash, catalogue and fee types."""
