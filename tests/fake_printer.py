"""A network receipt printer on 127.0.0.1 for tests: records what it was sent, answers status.

Each connection is one job. It answers every DLE EOT 4 with a paper-status byte after the bytes
before it (as a real printer does), can run out of paper, stay silent, or die mid-job.
"""
from __future__ import annotations

import socket
import threading
import time

from tests.escpos_decoder import Paper, decode

PAPER_OK, PAPER_OUT = b"\x12", b"\x72"


class FakeNetworkPrinter:
    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.jobs: list[bytes] = []          # every connection's bytes, complete or not
        self.paper = PAPER_OK
        self.silent = False                  # never answers status (like many cheap printers)
        self.die_after_bytes: int | None = None  # close the socket mid-job once this many arrived
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self.lock = threading.Lock()

    def start(self) -> "FakeNetworkPrinter":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(4)
        server.settimeout(0.1)
        self.port = server.getsockname()[1]
        self._server = server
        self._running.set()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._running.clear()
        if self._thread:
            self._thread.join(2)
        if self._server:
            self._server.close()
            self._server = None

    def _serve(self) -> None:
        while self._running.is_set():
            try:
                conn, _ = self._server.accept()
            except (socket.timeout, OSError):
                continue
            self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        buffer, answered = bytearray(), 0
        index = len(self.jobs)
        with self.lock:
            self.jobs.append(b"")
        conn.settimeout(0.2)
        try:
            while self._running.is_set():
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    break
                buffer += chunk
                if self.die_after_bytes is not None and len(buffer) >= self.die_after_bytes:
                    buffer = buffer[:self.die_after_bytes]
                    self.die_after_bytes = None
                    with self.lock:
                        self.jobs[index] = bytes(buffer)
                    conn.close()  # the printer was switched off mid-job
                    return
                with self.lock:
                    self.jobs[index] = bytes(buffer)
                try:
                    queries = decode(bytes(buffer)).status_queries
                except (IndexError, ValueError, UnicodeDecodeError):
                    continue  # a command cut in half: wait for the rest
                while answered < queries:
                    answered += 1
                    if not self.silent:
                        conn.sendall(self.paper)
        finally:
            conn.close()

    def papers(self) -> list[Paper]:
        """Decoded jobs that came out whole (ended with a cut or a drawer kick)."""
        with self.lock:
            jobs = list(self.jobs)
        out = []
        for job in jobs:
            try:
                paper = decode(job)
            except (IndexError, ValueError, UnicodeDecodeError):
                continue
            if paper.cuts or paper.kicks:
                out.append(paper)
        return out

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Paper]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            papers = self.papers()
            if len(papers) >= count:
                return papers
            time.sleep(0.02)
        raise AssertionError(f"expected {count} printed jobs, got {len(self.papers())}")
