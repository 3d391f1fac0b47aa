"""Group commit: the threads of one process that write at the same moment share their statements.

Each request thread hands its item to `GroupCommit.run`, which returns once the item's batch is
written. There is no thread of its own and no waiting for a batch to fill: the first thread to
arrive while nothing is being written writes at once, alone, on its own database connection (the
request's, with the request's health check and age); the threads that arrive while it writes queue
up, and when it is done the first of them writes everything queued meanwhile, as one batch. Idle,
a batch is one item and costs what an item written alone costs; busy, the batch grows with the
time a write takes, which is what makes statements per item fall as the load rises (PostgreSQL's
own commit does the same with WAL flushes).

`write(items)` must give each item its outcome, or raise: then every item of the batch gets the
exception. It is the writer's job to keep one bad item from failing the others (retry them alone
where a statement of many failed), because only the writer knows which of its statements already
took effect.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Slot(Generic[T]):
    __slots__ = ("done", "error", "item", "lead")

    def __init__(self, item: T) -> None:
        self.item = item
        self.done = threading.Event()
        self.lead = False  # woken to write the queue, not because its item was written
        self.error: BaseException | None = None


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[list[T]], None], max_batch: int = 50) -> None:
        self.write = write
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Slot[T]] = []
        self._busy = False  # a thread is writing; while it is, the queue's threads wait
        self.batches = 0  # how many batches and items were written (for the benchmarks)
        self.items = 0

    def run(self, item: T) -> None:
        """Write `item` with whatever else is waiting; return when it is written (or raise what
        writing its batch raised)."""
        slot = _Slot(item)
        with self._lock:
            self._queue.append(slot)
            lead = not self._busy
            self._busy = True
        if not lead:
            slot.done.wait()
        if lead or slot.lead:
            self._write_queue(slot)
        if slot.error is not None:
            raise slot.error

    def _write_queue(self, own: _Slot[T]) -> None:
        # The queue is empty unless a thread writes (`_busy`), and a writer hands over to the first
        # slot left: this thread's slot is the queue's first, so its own item is in this batch.
        with self._lock:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
        try:
            self.write([slot.item for slot in batch])
        except BaseException as exc:  # every item of the batch is told, the writer's thread too
            for slot in batch:
                slot.error = exc
        finally:
            with self._lock:
                self.batches += 1
                self.items += len(batch)
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].done.set()
                else:
                    self._busy = False
            for slot in batch:
                if slot is not own:
                    slot.done.set()
