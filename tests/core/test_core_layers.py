"""The house plan as a contract: import-linter's contracts from setup.cfg, and every package placed in a layer."""
from __future__ import annotations

import configparser
import pkgutil
import subprocess
import sys
from pathlib import Path

import kiosk

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_every_kiosk_package_has_a_layer():
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    layers = parser["importlinter:contract:layers"]["layers"]
    named = {name.strip() for line in layers.split("\n") for name in line.split("|") if name.strip()}
    packages = {f"kiosk.{m.name}" for m in pkgutil.iter_modules(kiosk.__path__) if m.ispkg}
    assert packages - {"kiosk.data"} <= named, f"packages outside the layer contract: {packages - named}"


def test_no_sql_in_screens():
    """Screens call services; a query in a screen is a rule nobody else can reach or test."""
    import re
    pattern = re.compile(r"\.(execute|executemany|executescript|query)\(|\bselect\b.*\bfrom\b|\binsert\s+(or\s+\w+\s+)?into\b"
                         r"|\bupdate\s+\w+\s+set\b|\bdelete\s+from\b|\bpragma\s+\w+", re.I)
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "screens").rglob("*.py")
                 for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert not offenders, offenders


def test_kiosk_code_lives_in_a_layered_package():
    """Modules straight under kiosk/ would sit outside every contract (a kiosk/util.py could import Kivy)."""
    loose = sorted(p.name for p in (ROOT / "kiosk").glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert not loose, f"put these in a package of the layer contract: {loose}"
    for name in ("__init__.py", "__main__.py"):
        imports = [line for line in (ROOT / "kiosk" / name).read_text().splitlines()
                   if line.lstrip().startswith(("import ", "from "))]
        assert all(line.split()[1].split(".")[0] != "kiosk" or line.split()[1].startswith("kiosk.cli")
                   for line in imports if line.split()[1] not in ("__future__",)), imports
        assert not any(line.split()[1].split(".")[0] in ("hardware", "screens", "kivy") for line in imports), imports
