"""Printer connections, ESC/POS and PNG renderers, and the print worker."""
