"""Real storage faults for tests: a tiny tmpfs that fills up, a read-only bind mount, a file of junk, a
damaged database, one from a newer schema, and a second process holding the write lock.

We run as root, so chmod stops nothing: read-only is a read-only *mount*, and a full disk is a small
tmpfs filled to the last byte. Tests that need mounts skip (with the reason) where mounting is not allowed.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest


def can_mount() -> str:
    """'' when this process may mount a tmpfs, else why not."""
    if os.geteuid() != 0:
        return "mounting needs root"
    with tempfile.TemporaryDirectory() as where:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", where], capture_output=True)
        if done.returncode:
            return "mount -t tmpfs is not allowed here: " + done.stderr.decode(errors="replace").strip()
        subprocess.run(["umount", where], check=True)
    return ""


def need_mount() -> None:
    reason = can_mount()
    if reason:
        pytest.skip(reason)


@contextlib.contextmanager
def tmpfs(where: Path, size_kib: int) -> Iterator[Path]:
    """A tmpfs of size_kib mounted at where (created) for the block."""
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0755", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        _umount(where)


@contextlib.contextmanager
def read_only_view(folder: Path, where: Path) -> Iterator[Path]:
    """folder seen read-only at where (a bind mount remounted ro: root cannot write through it either)."""
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "--bind", str(folder), str(where)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(where)], check=True)
        yield where
    finally:
        _umount(where)


def _umount(where: Path) -> None:
    for attempt in range(50):
        if subprocess.run(["umount", str(where)], capture_output=True).returncode == 0:
            return
        time.sleep(0.1)  # a connection being closed by a finishing thread
    subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system holding folder to the last block; returns the filler file (remove it to recover)."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)
            except OSError:
                if len(block) == 1:
                    break
                block = block[: len(block) // 2]
    finally:
        os.close(fd)
    return filler


def junk(path: Path) -> Path:
    """A file that is not a database at all."""
    path.write_bytes(b"\x89PNG not a database \x00\xff" * 4096)
    return path


def damage(path: Path) -> Path:
    """A real database whose pages after the first few are overwritten: the header still reads."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(os.urandom(max(0, size - 4096 * 3)))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def from_the_future(path: Path) -> Path:
    """A database with a migration this program does not ship."""
    import sqlite3
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (9001, 'from_the_future')")
    conn.execute("PRAGMA user_version=9001")
    conn.commit()
    conn.close()
    return path


HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
conn.execute("INSERT INTO settings (key, value, updated_at) VALUES ('lock_holder', '1', '2026-01-01') "
             "ON CONFLICT(key) DO UPDATE SET value = value")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@contextlib.contextmanager
def write_lock_held(path: Path) -> Iterator[subprocess.Popen]:
    """A second process holds the database's write lock (BEGIN EXCLUSIVE) until the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(10)
