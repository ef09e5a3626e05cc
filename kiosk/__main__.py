"""``python -m kiosk`` behaves like the ``kiosk`` command (no arguments: run the app)."""
from kiosk.cli.main import main

if __name__ == "__main__":
    main()
