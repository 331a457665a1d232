"""SQLite task store (standard library only).

One connection per `TaskStore`, guarded by a lock so threads can share it; WAL and a busy timeout
so several processes can write one file. `transaction()` groups writes: the executor runs a whole
action block inside one and rolls it back when any call fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator, Optional

from pydantic import BaseModel

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    due_date TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
"""


class Task(BaseModel):
    id: int
    title: str
    due_date: Optional[str] = None
    status: str = "open"

    def public(self) -> dict[str, Any]:
        return {"title": self.title, "due_date": self.due_date, "status": self.status}


def title_key(title: str) -> str:
    """Matching key: case- and whitespace-insensitive (the only normalization matching applies)."""
    return " ".join(title.split()).casefold()


class TaskStore:
    def __init__(self, path: str | Path = ":memory:", timeout_s: float = 30.0) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a block is one transaction.
        self._conn = sqlite3.connect(
            self.path, timeout=timeout_s, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        with self._lock:
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(SCHEMA)

    # -- transactions -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator["TaskStore"]:
        """All writes inside commit together or not at all. Re-entrant (nested = same txn)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            # IMMEDIATE takes the write lock up front: no deadlock between two writers upgrading.
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def _rows(self, sql: str, params: tuple = ()) -> list[Task]:
        with self._lock:
            return [Task(**dict(r)) for r in self._conn.execute(sql, params).fetchall()]

    # -- writes -------------------------------------------------------------------------------
    def add(self, title: str, due_date: Optional[str] = None) -> Task:
        with self.transaction():
            cur = self._conn.execute(
                "INSERT INTO tasks (title, due_date) VALUES (?, ?)", (title, due_date)
            )
            return Task(id=cur.lastrowid, title=title, due_date=due_date, status="open")

    def set_status(self, task_id: int, status: str) -> None:
        with self.transaction():
            self._conn.execute("UPDATE tasks SET status = ? WHERE id = ?", (status, task_id))

    def delete(self, task_id: int) -> None:
        with self.transaction():
            self._conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))

    def clear(self) -> None:
        with self.transaction():
            self._conn.execute("DELETE FROM tasks")

    # -- reads --------------------------------------------------------------------------------
    def list(self, status: str = "all") -> list[Task]:
        if status == "all":
            return self._rows("SELECT id, title, due_date, status FROM tasks ORDER BY id")
        return self._rows(
            "SELECT id, title, due_date, status FROM tasks WHERE status = ? ORDER BY id", (status,)
        )

    def find(self, title: str, status: Optional[str] = None) -> list[Task]:
        key = title_key(title)
        return [t for t in self.list(status or "all") if title_key(t.title) == key]

    def closest_titles(self, title: str, n: int = 3) -> list[str]:
        tasks = self.list("all")
        by_key = {title_key(t.title): t.title for t in tasks}
        keys = difflib.get_close_matches(title_key(title), list(by_key), n=n, cutoff=0.3)
        return [by_key[k] for k in keys]

    def summary(self, today: dt.date) -> dict[str, int]:
        tasks = self.list("all")
        iso = today.isoformat()
        open_tasks = [t for t in tasks if t.status == "open"]
        return {
            "total": len(tasks),
            "open": len(open_tasks),
            "done": len(tasks) - len(open_tasks),
            "due_today": sum(t.due_date == iso for t in open_tasks),
            "overdue": sum(t.due_date is not None and t.due_date < iso for t in open_tasks),
        }

    def snapshot(self) -> list[dict[str, Any]]:
        """The store's state without ids, in insertion order (for comparing two stores)."""
        return [t.public() for t in self.list("all")]

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "TaskStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def from_snapshot(cls, tasks: list[dict[str, Any]], path: str = ":memory:") -> "TaskStore":
        store = cls(path)
        with store.transaction():
            for t in tasks:
                created = store.add(t["title"], t.get("due_date"))
                if t.get("status", "open") != "open":
                    store.set_status(created.id, t["status"])
        return store
