"""Errors of the import, each with the hint a merchant needs to fix the file or the mapping."""

from desktop.errors import SigiloError


class ImportFileError(SigiloError):
    """The file cannot be read as a table at all."""


class MappingError(SigiloError):
    """No mapping fits the file's columns, or a mapping names columns the file lacks."""
