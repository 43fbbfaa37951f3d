"""The store's history of a build's route customers, read on a thread while the district's
tables are read: parsing a million-row grade table leaves Python's lock free (fastexcel), so
the history costs the build almost nothing. The route codes come from a quick text read of the
route workbook; whatever this guess misses, store.builds.history_around reads afterwards.

Nothing here reports: any failure leaves the read empty and the build reads the history itself,
where a problem (a store that cannot be opened, a file that cannot be read) is said."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ..core.model import RouteBook
from ..core.quarters import Quarter
from ..core.titles import Labels
from ..io.input_files import load_routes
from ..store.builds import StoredHistory, stored_history
from ..store.database import is_url, open_store


class HistoryAhead:
    """Started before the inputs are read; result() after they are."""

    def __init__(self, request, labels_of: Callable[[object, RouteBook], Labels]):
        self._request, self._labels_of = request, labels_of
        self._found: StoredHistory | None = None
        self._thread = threading.Thread(target=self._read, name="xlcrm-history-ahead", daemon=True)
        self._thread.start()

    def result(self) -> StoredHistory | None:
        """What was read (waits for it), or None when nothing could be read ahead."""
        self._thread.join()
        return self._found

    def _read(self) -> None:
        request = self._request
        if not is_url(request.store) and not Path(request.store).is_file():
            return  # a store made by this run holds nothing yet (and is made by the run, not here)
        try:
            routes = load_routes(request.files.routes, request.columns, typed=False)
            labels = self._labels_of(request, routes)
            quarter = Quarter.find(labels.quarter)
            if quarter is None:
                return
            codes = routes.customers["customer_code"].dropna().tolist()
            with open_store(request.store) as store:
                self._found = stored_history(store, quarter, labels.manager or "", codes)
        except Exception:  # noqa: BLE001 - the build reads the history itself and says what is wrong
            self._found = None
