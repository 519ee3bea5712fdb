"""The PySide6 GUI: the only part of Sigilo that imports Qt."""
