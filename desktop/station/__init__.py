"""The station service: the one application layer the window (desktop.ui), the CLI
(``sigilo print``, ``sigilo batch --print``, ``sigilo jobs``), the print bridge and real-name
sending call to print, reprint, void, test-print (calibrate), read printer status, scan and
record imports. Qt-free; see desktop.station.service for the rules it holds for every caller.

Typical use::

    from desktop.station import Station, Printer

    with Station() as station:                      # the data folder's store and keys/
        station.start_queue(on_event)               # one worker thread per printer
        sub = station.submit([shipment], Printer("Counter", "tcp://10.0.0.5:9100", "zpl-203"),
                             "waybill-100x150", copies=1)
        ...                                         # events report sent / confirmed / failed

    result = Station(sealer=unlocked).print_and_wait(shipments, uri, "zpl-203", template)
    result.refused                                  # numbers already live here, by index

Errors are SigiloError subclasses with a fix hint (``describe(exc)`` gives (message, hint) for
printer errors too): DuplicateTracking, NoStationKeys, NotAuthorized, VoidedSeal (desktop.seal.voids).
"""

from desktop.compose.testlabel import test_scene
from desktop.jobs.errors import DuplicateTracking
from desktop.seal.voids import VoidedSeal
from desktop.station.errors import NoStationKeys, NotAuthorized, describe, one_line
from desktop.station.keyimport import import_key_files
from desktop.station.keys import (
    forget_keys,
    has_station_keys,
    is_demo,
    scanner,
    sealer,
    use_demo_keys,
)
from desktop.station.preview import (
    PLACEHOLDER_TRACKING,
    Preview,
    profile_dpi,
    render_preview,
)
from desktop.station.printing import PrintOutcome, pdf_target
from desktop.station.scanning import open_seal, read_label
from desktop.station.service import (
    BatchResult,
    HistoryRow,
    Printer,
    Refusal,
    Station,
    Submitted,
    queue_light,
)
from desktop.station.status import clerk_words, discovered_printers, query_printer

__all__ = [
    "PLACEHOLDER_TRACKING",
    "BatchResult",
    "DuplicateTracking",
    "HistoryRow",
    "NoStationKeys",
    "NotAuthorized",
    "Preview",
    "PrintOutcome",
    "Printer",
    "Refusal",
    "Station",
    "Submitted",
    "VoidedSeal",
    "clerk_words",
    "read_label",
    "describe",
    "discovered_printers",
    "forget_keys",
    "has_station_keys",
    "import_key_files",
    "is_demo",
    "one_line",
    "open_seal",
    "pdf_target",
    "profile_dpi",
    "query_printer",
    "queue_light",
    "render_preview",
    "scanner",
    "sealer",
    "test_scene",
    "use_demo_keys",
]
