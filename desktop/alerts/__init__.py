"""Alerts: rules over the print jobs and the audit that a supervisor should see (reprint
bursts, empty-parcel "bill swiping", failed scans or sign-ins, after-hours printing, printer
faults). Thresholds are settings; alerts are kept in the store."""

from desktop.alerts.rules import DEFAULTS, Alert, Alerts, thresholds

__all__ = ["DEFAULTS", "Alert", "Alerts", "thresholds"]
