"""Palette (RGBA): calm and high-contrast for a bright lobby. Imported by .kv files."""

INK = (0.12, 0.14, 0.18, 1)
PAPER = (0.96, 0.97, 0.98, 1)
ACCENT = (0.05, 0.45, 0.62, 1)
DANGER = (0.75, 0.18, 0.16, 1)
OK = (0.16, 0.55, 0.30, 1)
QUIET = (0.88, 0.90, 0.93, 1)
