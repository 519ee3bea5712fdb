"""The look: a dense, calm point-of-sale style - light panels, one accent colour, red only for
errors, amber for what the clerk should check. Fonts with CJK coverage come first."""

from __future__ import annotations

FONT_FAMILIES = ["Noto Sans", "DejaVu Sans", "Segoe UI", "WenQuanYi Micro Hei", "Microsoft YaHei",
                 "PingFang SC", "Noto Sans CJK SC", "sans-serif"]

ACCENT = "#1a73e8"

QSS = """
QMainWindow, QWidget#page { background: #eef1f5; }
QWidget { font-size: 13px; color: #1f2328; }
QFrame#sidebar { background: #1f2a37; }
QFrame#sidebar QPushButton { color: #cfd6df; background: transparent; border: none; text-align: left;
    padding: 10px 14px; font-size: 14px; border-left: 3px solid transparent; }
QFrame#sidebar QPushButton:checked { color: white; background: #2b3a4c; border-left: 3px solid %(accent)s; }
QFrame#sidebar QPushButton:hover { background: #273446; }
QLabel#brand { color: white; font-size: 17px; font-weight: 600; padding: 14px 14px 6px 14px; }
QLabel#brandSub { color: #8ea0b5; font-size: 11px; padding: 0 14px 12px 14px; }
QLabel#operatorLabel { color: #8ea0b5; font-size: 11px; padding: 8px 14px; }
QFrame#section, QFrame#previewPanel, QFrame#printerPanel { background: white; border: 1px solid #d8dee6;
    border-radius: 6px; }
QLabel#sectionTitle { font-weight: 600; font-size: 13px; color: #2b3a4c; }
QLabel#sectionHint, QLabel#caption { color: #66707c; font-size: 11px; }
QLabel#pageTitle { font-size: 18px; font-weight: 600; color: #2b3a4c; padding-bottom: 4px; }
QLineEdit, QPlainTextEdit { background: white; border: 1px solid #c5ccd6;
    border-radius: 4px; padding: 3px 6px; min-height: 20px; selection-background-color: %(accent)s; }
QComboBox, QSpinBox, QDoubleSpinBox { min-height: 24px; }
QLineEdit:focus, QPlainTextEdit:focus { border: 1px solid %(accent)s; background: #f6f9ff; }
QLineEdit[state="error"], QComboBox[state="error"] { border: 1px solid #d93025; background: #fff5f5; }
QLineEdit[state="warning"], QComboBox[state="warning"] { border: 1px solid #e8a100; }
QLineEdit[state="uncertain"], QComboBox[state="uncertain"] { border: 1px solid #e8a100; background: #fff6d6; }
QLabel#fieldMessage { color: #d93025; font-size: 11px; }
QLabel#fieldMessage[state="warning"] { color: #a86b00; }
QLabel#pasteNote { color: #a86b00; font-size: 11px; }
QLabel#previewMessage { color: #66707c; font-size: 11px; }
QLabel#previewMessage[state="error"] { color: #d93025; }
QLabel#previewMessage[state="warning"] { color: #a86b00; }
QLabel#previewState, QLabel#qrIndicator { color: #66707c; font-size: 11px; }
QLabel#labelView { background: #d9dde3; border-radius: 4px; }
QPushButton { background: white; border: 1px solid #c5ccd6; border-radius: 4px; padding: 5px 12px; }
QPushButton:hover { background: #f2f5f9; }
QPushButton#printButton { background: %(accent)s; color: white; border: none; font-weight: 600; font-size: 14px;
    padding: 8px 14px; }
QPushButton#printButton:disabled { background: #8fb5ef; }
QToolButton { border: none; color: %(accent)s; padding: 3px 6px; }
QLabel#scanVerdict { font-size: 15px; font-weight: 600; padding: 6px 0; }
QFrame#scanCard { background: #ffffff; border: 1px solid #d9dde3; border-radius: 6px; }
QLabel#scanName { font-size: 20px; font-weight: 600; }
QLabel#scanMarks { font-size: 18px; font-weight: 700; padding: 4px 8px; border-radius: 4px; }
QLabel#scanMarks[state="error"] { background: #fde7e6; color: #b3261e; }
QLabel#scanMarks[state="warning"] { background: #fff3d6; color: #8a5a00; }
QLabel#scanVerdict[state="ok"] { color: #1f9d55; }
QLabel#scanVerdict[state="error"] { color: #d93025; }
QLabel#loginError { color: #d93025; }
QGroupBox { background: white; border: 1px solid #d8dee6; border-radius: 6px; margin-top: 14px; padding: 8px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; font-weight: 600; color: #2b3a4c; }
QTableWidget { background: white; border: 1px solid #d8dee6; gridline-color: #e6eaef;
    alternate-background-color: #f7f9fb; }
QHeaderView::section { background: #f2f4f7; border: none; border-bottom: 1px solid #d8dee6; padding: 4px 6px;
    font-weight: 600; }
QStatusBar { background: white; border-top: 1px solid #d8dee6; }
QLabel#demoBanner { background: #fff6d6; color: #7a5300; padding: 3px 10px; border-radius: 3px; font-size: 11px; }
""" % {"accent": ACCENT}
