"""Where things live: shipped data (data/), and the box's own state (platform dirs)."""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import platformdirs

APP_NAME = "frontdesk-kiosk"


@lru_cache(maxsize=1)
def data_dir() -> Path:
    """The shipped data/ folder, installed (kiosk/data) or in a source checkout (../data)."""
    package = Path(__file__).resolve().parent.parent  # kiosk/
    for candidate in (package / "data", package.parent / "data"):
        if (candidate / "migrations").is_dir():
            return candidate
    raise FileNotFoundError(f"kiosk data folder not found next to {package}")


def state_dir() -> Path:
    """Per-box writable state (database, receipts, fonts); KIOSK_HOME overrides for tests."""
    override = os.environ.get("KIOSK_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    """The database used when --db is not given."""
    return state_dir() / "kiosk.db"


def default_config_path() -> Path:
    """The box configuration used when --config is not given."""
    override = os.environ.get("KIOSK_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "kiosk.toml"


def file_sha256(path: Path) -> str:
    """The SHA-256 (hex) of a file, read in 1 MiB blocks (a backup or an export may be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
