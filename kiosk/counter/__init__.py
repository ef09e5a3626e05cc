"""The goods and fee counters: catalogue, sales, fees, shifts and cash, stock counts, end-of-day report."""
