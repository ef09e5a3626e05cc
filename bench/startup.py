"""Start-up: process start to the first drawn home screen, against a bare Kivy app in the same run.

Run: .venv/bin/python bench/startup.py [--runs N]. Target: kiosk ≤ 1.5× the bare app (median).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE_APP = r'''
import time
from kivy.app import App
from kivy.core.window import Window
from kivy.uix.label import Label

class Bare(App):
    def build(self):
        def flipped(*a):
            print(f"FIRST_FRAME {time.time():.6f}", flush=True)
            Window.unbind(on_flip=flipped)
            self.stop()
        Window.bind(on_flip=flipped)
        return Label(text="Hello")

Bare().run()
'''


def time_to_first_frame(cmd: list[str], env: dict) -> float:
    start = time.time()
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("FIRST_FRAME "):
            return float(line.split()[1]) - start
    raise RuntimeError(f"no first frame from {cmd}: {out.stderr[-1500:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = dict(os.environ, SDL_VIDEODRIVER=os.environ.get("SDL_VIDEODRIVER", "offscreen"),
               KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_CLIPBOARD="sdl2")
    with tempfile.TemporaryDirectory() as tmp:
        env["KIOSK_HOME"] = tmp
        db = str(Path(tmp) / "bench.db")
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_APP)
        kiosk_cmd = [sys.executable, "-m", "kiosk", "run", "--demo", "--db", db, "--first-frame-exit"]
        # `kiosk run` never creates a database (kiosk db init does); the first run adds the demo data.
        import subprocess
        subprocess.run([sys.executable, "-m", "kiosk", "db", "init", "--db", db], env=env, check=True,
                       capture_output=True)
        cold = time_to_first_frame(kiosk_cmd, env)  # first run creates the demo data
        bare, kiosk = [], []
        for _ in range(args.runs):  # interleaved so load changes hit both alike
            bare.append(time_to_first_frame([sys.executable, str(bare_script)], env))
            kiosk.append(time_to_first_frame(kiosk_cmd, env))
    b, k = statistics.median(bare), statistics.median(kiosk)
    print(f"runs: {args.runs} each (interleaved)")
    print(f"bare Kivy app   median {b * 1000:7.0f} ms  (min {min(bare) * 1000:.0f}, max {max(bare) * 1000:.0f})")
    print(f"kiosk home      median {k * 1000:7.0f} ms  (min {min(kiosk) * 1000:.0f}, max {max(kiosk) * 1000:.0f})")
    print(f"kiosk first run {cold * 1000:7.0f} ms  (creates the demo data)")
    print(f"ratio kiosk/bare: {k / b:.2f}  (target ≤ 1.50)")


if __name__ == "__main__":
    main()
