"""Sigilo: privacy waybills. This package is the Qt-free core; the GUI lives in desktop.ui."""

__version__ = "0.1.0"
