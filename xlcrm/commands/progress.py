"""What the person waiting sees: stage lines with elapsed time, and a progress bar."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


class Stopwatch:
    """Stage timings, and progress lines for the person waiting."""

    def __init__(self, say: Callable[[str], None] = lambda _: None):
        self.say = say
        self.start = time.perf_counter()
        self.stages: dict[str, float] = {}

    def stage(self, name: str, fn, *args, **kwargs):
        self.say(f"[{time.perf_counter() - self.start:6.1f}s] {name} …")
        t = time.perf_counter()
        result = fn(*args, **kwargs)
        self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - t
        return result

    def note(self, text: str) -> None:
        self.say(f"[{time.perf_counter() - self.start:6.1f}s]   {text}")


def progress_bar(stream=sys.stderr) -> Callable[[int, int, float], None]:
    """'[██████······] 120/400 位客户经理 · 已用 35s · 还需约 82s' — redrawn in place on a terminal."""
    live = stream.isatty()
    last = [0.0]

    def show(done: int, total: int, elapsed: float) -> None:
        if not live and 1 < done < total and elapsed - last[0] < 5:
            return  # a log file gets a line every few seconds, not one per manager
        last[0] = elapsed
        width = 24
        filled = round(width * done / total)
        left = elapsed / done * (total - done) if done else 0
        line = f"[{'█' * filled}{'·' * (width - filled)}] {done}/{total} 位客户经理 · 已用 {elapsed:.0f}s" + (
            f" · 还需约 {left:.0f}s" if done < total else ""
        )
        stream.write(("\r" + line) if live else line + "\n")
        if live and done == total:
            stream.write("\n")
        stream.flush()

    return show
