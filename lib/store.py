"""SQLite task store (standard library only).

One connection per `TaskStore`, guarded by a lock so threads can share it; WAL and a busy timeout
so several processes can write one file. `transaction()` groups writes: the executor runs a whole
action block inside one and rolls it back when any call fails.

Nothing a model does is lost for good: `delete` moves a task to the trash (`restore` brings it
back), and `revert` puts every task an action block touched back as it was (`UndoRecord`). Only
`clear` (the user's own "clear tasks" button or API call) removes rows.

Titles match on `title_key`: Unicode NFKC, case-folded, spaces collapsed, invisible format
characters dropped, quote styles made one, so "Café" typed two ways, "BUY  milk" and "buy milk",
`Read “Dune”` and `read 'Dune'` are one title.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
import sqlite3
import threading
import unicodedata
from pathlib import Path
from typing import Any, Iterator, Optional

from pydantic import BaseModel, Field

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    due_date TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at TEXT
);
"""
_COLUMNS = "id, title, due_date, status, deleted_at"
_FILLER = {"the", "a", "an", "my", "task", "one", "to-do", "todo"}  # not needed to name a task


class Task(BaseModel):
    id: int
    title: str
    due_date: Optional[str] = None
    status: str = "open"
    deleted_at: Optional[str] = None

    def public(self) -> dict[str, Any]:
        return {"title": self.title, "due_date": self.due_date, "status": self.status}


class UndoRecord(BaseModel):
    """What an action block changed: rows it created, and every touched row as it was before."""

    created: list[int] = Field(default_factory=list)
    before: list[Task] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.created and not self.before


# About one slip in ten letters: "Submit my timsheet" ~ "Submit my timesheet" (0.97), "Re reply to
# Emma's text" ~ "Reply to Emma's text" (0.93); "Call mom" and "Call Tom" (0.875) stay apart.
NEAR_SPELLING = 0.9


def spelling_similarity(a: str, b: str, at_least: float = NEAR_SPELLING) -> float:
    """2 x (longest common subsequence) / (len a + len b): 1.0 for equal strings, (2n-2)/(2n-1)
    for one letter dropped from n. difflib's ratio() approximates this greedily and can miss
    ("aaaaaa aaa" ~ "aaa aaa aaa" scores 0.67), so it only screens: its quick_ratio() is an
    upper bound, and the exact subsequence is computed only for the strings that pass it: a
    pair that cannot reach `at_least` scores 0.0."""
    if not a or not b:
        return float(a == b)
    if difflib.SequenceMatcher(None, a, b).quick_ratio() < at_least:
        return 0.0
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    return 2 * previous[-1] / (len(a) + len(b))


# Every quote mark and apostrophe, ASCII or typographic, is one character in the key: phones type
# “Dune” and Emma’s, keyboards "Dune", 'Dune' and Emma's, and a person means the same task.
QUOTE_STYLES = str.maketrans({q: "'" for q in "\"“”„‟«»‘’‚‛`´′″"})  # one character for one, so offsets hold


