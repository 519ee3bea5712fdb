"""Schema migrations, applied in order; ``PRAGMA user_version`` records how many ran.

Append new steps at the end and never edit a released one: a station upgrading from any
version replays exactly the steps it lacks.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: settings, audit chain, operators
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TABLE audit_heads (
        id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        key_id TEXT NOT NULL,
        public_key TEXT NOT NULL,
        signature TEXT NOT NULL,
        time TEXT NOT NULL
    );
    CREATE TABLE operators (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        blocked_until REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    """,
    # 2: print jobs and labels, printer states, drafts
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        printer_uri TEXT NOT NULL,
        profile TEXT NOT NULL,
        template TEXT NOT NULL,
        actor TEXT NOT NULL,
        reprint_reason TEXT,
        state TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE labels (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES jobs(id),
        idx INTEGER NOT NULL,
        printer_uri TEXT NOT NULL,
        tracking_number TEXT NOT NULL,
        state TEXT NOT NULL,
        reprint_reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        payload BLOB,
        masked TEXT,
        qr_text TEXT,
        bytes_hash TEXT,
        phone_key TEXT,
        address_key TEXT,
        weight_kg REAL,
        error TEXT,
        created_at REAL NOT NULL,
        sent_at REAL,
        done_at REAL
    );
    CREATE INDEX labels_printer_state ON labels(printer_uri, state, id);
    CREATE INDEX labels_tracking ON labels(tracking_number);
    CREATE INDEX labels_phone ON labels(phone_key, done_at);
    CREATE INDEX labels_address ON labels(address_key, done_at);
    CREATE TABLE printers (
        uri TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        updated_at REAL NOT NULL
    );
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        payload BLOB NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
    # 3: virtual numbers and alerts
    """
    CREATE TABLE virtual_numbers (
        id INTEGER PRIMARY KEY,
        hotline TEXT NOT NULL,
        extension TEXT NOT NULL,
        tracking_number TEXT NOT NULL,
        phone BLOB NOT NULL,
        provider TEXT NOT NULL,
        state TEXT NOT NULL,
        allocated_at REAL NOT NULL,
        delivered_at REAL,
        expires_at REAL
    );
    CREATE UNIQUE INDEX virtual_active ON virtual_numbers(hotline, extension) WHERE state != 'expired';
    CREATE INDEX virtual_tracking ON virtual_numbers(tracking_number);
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        time REAL NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        subject TEXT NOT NULL,
        message TEXT NOT NULL,
        details TEXT NOT NULL,
        acknowledged INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX alerts_rule ON alerts(rule, subject, time);
    """,
    # 4: what a reprint from history needs besides the masked view and the QR text: the
    # label face's non-personal fields (order, service, parcel, sorting region)
    """
    ALTER TABLE labels ADD COLUMN face TEXT;
    CREATE INDEX labels_done ON labels(state, done_at);
    """,
    # 5: history found by order id (indexed; the order id is on the face in clear anyway), and
    # the face of labels printed before it learned its template and print time: the job's
    # template, and the confirmation time as the print time
    """
    ALTER TABLE labels ADD COLUMN order_id TEXT NOT NULL DEFAULT '';
    UPDATE labels SET order_id = COALESCE(json_extract(face, '$.order_id'), '')
        WHERE face IS NOT NULL AND json_valid(face);
    UPDATE labels SET face = json_set(face, '$.template', (SELECT template FROM jobs WHERE jobs.id = labels.job_id))
        WHERE face IS NOT NULL AND json_valid(face) AND json_type(face, '$.template') IS NULL;
    UPDATE labels SET face = json_set(face, '$.printed_at', strftime('%Y-%m-%dT%H:%M:%S+00:00', done_at, 'unixepoch'))
        WHERE face IS NOT NULL AND json_valid(face) AND json_type(face, '$.printed_at') IS NULL AND done_at IS NOT NULL;
    CREATE INDEX labels_order ON labels(order_id);
    """,
    # 6: heads of the audit chain countersigned by the station's seal key (desktop.audit.anchor)
    """
    CREATE TABLE audit_anchors (
        id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        station_id TEXT NOT NULL,
        public_key TEXT NOT NULL,
        signature TEXT NOT NULL,
        time TEXT NOT NULL
    );
    """,
    # 7: the local print bridge (desktop.bridge): pairings of web pages (a token bound to the
    # page's origin, kept only as a hash), and the tasks and documents pages sent, with each
    # document's state and the notifications a reconnecting page has missed
    """
    CREATE TABLE bridge_pairings (
        id INTEGER PRIMARY KEY,
        origin TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        code TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        created_at REAL NOT NULL,
        decided_at REAL,
        decided_by TEXT
    );
    CREATE INDEX bridge_pairings_code ON bridge_pairings(code, state);
    CREATE INDEX bridge_pairings_origin ON bridge_pairings(origin, state);
    CREATE TABLE bridge_tasks (
        origin TEXT NOT NULL,
        task_id TEXT NOT NULL,
        printer TEXT NOT NULL,
        documents TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (origin, task_id)
    );
    CREATE TABLE bridge_documents (
        origin TEXT NOT NULL,
        document_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        tracking_number TEXT NOT NULL DEFAULT '',
        copies INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL,
        code TEXT NOT NULL DEFAULT '',
        field TEXT NOT NULL DEFAULT '',
        msg TEXT NOT NULL DEFAULT '',
        label_id INTEGER,
        created_at REAL NOT NULL,
        rendered_at REAL,
        printed_at REAL,
        PRIMARY KEY (origin, document_id)
    );
    CREATE INDEX bridge_documents_task ON bridge_documents(origin, task_id, idx);
    CREATE INDEX bridge_documents_open ON bridge_documents(status) WHERE status IN ('queued', 'rendered');
    CREATE INDEX bridge_documents_label ON bridge_documents(label_id);
    CREATE TABLE bridge_notices (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        origin TEXT NOT NULL,
        task_id TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX bridge_notices_origin ON bridge_notices(origin, seq);
    """,
    # 8: real-name sending (desktop.identity): sealed identity records, never in clear; the
    # keyed hash recognises a returning sender; uses tie a record to the labels it covered
    """
    CREATE TABLE identity_records (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        id_type TEXT NOT NULL,
        id_hash TEXT NOT NULL,
        account_key TEXT,
        method TEXT NOT NULL,
        masked TEXT NOT NULL,
        sealed BLOB NOT NULL,
        identity_key_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX identity_by_hash ON identity_records(id_hash, created_at);
    CREATE INDEX identity_by_account ON identity_records(account_key, created_at);
    CREATE INDEX identity_by_time ON identity_records(created_at);
    CREATE TABLE identity_uses (
        id INTEGER PRIMARY KEY,
        record_id TEXT NOT NULL,
        id_hash TEXT NOT NULL,
        tracking_number TEXT NOT NULL,
        weight_kg REAL,
        used_at REAL NOT NULL
    );
    CREATE INDEX identity_uses_hash ON identity_uses(id_hash, used_at);
    CREATE INDEX identity_uses_record ON identity_uses(record_id);
    CREATE TABLE identity_watch (
        id_hash TEXT PRIMARY KEY,
        note TEXT NOT NULL DEFAULT ''
    );
    """,
    # 9: a job's print options (copies, masking policy, virtual numbers) kept with it, so a label
    # printed after a restart prints as asked; and one live label per tracking number: a unique
    # index over first prints (not reprints) that are queued, sent or confirmed. A store that
    # already holds duplicates keeps the oldest as the original and the rest as reprints.
    # A void's time and who asked and approved, for the station's scan and its void lists.
    """
    ALTER TABLE jobs ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE labels ADD COLUMN voided_at REAL;
    ALTER TABLE labels ADD COLUMN voided_by TEXT;
    ALTER TABLE labels ADD COLUMN original INTEGER NOT NULL DEFAULT 1;
    UPDATE labels SET original = 0 WHERE job_id IN (SELECT id FROM jobs WHERE reprint_reason IS NOT NULL);
    UPDATE labels SET original = 0 WHERE original = 1 AND state IN ('queued','sent','confirmed') AND EXISTS
        (SELECT 1 FROM labels o WHERE o.tracking_number = labels.tracking_number AND o.original = 1
         AND o.state IN ('queued','sent','confirmed') AND o.id < labels.id);
    CREATE UNIQUE INDEX labels_live ON labels(tracking_number) WHERE original = 1 AND state IN ('queued','sent','confirmed');
    CREATE INDEX labels_job ON labels(job_id, state, idx);
    """,
]
