"""Opening the store: WAL, a busy timeout so the GUI, a print worker and a CLI command can
share the file, and the migrations. One connection per Store, guarded by a lock, because
print workers write from their own threads."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from desktop.errors import SigiloError
from desktop.store.datakey import DataKey, load_data_key
from desktop.store.migrations import MIGRATIONS
from desktop.i18n import _

DB_FILE = "sigilo.db"


class StoreError(SigiloError):
    pass


class Store:
    def __init__(self, path: Path, data_key: DataKey | None = None) -> None:
        self.path = Path(path)
        self.home = self.path.parent
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                        check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA busy_timeout=30000")
        except sqlite3.Error as exc:
            raise StoreError(_("cannot open the store {path}: {exc}").format(path=self.path, exc=exc),
                             _("check the folder's permissions and free space")) from None
        self.conn.row_factory = sqlite3.Row
        for suffix in ("", "-wal", "-shm"):  # station data is for this account only
            try:
                os.chmod(str(self.path) + suffix, 0o600)
            except OSError:
                pass
        self._migrate()
        self._data_key = data_key

    @property
    def data_key(self) -> DataKey:
        if self._data_key is None:
            self._data_key = load_data_key(self.home)
        return self._data_key

    def _migrate(self) -> None:
        with self.tx() as c:
            version = c.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(_("the store {path} was written by a newer Sigilo (schema {version})").format(path=self.path, version=version),
                                 _("update Sigilo on this station"))
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        c.execute(statement)
                c.execute(f"PRAGMA user_version={number}")

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: the writer lock is taken up front, so a
        read-then-write such as the next audit seq cannot interleave with another process)."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def schema_version(self) -> int:
        return self.query("PRAGMA user_version")[0][0]

    # settings: JSON values, so thresholds keep their types
    def get_setting(self, key: str, default: Any = None) -> Any:
        rows = self.query("SELECT value FROM settings WHERE key=?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO settings(key, value) VALUES(?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, json.dumps(value)))

    def close(self) -> None:
        with self._lock:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_store(home: Path | None = None) -> Store:
    """The station's store in ``home`` (default: desktop.paths.data_dir())."""
    if home is None:
        from desktop.paths import data_dir

        home = data_dir()
    return Store(Path(home) / DB_FILE)