def title_key(title: str) -> str:
    """Matching key: NFKC, case-folded, format characters dropped, whitespace collapsed, quote
    styles made one."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", title) if unicodedata.category(ch) != "Cf")
    return " ".join(text.translate(QUOTE_STYLES).split()).casefold()


def title_words(title: str) -> set[str]:
    """The words that name a task ("the dentist one" -> {"dentist"})."""
    return {w for w in re.findall(r"[\w'-]+", title_key(title)) if w not in _FILLER}


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
        self._undo: Optional[UndoRecord] = None
        with self._lock:
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(SCHEMA)
            columns = {r["name"] for r in self._conn.execute("PRAGMA table_info(tasks)")}
            if "deleted_at" not in columns:  # a file written before the trash existed
                self._conn.execute("ALTER TABLE tasks ADD COLUMN deleted_at TEXT")

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

    @contextlib.contextmanager
    def recording(self) -> Iterator[UndoRecord]:
        """A transaction that also records what it changed, for `revert`."""
        with self._lock, self.transaction():
            self._undo = record = UndoRecord()
            try:
                yield record
            finally:
                self._undo = None

    def _remember(self, task_id: int) -> None:
        if self._undo is not None and task_id not in self._undo.created \
                and all(t.id != task_id for t in self._undo.before):
            self._undo.before.append(self.get(task_id, include_deleted=True))

    def revert(self, record: UndoRecord) -> None:
        """Put back every task `record` touched as it was, and remove the tasks it created."""
        with self.transaction():
            for task_id in record.created:
                self._conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
            for t in record.before:
                self._conn.execute("UPDATE tasks SET title = ?, due_date = ?, status = ?, deleted_at = ? WHERE id = ?",
                                   (t.title, t.due_date, t.status, t.deleted_at, t.id))

    def _rows(self, sql: str, params: tuple = ()) -> list[Task]:
        with self._lock:
            return [Task(**dict(r)) for r in self._conn.execute(sql, params).fetchall()]

    # -- writes -------------------------------------------------------------------------------
    def add(self, title: str, due_date: Optional[str] = None) -> Task:
        with self.transaction():
            cur = self._conn.execute("INSERT INTO tasks (title, due_date) VALUES (?, ?)", (title, due_date))
            if self._undo is not None:
                self._undo.created.append(cur.lastrowid)
            return Task(id=cur.lastrowid, title=title, due_date=due_date, status="open")

    def update(self, task_id: int, **changes: Any) -> Task:
        """Set any of title, due_date, status (due_date=None clears it)."""
        allowed = {k: v for k, v in changes.items() if k in ("title", "due_date", "status")}
        with self.transaction():
            self._remember(task_id)
            for column, value in allowed.items():  # column names come from the fixed tuple above
                self._conn.execute(f"UPDATE tasks SET {column} = ? WHERE id = ?", (value, task_id))
            return self.get(task_id)

    def set_status(self, task_id: int, status: str) -> None:
        self.update(task_id, status=status)

    def delete(self, task_id: int) -> None:
        """Move to the trash."""
        with self.transaction():
            self._remember(task_id)
            self._conn.execute("UPDATE tasks SET deleted_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                               (task_id,))

    def restore(self, task_id: int) -> None:
        with self.transaction():
            self._remember(task_id)
            self._conn.execute("UPDATE tasks SET deleted_at = NULL WHERE id = ?", (task_id,))

    def clear(self) -> int:
        """Remove every task, the trash included, for good. Returns how many rows were removed."""
        with self.transaction():
            return self._conn.execute("DELETE FROM tasks").rowcount

    # -- reads --------------------------------------------------------------------------------
    def get(self, task_id: int, include_deleted: bool = False) -> Task:
        found = self._rows(f"SELECT {_COLUMNS} FROM tasks WHERE id = ?", (task_id,))
        if not found or (found[0].deleted_at and not include_deleted):
            raise KeyError(task_id)
        return found[0]

    def list(self, status: str = "all") -> list[Task]:
        """Tasks not in the trash, oldest first; status "open", "done" or "all"."""
        if status == "all":
            return self._rows(f"SELECT {_COLUMNS} FROM tasks WHERE deleted_at IS NULL ORDER BY id")
        return self._rows(f"SELECT {_COLUMNS} FROM tasks WHERE deleted_at IS NULL AND status = ? ORDER BY id",
                          (status,))

    def trash(self) -> list[Task]:
        return self._rows(f"SELECT {_COLUMNS} FROM tasks WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC, id")

    def find(self, title: str, status: Optional[str] = None, in_trash: bool = False) -> list[Task]:
        """Tasks whose title is this title (title_key), oldest first."""
        key = title_key(title)
        pool = self.trash() if in_trash else self.list(status or "all")
        return [t for t in pool if title_key(t.title) == key]

    def find_partial(self, title: str, status: Optional[str] = None, in_trash: bool = False) -> list[Task]:
        """Tasks whose title contains every word of this one ("dentist" -> "Call the dentist")."""
        words = title_words(title)
        if not words:
            return []
        pool = self.trash() if in_trash else self.list(status or "all")
        return [t for t in pool if words <= title_words(t.title)]

    def find_near(self, title: str, status: Optional[str] = None, in_trash: bool = False,
                  cutoff: float = NEAR_SPELLING) -> list[Task]:
        """Tasks whose title is a near spelling of this one (`spelling_similarity` >= `cutoff` on
        the matching keys: "Re reply to Emma's text" -> "Reply to Emma's text"), closest first."""
        key = title_key(title)
        pool = self.trash() if in_trash else self.list(status or "all")
        scored = [(spelling_similarity(key, title_key(t.title), cutoff), t) for t in pool]
        return [t for r, t in sorted(scored, key=lambda rt: -rt[0]) if r >= cutoff]

    def closest_titles(self, title: str, n: int = 3, in_trash: bool = False) -> list[str]:
        tasks = self.trash() if in_trash else self.list("all")
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
        """The store's state without ids, in insertion order (for comparing two stores): tasks
        in the trash carry "deleted": True."""
        return [{**t.public(), **({"deleted": True} if t.deleted_at else {})}
                for t in self._rows(f"SELECT {_COLUMNS} FROM tasks ORDER BY id")]

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM tasks WHERE deleted_at IS NULL").fetchone()[0]

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
                if t.get("deleted"):
                    store.delete(created.id)
        return store
