"""The counter clerk's page: the shipment form on the left, the live preview and the printer
on the right. Validation runs as the clerk types (it is fast); composing, sealing, rendering
and printing run as background operations, the preview debounced so typing never waits.
The shipments this window printed are held in memory (never written) so that "Void and
correct…" can reload one whole for the clerk to fix."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget

from desktop.errors import SigiloError
from desktop.i18n import _
from desktop.shipment import Shipment
from desktop import station as services
from desktop.ui import config
from desktop.ui.form import ShipmentForm
from desktop.ui.operations import Operations, describe_error
from desktop.ui.preview import PreviewPanel
from desktop.ui.printer_panel import PrinterPanel
from desktop.ui.recent import RETYPE_NOTE, RecentShipments, correction_data
from desktop.station import Submitted, clerk_words, queue_light
from printers import offers

PREVIEW_DEBOUNCE_MS = 200


def _validate(data: dict):
    from desktop.validation import validate

    return validate(data)


class LabelPage(QWidget):
    status_message = Signal(str, int)  # text, milliseconds (0: until replaced)
    printed = Signal(object)  # PrintOutcome
    void_correct_requested = Signal(str)  # tracking number of the label just printed

    def __init__(self, ops: Operations, station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.station = station
        self.last_validation = None
        self.last_outcome = None
        self.print_count = 0
        self.pending: dict[str, object] = {}  # job id -> Submitted, until the printer confirms
        self.pending_tests: dict[str, str] = {}  # test-print job id -> printer name, until it has printed
        self.recent = RecentShipments()  # in memory only: what "Void and correct…" reloads
        self.form = ShipmentForm()
        self.preview = PreviewPanel()
        self.printer_panel = PrinterPanel()

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        from desktop.ui.identity_section import IdentitySection

        self.identity = IdentitySection(ops, station, self.keys_dir)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(8)
        ll.addWidget(self.identity)
        ll.addWidget(self.form, 1)
        scroll.setWidget(left)
        scroll.setObjectName("formScroll")
        scroll.setMinimumWidth(440)  # the form is never crushed: the page scrolls instead
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(8)
        rl.addWidget(self.preview, 1)
        rl.addWidget(self.printer_panel, 0)
        self.correct_button = QPushButton(_("Void and correct…"))
        self.correct_button.setObjectName("voidCorrectLastButton")
        self.correct_button.setToolTip(_("Wrong detail on the label just printed? Void it (supervisor's approval) and fix it "
                                         "in the form"))
        self.correct_button.setEnabled(False)
        self.correct_button.clicked.connect(self._void_and_correct_last)
        rl.addWidget(self.correct_button, 0, Qt.AlignRight)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 4)
        split.setChildrenCollapsible(False)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(split)

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(PREVIEW_DEBOUNCE_MS)
        self.debounce.timeout.connect(self.refresh_preview)
        self.form.changed.connect(self._on_changed)
        self.form.tracking_entered.connect(self._tracking_scanned)
        self.form.draw_tracking_requested.connect(self.draw_tracking)
        self.printer_panel.print_requested.connect(self.print_label)
        self.printer_panel.test_print_requested.connect(self.test_print)
        self.printer_panel.calibrate_requested.connect(self.calibrate)
        self.printer_panel.printer_changed.connect(self._printer_changed)
        self.printer_panel.refresh_status.connect(self.refresh_status)
        self.preview.scanner_view_toggled.connect(lambda on: on and self._scanner_reading())
        from desktop.ui.scale_watch import ScaleWatch

        self.scale = ScaleWatch(self)
        self.scale.settled.connect(self._scale_settled)
        self.scale.state_changed.connect(self._scale_state)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_label, context=Qt.WindowShortcut)
        QShortcut(QKeySequence(Qt.Key_Escape), self, activated=self.clear, context=Qt.WidgetWithChildrenShortcut)

    # ------------------------------------------------------------------ setup
    def load_settings(self) -> None:
        from desktop.compose import list_templates

        self.form.set_presets(config.sender_presets())
        self.identity.refresh_setup()
        self.printer_panel.load(config.printers(), list_templates())
        self.printer_panel.timer.start()
        self.ops.run(offers.discovered, self.printer_panel.add_discovered, lambda _exc: None,
                     key="discover")
        self._check_scanner()
        try:
            self.scale.start()
        except SigiloError as exc:
            self.status_message.emit(" — ".join(x for x in describe_error(exc) if x), 0)

    def _scale_settled(self, kg: float) -> None:
        if self.form.scale_weight(kg):
            self.status_message.emit(_("Weight from the scale: {kg} kg").format(kg=f"{kg:g}"), 3000)

    def _scale_state(self, state: str, detail: str) -> None:
        if state in ("offline", "silent"):
            self.status_message.emit(_("Counter scale: {problem}. Type the weight by hand meanwhile.").format(
                problem=detail), 0)

    def keys_dir(self):
        return config.station_keys_dir()

    def policy(self) -> str | None:
        return config.get("masking/policy", "") or None

    # ------------------------------------------------------------------ typing
    def _on_changed(self) -> None:
        try:
            result = _validate(self.form.data())
        except Exception as exc:  # noqa: BLE001 - typing must never break the form
            self.status_message.emit(" — ".join(x for x in describe_error(exc) if x), 5000)
            return
        self.last_validation = result
        self.form.show_messages(result.errors + self._duplicate(result.shipment), result.warnings)
        self.identity.show_requirement(result.shipment)
        self.debounce.start()

    def _duplicate(self, shipment) -> list:
        """A tracking number already printed here, as an error beside the field (one indexed
        look-up; the store's unique index decides again when the label is queued)."""
        from desktop.validation import FieldError

        try:
            self.station.check_tracking(shipment.tracking_number)
        except SigiloError as exc:
            return [FieldError("tracking_number", f"{exc.message}. {exc.hint[:1].upper()}{exc.hint[1:]}.")]
        except Exception:  # noqa: BLE001 - the check must never break typing; printing checks again
            return []
        return []

    def _tracking_scanned(self, value: str) -> None:
        # a keyboard-wedge scanner may send a prefix/suffix or a trailing tab: keep the symbol
        clean = "".join(ch for ch in value if ch.isprintable()).strip()
        if clean != self.form.tracking_edit().text():
            self.form.tracking_edit().setText(clean)
        if clean:
            self.status_message.emit(_("tracking number {clean} entered").format(clean=clean), 3000)

    def draw_tracking(self) -> None:
        try:
            number = self.station.draw_tracking_number()  # one short transaction in the store
        except Exception as exc:  # noqa: BLE001 - shown with its hint
            self.status_message.emit(" — ".join(describe_error(exc)), 0)
            return
        if number is None:
            self.status_message.emit(_("the tracking number range is used up: set a new range in Settings"), 0)
            return
        self.form.tracking_edit().setText(number)
        self.form.editor("order_id").setFocus()

    def ask_clear(self) -> bool:
        """Esc on a filled form: ask before throwing the customer's details away."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(self, _("Clear the form?"),
                                      _("Clear this customer's details and start a new label?"),
                                      QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def clear(self) -> None:
        if self.form.is_filled() and not self.ask_clear():
            return
        self.form.clear_for_next()
        self.identity.clear()
        self.status_message.emit(_("cleared for the next customer"), 2000)

    # ------------------------------------------------------------------ preview
    def _preview_shipment(self) -> Shipment:
        if self.last_validation is not None:
            return self.last_validation.shipment
        return Shipment.from_dict(self.form.data())

    def refresh_preview(self) -> None:
        shipment = self._preview_shipment()
        r = shipment.recipient
        if not (r.name.strip() or r.phone.strip() or r.city.strip()):
            self.preview.show_problem(_("Type or paste a recipient to see the label."), "")
            return
        printer = self.printer_panel.printer()
        profile = printer.profile if printer else "pdf"
        template = self.printer_panel.template()
        keys, policy = self.keys_dir(), self.policy()

        def work():
            return services.render_preview(shipment, template, keys, services.profile_dpi(profile), policy)

        self.preview.set_busy(True)
        self.ops.run(work, self._preview_ready, self._preview_failed, key="preview")

    def _preview_ready(self, preview) -> None:
        self.preview.show_preview(preview)
        if self.preview.scanner_check.isChecked():
            self._scanner_reading()

    def _preview_failed(self, exc) -> None:
        message, hint = describe_error(exc)
        self.preview.show_problem(message, hint)

    def _check_scanner(self) -> None:
        keys = config.scanner_keys_dir()

        def work():
            services.scanner(keys)
            return True

        self.ops.run(work, lambda _ok: self.preview.set_scanner_available(True),
                     lambda exc: self.preview.set_scanner_available(False, describe_error(exc)[0]), key="scanner-check")

    def _scanner_reading(self) -> None:
        text = self.preview.qr_text
        if not text:
            return
        keys = config.scanner_keys_dir()
        tracking = self.form.tracking_edit().text().strip() or services.PLACEHOLDER_TRACKING

        def shown(result):
            self.preview.show_scanner_reading(format_opened(result))

        def failed(exc):
            m, h = describe_error(exc)
            self.preview.show_scanner_reading(f"{m}\n{h}")

        self.ops.run(lambda: services.open_seal(text, keys, tracking), shown, failed, key="scanner-read")

    # ------------------------------------------------------------------ printer
    def _printer_changed(self) -> None:
        self.debounce.start()

    def refresh_status(self) -> None:
        p = self.printer_panel.printer()
        if p is None:
            return
        held = self.station.worker_state(p.uri)
        if held is not None:  # the queue's worker holds this printer: its state, never a second connection
            self.printer_panel.set_status(queue_light(*held)[0], clerk_words(held[1], p.uri, p.name))
            return
        self.ops.run(lambda: self.station.printer_status(p),
                     lambda st: self.printer_panel.set_status(*st),
                     lambda exc: self.printer_panel.set_status("UNKNOWN", describe_error(exc)[0]), key="status")

    def print_label(self) -> None:
        if self.ops.is_busy("print"):
            return
        try:
            result = _validate(self.form.data())
        except SigiloError as exc:
            self.status_message.emit(exc.message, 0)
            return
        self.form.reveal_all_messages()
        duplicate = self._duplicate(result.shipment) if result.ok else []
        self.form.show_messages(result.errors + duplicate, result.warnings)
        if duplicate:
            self.form.focus_field("tracking_number")
            self.status_message.emit(_("Not printed: {reason}").format(reason=duplicate[0].message), 0)
            return
        if not result.ok:
            wrong = {e.field for e in result.errors}
            order = [k for k in self.form.ordered_keys() if k in wrong] + sorted(wrong - set(self.form.ordered_keys()))
            self.form.focus_field(order[0])
            names = "; ".join(self.form.caption_of(k) for k in order)
            self.status_message.emit(_("Not printed: check these fields: {fields}").format(fields=names), 0)
            return
        printer = self.printer_panel.printer()
        if printer is None:
            self.status_message.emit(_("No printer configured: add one in Settings"), 0)
            return
        shipment = result.shipment
        template, copies = self.printer_panel.template(), self.printer_panel.copies.value()
        cal, keys, policy = self.printer_panel.calibration(), self.keys_dir(), self.policy()
        self.printer_panel.set_printing(True)
        self.recent.remember(shipment)
        self.status_message.emit(_("Printing {tracking_number} on {name}…").format(tracking_number=shipment.tracking_number, name=printer.name), 0)
        identity = self.identity.record_id
        self.ops.run(lambda: self.station.print_shipment(shipment, printer, template, keys, copies, cal, policy,
                                                         identity=identity),
                     self._printed, self._print_failed, key="print")

    def _printed(self, outcome) -> None:
        self.printer_panel.set_printing(False)
        self.printer_panel.copies.setValue(1)  # the next customer gets one label unless asked
        if isinstance(outcome, Submitted):
            self.pending[outcome.job_id] = outcome
            self.status_message.emit(_("Sent {tracking_number} to {printer}: waiting for the printer to confirm").format(tracking_number=outcome.tracking_number, printer=outcome.printer), 0)
            self.form.clear_for_next()
            self._catch_up(outcome)
            return
        self._announce(outcome)
        self.form.clear_for_next()

    def _catch_up(self, sub) -> None:
        """The queue may have confirmed (or failed) the label before this page heard it was
        queued; its event was then ignored, so read the state once."""
        from types import SimpleNamespace

        for label_id in sub.label_ids:
            state, error = self.station.label_state(label_id)
            if state in ("confirmed", "failed"):
                self.on_queue_event(SimpleNamespace(kind="label", subject=sub.job_id, state=state, label_id=label_id,
                                                    reason=error))

    def on_queue_event(self, ev) -> None:
        """Queue events, on the main thread: confirmations of what this page sent, and the
        state of the chosen printer for the status light."""
        if ev.kind == "label" and ev.subject in self.pending_tests and ev.state in ("confirmed", "failed"):
            name = self.pending_tests.pop(ev.subject)
            if ev.state == "confirmed":
                self.status_message.emit(_("Test label sent to {name}").format(name=name), 4000)
            else:
                self.status_message.emit(_("Test print failed on {name}: {reason}").format(
                    name=name, reason=clerk_words(ev.reason)), 0)
        elif ev.kind == "label" and ev.subject in self.pending:
            sub = self.pending[ev.subject]
            if ev.state == "confirmed":
                del self.pending[ev.subject]
                self._announce(self.station.outcome(ev.label_id, sub.printer))
            elif ev.state == "failed":
                del self.pending[ev.subject]
                self.status_message.emit(_("Not printed: {tracking_number}: {reason}").format(tracking_number=sub.tracking_number, reason=ev.reason), 0)
        elif ev.kind == "printer":
            p = self.printer_panel.printer()
            if p is not None and p.uri == ev.subject:
                words = clerk_words(ev.reason, p.uri, p.name)
                self.printer_panel.set_status(queue_light(ev.state, ev.reason)[0], words)
                if ev.state == "fault" and self.pending:
                    self.status_message.emit(_("Printer {name}: {reason} — the label waits in the queue and prints once the printer "
                                               "is ready").format(name=p.name, reason=words), 0)

    def _announce(self, outcome) -> None:
        self.last_outcome = outcome
        self.print_count += 1
        self.correct_button.setEnabled(True)
        if outcome.bytes_sent:
            text = _("Printed {tracking_number} on {printer} ({size} bytes)").format(
                tracking_number=outcome.tracking_number, printer=outcome.printer, size=f"{outcome.bytes_sent:,}")
        else:
            text = _("Printed {tracking_number} on {printer}").format(tracking_number=outcome.tracking_number,
                                                                       printer=outcome.printer)
        self.status_message.emit(text, 0)
        self.printed.emit(outcome)

    # ------------------------------------------------------------------ correction
    def _void_and_correct_last(self) -> None:
        if self.last_outcome is not None:
            self.void_correct_requested.emit(self.last_outcome.tracking_number)

    def load_for_correction(self, row) -> bool:
        """Refill the form from a voided label: the whole shipment when this window printed it
        (memory), else the store's non-private face with a note to retype the recipient.
        Returns True when the whole shipment came back."""
        shipment = self.recent.get(row.tracking_number)
        form = self.form
        self.correct_button.setEnabled(False)  # the last label is voided now; the next print enables it
        new_number = self._new_number_for_correction()
        if shipment is not None:
            form.set_data({**shipment.to_dict(), "tracking_number": new_number})
            form.show_note("")
            form.editor("recipient.phone").setFocus()
            self.status_message.emit(_("Voided {tracking_number}: the corrected label gets the new number {number}; fix "
                                       "the wrong field and press Ctrl+P").format(
                                           tracking_number=row.tracking_number, number=new_number or _("(type one)")), 0)
            return True
        form.clear_for_next()
        form.set_data(correction_data(new_number, row.face or {}, row.masked or {}, form.data()["sender"]))
        form.show_note(_("Voided {tracking}: {note}.").format(tracking=row.tracking_number, note=_(RETYPE_NOTE)))
        form.editor("recipient.name").setFocus()
        self.status_message.emit(_("Voided {tracking}: the corrected label gets the new number {number}; {note}, then "
                                   "press Ctrl+P").format(tracking=row.tracking_number, number=new_number or _("(type one)"),
                                                          note=_(RETYPE_NOTE)), 0)
        return False

    def _new_number_for_correction(self) -> str:
        """A corrected label gets a new waybill number (the voided one stays voided on the
        scanners' void lists): the next of the outlet's range, or empty for the clerk to scan."""
        try:
            return self.station.draw_tracking_number() or ""
        except Exception:  # noqa: BLE001 - the clerk scans or types one instead
            return ""

    def _print_failed(self, exc) -> None:
        self.printer_panel.set_printing(False)
        message, hint = describe_error(exc)
        if getattr(exc, "field", "") == "tracking_number":  # a number printed meanwhile: say it beside the field
            from desktop.validation import FieldError

            self.form.show_messages([FieldError("tracking_number", f"{message}. {hint}")], [])
        self.status_message.emit(_("Not printed: {message}").format(message=message) + (f" — {hint}" if hint else ""), 0)
        self.refresh_status()

    def test_print(self) -> None:
        """The calibration label, through the printer's queue worker (its one connection)."""
        p = self.printer_panel.printer()
        if p is None:
            return
        cal = self.printer_panel.calibration()

        def sent(result) -> None:
            if isinstance(result, Submitted):  # its fate arrives as a queue event
                self.pending_tests[result.job_id] = p.name
                self.status_message.emit(_("Test label queued for {name}").format(name=p.name), 0)
                self._catch_up(result)
            else:
                self.status_message.emit(_("Test label sent to {name}").format(name=p.name), 4000)

        self.ops.run(lambda: self.station.test_print(p, cal), sent,
                     lambda exc: self.status_message.emit(_("Test print failed: {error}").format(
                         error=" — ".join(describe_error(exc))), 0),
                     key="test-print")


    def calibrate(self) -> None:
        """The media calibration dialog for the chosen printer (through its queue worker)."""
        from desktop.ui.calibrate_dialog import CalibrateDialog

        p = self.printer_panel.printer()
        if p is None:
            return
        self.calibrate_dialog = CalibrateDialog(self.ops, self.station, p, self.printer_panel.template(), self)
        self.calibrate_dialog.test_print_requested.connect(self.test_print)
        self.calibrate_dialog.calibrated.connect(lambda result: self.status_message.emit(result.words, 8000))
        self.calibrate_dialog.open()


def format_opened(result: dict) -> str:
    """The scanner's reading as a clerk-readable block (the full details: this is what an
    authorized courier sees)."""
    s = result["shipment"]
    r = s.get("recipient", {})
    lines = [
        f"Recipient: {r.get('name', '')}   {r.get('phone', '')}",
        "Address:   " + " ".join(x for x in (r.get("province"), r.get("city"), r.get("district"), r.get("street"),
                                              r.get("detail")) if x),
        f"Postcode:  {r.get('postcode', '')}   Country: {r.get('country', '')}",
        f"Tracking:  {result.get('tracking_number', '')}",
        f"Sealed by: {result.get('station_name', '')} ({result.get('station_id', '')})",
        f"Key:       {result.get('fleet_key_id', '')}",
    ]
    return "\n".join(lines) + "\n\n" + json.dumps(s, ensure_ascii=False, indent=1)
