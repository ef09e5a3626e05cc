"""The composition root: the ``kiosk`` command. The only part of ``kiosk`` that imports hardware/ and screens/."""
from kiosk.cli.main import main

__all__ = ["main"]
