"""The phone section and the three-ring call prompt."""
