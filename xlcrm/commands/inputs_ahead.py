"""The order detail (batch and build) and every manager's visit log (batch), read in a process of
their own while the district's tables are read: that read keeps one core busy and leaves the
other idle, and these would otherwise come before it (the order detail) or in every manager's
run (the logs)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ..core.errors import XlcrmError
from ..core.inputs import ORDERS
from ..core.orders import Orders, prepare_orders
from ..core.visits import VisitLog
from ..io.input_files import load_input, load_visit_logs

LOWEST_PRIORITY = 19  # os.nice: the child takes a core when the district's read leaves it idle


@dataclass(frozen=True)
class ReadAhead:
    orders: Orders | None
    logs: dict[str, VisitLog | XlcrmError]  # manager → their log from --visits-dir, or why not


def read_ahead(
    orders: Path | None, columns: Mapping[str, str], as_of: dt.date, logs: Mapping[str, Path]
) -> ReadAhead:
    """The order detail reduced to each customer's figures (the lines are not kept) and each
    manager's visit log; a problem with the order detail is raised, one with a log is that
    manager's."""
    found = prepare_orders(load_input(orders, ORDERS, columns), as_of) if orders else None
    managers = list(logs)
    return ReadAhead(found, dict(zip(managers, load_visit_logs([logs[m] for m in managers]))))


class InputsAhead:
    """read_ahead in a child process (spawned: safe beside Arrow's and pandas' threads), started
    before the district's tables are read; result() after they are. The child is a daemon: a
    run that fails meanwhile does not wait for it."""

    def __init__(
        self, orders: Path | None, columns: Mapping[str, str], as_of: dt.date, logs: Mapping[str, Path]
    ):
        self._args = (orders, dict(columns), as_of, dict(logs))
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_read, args=(child, self._args), daemon=True, name="xlcrm-read-ahead"
        )
        self._process.start()
        child.close()

    def result(self) -> ReadAhead:
        """What was read (waits for it); a problem with the order detail raised as if read here."""
        try:
            read, found = self._pipe.recv()
        except (EOFError, OSError):  # the child died (killed, out of memory, a bug): read here
            read, found = True, read_ahead(*self._args)
        finally:
            self._pipe.close()
            self._process.join()
        if not read:
            raise found
        return found

    def __enter__(self) -> InputsAhead:
        return self

    def __exit__(self, failed, *_) -> None:
        """Around the district's read: if it fails, the child goes at once (result() after)."""
        if failed is not None:
            self.stop()

    def stop(self) -> None:
        """The run failed before it needed what is read: the child goes at once."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._pipe.close()


def _read(pipe: Connection, args: tuple) -> None:
    """In the child: what read_ahead found, or the XlcrmError it raised (anything else ends the
    child, and the run reads for itself, where a bug shows as one)."""
    if hasattr(os, "nice"):  # not on Windows: there both share the cores evenly
        os.nice(LOWEST_PRIORITY)
    try:
        found = True, read_ahead(*args)
    except XlcrmError as exc:
        found = False, exc
    try:
        pipe.send(found)
    except (BrokenPipeError, OSError):  # the run is gone: nobody to tell
        pass
    pipe.close()
