"""The station's private store: one SQLite file (WAL) in the user data directory.

It keeps what a station may keep: printed labels as masked view + sealed QR text + a hash of
the bytes sent, and drafts or unprinted orders only encrypted with the installation data key.
"""

from desktop.store.datakey import DataKey, load_data_key
from desktop.store.db import Store, StoreError, open_store

__all__ = ["Store", "open_store", "StoreError", "DataKey", "load_data_key"]
