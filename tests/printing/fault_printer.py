"""A fault-injecting ESC/POS printer for tests: a real TCP socket on 127.0.0.1, or a serial port on a pty.

Each TCP connection is one job (as on port 9100). The printer answers DLE EOT 1, 2 and 4 in order,
after the bytes before each query (as a real one does), and misbehaves as its mode says:

ok               accepts everything, answers every status query
down_then_up     the first `down` connections are reset at once (the printer is off), then ok
paper_out        answers "paper end" (DLE EOT 2 and 4) for the first `down` connections, then ok
close_mid        closes the connection after `cut_at` bytes of the first `down` jobs
close_unconfirmed takes the whole job and closes before answering the status query after it
silent           never answers a status query (many cheap printers)
slow             reads one byte per millisecond
reset_mid        resets the connection (RST) after `cut_at` bytes of the first `down` jobs

On a pty (serial) there are no connections: everything is one stream; modes ok, paper_out (the first
`down` status rounds), silent, slow and down_then_up (answers "offline" for the first `down` rounds).
"""
from __future__ import annotations

import os
import socket
import struct
import threading
import time
import tty

OK = {1: b"\x12", 2: b"\x12", 4: b"\x12"}
PAPER_END = {1: b"\x1a", 2: b"\x32", 4: b"\x72"}   # offline because of paper end; sensor says end
OFFLINE = {1: b"\x1a", 2: b"\x12", 4: b"\x12"}      # offline bit only
MODES = ("ok", "down_then_up", "paper_out", "close_mid", "close_unconfirmed", "silent", "slow", "reset_mid")
KICK = b"\x1bp"


def _queries(data: bytes) -> list[tuple[int, int]]:
    """(end offset, n) of every DLE EOT n in the stream, found by scanning the renderer's own framing.

    The renderer puts status queries only before and after a job, never inside one, so a plain
    scan is enough; the end offset says after which bytes the query stands.
    """
    out, i = [], 0
    while True:
        i = data.find(b"\x10\x04", i)
        if i < 0 or i + 2 >= len(data):
            return out
        out.append((i + 3, data[i + 2]))
        i += 3


class FaultPrinter:
    """Shared bookkeeping: every job's bytes, and what the printer answers."""

    def __init__(self, mode: str = "ok", *, down: int = 2, cut_at: int = 400) -> None:
        assert mode in MODES, mode
        self.mode, self.down, self.cut_at = mode, down, cut_at
        self.jobs: list[bytes] = []
        self.lock = threading.Lock()
        self._running = threading.Event()
        self._thread: threading.Thread | None = None
        self.connections = 0

    def _answer(self, n: int, round_no: int) -> bytes:
        if self.mode == "silent":
            return b""
        if self.mode == "paper_out" and round_no < self.down:
            return PAPER_END.get(n, b"\x12")
        if self.mode == "down_then_up" and round_no < self.down:
            return OFFLINE.get(n, b"\x12")
        return OK.get(n, b"\x12")

    def stop(self) -> None:
        self._running.clear()
        if self._thread:
            self._thread.join(3)

    def job_bytes(self) -> list[bytes]:
        with self.lock:
            return list(self.jobs)


class FaultTcpPrinter(FaultPrinter):
    """One connection, one job, on a real socket."""

    def start(self) -> "FaultTcpPrinter":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0.05)
        self.port = server.getsockname()[1]
        self._server = server
        self._running.set()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        super().stop()
        self._server.close()

    def _serve(self) -> None:
        while self._running.is_set():
            try:
                conn, _ = self._server.accept()
            except (socket.timeout, OSError):
                continue
            number = self.connections
            self.connections += 1
            try:
                self._handle(conn, number)
            except OSError:
                pass
            finally:
                conn.close()

    @staticmethod
    def _reset(conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
        conn.close()

    def _handle(self, conn: socket.socket, number: int) -> None:
        if self.mode == "down_then_up" and number < self.down:
            self._reset(conn)
            return
        index = len(self.jobs)
        with self.lock:
            self.jobs.append(b"")
        buffer, answered = bytearray(), 0
        conn.settimeout(0.1)
        faulty = number < self.down
        while self._running.is_set():
            try:
                chunk = conn.recv(1 if self.mode == "slow" else 65536)
            except socket.timeout:
                continue
            if not chunk:
                return
            if self.mode == "slow":
                time.sleep(0.001)
            buffer += chunk
            if self.mode in ("close_mid", "reset_mid") and faulty and len(buffer) >= self.cut_at:
                with self.lock:
                    self.jobs[index] = bytes(buffer[:self.cut_at])
                if self.mode == "reset_mid":
                    self._reset(conn)
                else:
                    conn.close()
                return
            with self.lock:
                self.jobs[index] = bytes(buffer)
            queries = _queries(bytes(buffer))
            while answered < len(queries):
                end, n = queries[answered]
                if self.mode == "close_unconfirmed" and end > 9:  # a query after the job's bytes
                    conn.close()
                    return
                answered += 1
                reply = self._answer(n, number)
                if reply:
                    conn.sendall(reply)


class FaultPtyPrinter(FaultPrinter):
    """A serial printer on a pseudo-terminal: the kiosk opens `path` with pyserial."""

    def start(self) -> "FaultPtyPrinter":
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave  # kept open so the pty survives the kiosk closing its end
        self._running.set()
        self.stream = bytearray()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        super().stop()
        os.close(self.master)
        os.close(self._slave)

    def _serve(self) -> None:
        import select
        answered = 0
        while self._running.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 1 if self.mode == "slow" else 65536)
            except OSError:
                continue
            if self.mode == "slow":
                time.sleep(0.001)
            self.stream += chunk
            queries = _queries(bytes(self.stream))
            while answered < len(queries):
                _, n = queries[answered]
                reply = self._answer(n, answered // 6)  # 6 queries (3 before, 3 after) a job
                answered += 1
                if reply:
                    os.write(self.master, reply)

    def job_bytes(self) -> list[bytes]:
        """The stream cut into jobs: each job starts at ESC @ after its status queries."""
        data = bytes(self.stream)
        parts, start = [], data.find(b"\x1b@")
        while start >= 0:
            nxt = data.find(b"\x1b@", start + 2)
            parts.append(data[start: nxt if nxt >= 0 else len(data)])
            start = nxt
        return parts
