"""The printer status popup: queue, reprints, drawer."""
