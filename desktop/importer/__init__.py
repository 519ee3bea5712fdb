"""Batch import of shop order exports (CSV in UTF-8, UTF-8 with BOM or GB18030, and XLSX) into
shipments, through column mappings kept as data: the known exports in
resources/import_mappings/, the merchant's own in the station's import_mappings/ folder.
Qt-free, so the command line and the GUI share it."""

from desktop.importer.errors import ImportFileError, MappingError
from desktop.importer.mapping import (
    Mapping,
    find_mapping,
    list_mappings,
    recognise,
    save_user_mapping,
)
from desktop.importer.reading import Table, read_table
from desktop.importer.rows import (
    Defaults,
    ImportReport,
    RowResult,
    import_file,
    import_table,
)

__all__ = [
    "Defaults", "ImportFileError", "ImportReport", "Mapping", "MappingError", "RowResult", "Table",
    "find_mapping", "import_file", "import_table", "list_mappings", "read_table", "recognise",
    "save_user_mapping",
]
