"""Front Desk Kiosk: the domain core (no Kivy here) and the command line."""

__version__ = "0.1.0"
