"""A recording made beside the run: a process of its own writes the quarter into the store
while the run reads the history and writes its outputs, and commits only when the run says
so — a run that fails, or is killed, leaves the store as it was."""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection

from ..core.errors import XlcrmError
from .database import open_store
from .recording import QuarterRecord, record

COMMIT, ABANDON = "commit", "abandon"


class Abandoned(Exception):
    """The run did not finish: the recording rolls back."""


class PendingRecording:
    """`record` in a child process (spawned: safe beside Arrow's and pandas' threads), held open
    until commit() or abandon()."""

    def __init__(self, target: str, entry: QuarterRecord):
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_record, args=(str(target), entry, child), daemon=True, name="xlcrm-record"
        )
        self._process.start()
        child.close()

    def commit(self) -> None:
        """Waits for the recording to be written, then keeps it (a clear error if it failed)."""
        try:
            self._pipe.send(COMMIT)
            done = self._pipe.recv()
        except (EOFError, BrokenPipeError, ConnectionError):
            done = "记录到客户档案库的进程意外中止，档案库没有改动"
        finally:
            self._close()
        if done != "ok":
            raise XlcrmError(done)

    def abandon(self) -> None:
        try:
            self._pipe.send(ABANDON)
        except (BrokenPipeError, ConnectionError, OSError):
            pass
        self._close()

    def _close(self) -> None:
        self._process.join(timeout=600)
        self._pipe.close()


def _record(target: str, entry: QuarterRecord, pipe: Connection) -> None:
    """In the child: everything written inside one transaction, committed on the run's word."""

    def wait_for_the_run() -> None:
        try:
            word = pipe.recv()  # the run's outputs are being written meanwhile
        except EOFError:  # the run is gone (failed, killed): roll back
            raise Abandoned() from None
        if word != COMMIT:
            raise Abandoned()

    try:
        with open_store(target) as store:
            record(store, entry, before_commit=wait_for_the_run)
        answer = "ok"
    except Abandoned:
        answer = "abandoned"
    except XlcrmError as exc:
        answer = str(exc)
    except Exception as exc:  # noqa: BLE001 - said to the run, which shows it as one line
        answer = f"记录到客户档案库时出错（{type(exc).__name__}: {exc}），档案库没有改动"
    try:
        pipe.send(answer)
    except (BrokenPipeError, ConnectionError, OSError):
        pass
