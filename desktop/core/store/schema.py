"""The database schema as a list of migrations; ``PRAGMA user_version`` is the index reached.

Rules: a migration is never edited once released — add a new one. Each runs in one transaction
together with its ``user_version`` bump. :data:`SCHEMA_VERSION` is the version this code expects.

Tables (times epoch ms UTC, money fen, ids int):

* ``shops`` — one row per signed-in shop; non-secret profile fields and sync bookkeeping.
* ``refunds`` — the latest state of every refund seen (the API's list fields as columns), and
  ``merchant_turn`` (1 while the request waits on the merchant, per the domain rules). Closed ones
  (status 60/70; ``closed_at`` set) carry their classification (:mod:`desktop.core.domain.classify`):
  ``outcome`` (an ``Outcome`` value), ``certainty`` ("certain" | "likely" for auto-approvals),
  ``decided_by`` (the rule), ``deadline_at`` (the deadline that decided, platform clock),
  ``overdue_at`` (= that deadline, for auto-approved overdue ones only), ``decided_at`` (when the
  outcome happened) and ``first_action_at`` (the merchant's first agree/reject, when known). Open
  requests the app saw waiting on the merchant are classified too (``pending``, or
  ``auto_approved_overdue`` once a step was agreed by the system); ``classified_at`` is cleared with
  the outcome by every observed change.
* ``auto_approvals`` — every merchant step the platform agreed on the merchant's behalf because its
  deadline passed (one row per request and step, ``at`` = that deadline, else the agreement time):
  written when the sync classifies the request — as soon as it has left the merchant's turn, while
  it may still be open — and replaced whenever it is classified again, so a step counts once.
  ``certainty`` / ``decided_by`` as for the refunds; ``handling_way`` copied for the kind split.
* ``refund_raw`` — the raw JSON of the last list item and of the last detail, per refund (kept apart
  so the ``refunds`` table stays narrow for scans).
* ``observations`` — one row per change seen (status, negotiate_status, handling_way, expire_time,
  update_time, seen_at), so "was it auto-approved?" can be answered later. ``seen_at`` (like the
  refunds' ``*_seen_at``) is on the platform's clock, as the sync measured it.
* ``actions`` — the action journal (planned → sent → done | failed | unknown).
* ``notifications`` — each (shop, refund, threshold) notified once.
* ``comments`` — the negotiation history cache.
* ``shop_scores`` — snapshots of the platform's shop experience score.
* ``settings`` — small key/value pairs (JSON values); never secrets.
* ``robot_outbox`` / ``robot_sends`` — phone alerts per robot channel: what is queued or was sent
  (once per channel and key), and each send's outcome.
"""

from __future__ import annotations

V1 = """
CREATE TABLE shops (
    id                      INTEGER PRIMARY KEY,
    seller_id               INTEGER,
    name                    TEXT NOT NULL DEFAULT '',
    display_name            TEXT,
    app_key                 TEXT NOT NULL DEFAULT '',
    sign_method             TEXT NOT NULL DEFAULT 'HMAC_SHA256'
                            CHECK (sign_method IN ('HMAC_SHA256', 'MD5')),
    base_url                TEXT NOT NULL,
    auth_mode               TEXT NOT NULL DEFAULT 'token' CHECK (auth_mode IN ('oauth', 'token')),
    token_expires_at        INTEGER,
    last_sync_at            INTEGER,
    first_sweep_done        INTEGER NOT NULL DEFAULT 0,
    server_clock_offset_ms  INTEGER,
    last_error              TEXT,
    created_at              INTEGER NOT NULL,
    UNIQUE (base_url, seller_id)
);

CREATE TABLE refunds (
    shop_id                 INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    refund_id               INTEGER NOT NULL,
    order_id                INTEGER,
    handling_way            INTEGER,
    negotiate_status        INTEGER,
    status                  INTEGER,
    refund_type             INTEGER,
    refund_fee              INTEGER,
    refund_reason,
    refund_reason_desc      TEXT,
    refund_desc             TEXT,
    sku_id                  INTEGER,
    sku_nick                TEXT,
    item_id                 INTEGER,
    seller_id               INTEGER,
    submit_time             INTEGER,
    create_time             INTEGER,
    update_time             INTEGER,
    negotiate_update_time   INTEGER,
    end_time                INTEGER,
    receipt_status          INTEGER,
    expire_time             INTEGER,
    urge_times              INTEGER,
    first_seen_at           INTEGER NOT NULL,
    last_seen_at            INTEGER NOT NULL,
    raw                     TEXT,
    PRIMARY KEY (shop_id, refund_id)
);

CREATE TABLE observations (
    id                      INTEGER PRIMARY KEY,
    shop_id                 INTEGER NOT NULL,
    refund_id               INTEGER NOT NULL,
    status                  INTEGER,
    negotiate_status        INTEGER,
    expire_time             INTEGER,
    update_time             INTEGER,
    seen_at                 INTEGER NOT NULL,
    FOREIGN KEY (shop_id, refund_id) REFERENCES refunds(shop_id, refund_id) ON DELETE CASCADE
);
CREATE INDEX observations_by_refund ON observations(shop_id, refund_id, seen_at);

CREATE TABLE settings (
    key                     TEXT PRIMARY KEY,
    value                   TEXT NOT NULL
);
"""

V2 = """
ALTER TABLE shops ADD COLUMN refresh_expires_at INTEGER;
ALTER TABLE shops ADD COLUMN last_error_at INTEGER;
ALTER TABLE shops ADD COLUMN last_success_at INTEGER;
ALTER TABLE shops ADD COLUMN sweep_begin_ms INTEGER;
ALTER TABLE shops ADD COLUMN sweep_end_ms INTEGER;
ALTER TABLE shops ADD COLUMN sweep_next_ms INTEGER;
ALTER TABLE shops ADD COLUMN incremental_from_ms INTEGER;

ALTER TABLE refunds ADD COLUMN rel_item_id INTEGER;
ALTER TABLE refunds ADD COLUMN rel_sku_id INTEGER;
ALTER TABLE refunds ADD COLUMN logistics_id INTEGER;
ALTER TABLE refunds ADD COLUMN require_return_freight INTEGER;
ALTER TABLE refunds ADD COLUMN special_refund_type INTEGER;
ALTER TABLE refunds ADD COLUMN buyer_modify_deadline INTEGER;
ALTER TABLE refunds ADD COLUMN time_limit_negotiate_change INTEGER;
ALTER TABLE refunds ADD COLUMN merchant_turn INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN closed_at INTEGER;
ALTER TABLE refunds ADD COLUMN last_pending_seen_at INTEGER;
ALTER TABLE refunds ADD COLUMN last_pending_expire_time INTEGER;
ALTER TABLE refunds ADD COLUMN detail_fetched_at INTEGER;
ALTER TABLE refunds ADD COLUMN comments_fetched_at INTEGER;
ALTER TABLE refunds ADD COLUMN outcome TEXT;
ALTER TABLE refunds ADD COLUMN certainty TEXT;
ALTER TABLE refunds ADD COLUMN decided_by TEXT;
ALTER TABLE refunds ADD COLUMN overdue_at INTEGER;
ALTER TABLE refunds ADD COLUMN deadline_at INTEGER;
ALTER TABLE refunds ADD COLUMN decided_at INTEGER;
ALTER TABLE refunds ADD COLUMN first_action_at INTEGER;
ALTER TABLE refunds ADD COLUMN classified_at INTEGER;

-- the raw JSON moves out of the scanned table
CREATE TABLE refund_raw (
    shop_id                 INTEGER NOT NULL,
    refund_id               INTEGER NOT NULL,
    list_json               TEXT,
    detail_json             TEXT,
    PRIMARY KEY (shop_id, refund_id),
    FOREIGN KEY (shop_id, refund_id) REFERENCES refunds(shop_id, refund_id) ON DELETE CASCADE
);
INSERT INTO refund_raw (shop_id, refund_id, list_json)
    SELECT shop_id, refund_id, raw FROM refunds WHERE raw IS NOT NULL;
ALTER TABLE refunds DROP COLUMN raw;
UPDATE refunds SET closed_at = COALESCE(end_time, negotiate_update_time, update_time, last_seen_at)
    WHERE status IN (60, 70);

ALTER TABLE observations ADD COLUMN handling_way INTEGER;

CREATE INDEX refunds_waiting ON refunds(shop_id, expire_time) WHERE merchant_turn = 1;
CREATE INDEX refunds_closed ON refunds(shop_id, outcome, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX refunds_unclassified ON refunds(shop_id) WHERE closed_at IS NOT NULL AND outcome IS NULL;
CREATE INDEX observations_by_time ON observations(shop_id, seen_at);

CREATE TABLE actions (
    id                      INTEGER PRIMARY KEY,
    shop_id                 INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    refund_id               INTEGER NOT NULL,
    kind                    TEXT NOT NULL,
    params                  TEXT NOT NULL DEFAULT '{}',
    state                   TEXT NOT NULL DEFAULT 'planned'
                            CHECK (state IN ('planned', 'sent', 'done', 'failed', 'unknown')),
    batch                   TEXT,
    result                  TEXT,
    error                   TEXT,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);
CREATE INDEX actions_open ON actions(shop_id, state) WHERE state IN ('planned', 'sent', 'unknown');
CREATE INDEX actions_by_refund ON actions(shop_id, refund_id, created_at);
CREATE INDEX actions_by_time ON actions(created_at);

CREATE TABLE notifications (
    shop_id                 INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    refund_id               INTEGER NOT NULL,
    threshold               TEXT NOT NULL,
    sent_at                 INTEGER NOT NULL,
    PRIMARY KEY (shop_id, refund_id, threshold)
) WITHOUT ROWID;

CREATE TABLE comments (
    shop_id                 INTEGER NOT NULL,
    refund_id               INTEGER NOT NULL,
    seq                     INTEGER NOT NULL,
    title                   TEXT,
    role,
    create_time             INTEGER,
    staff_account_id        INTEGER,
    staff_account_name      TEXT,
    PRIMARY KEY (shop_id, refund_id, seq),
    FOREIGN KEY (shop_id, refund_id) REFERENCES refunds(shop_id, refund_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE shop_scores (
    id                      INTEGER PRIMARY KEY,
    shop_id                 INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    fetched_at              INTEGER NOT NULL,
    has_data                INTEGER,
    show_name               TEXT,
    score_str               TEXT,
    dimensions              TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX shop_scores_latest ON shop_scores(shop_id, fetched_at);
"""

# Indexes of the risk estimate (desktop.core.store.risk_queries): window totals split by kind, the
# merchant's first-action times in order (M5 percentiles without a sort; the expression must stay
# identical to risk_queries.RESPONSE_SQL), and the auto-approvals by their deadline.
V3 = """
CREATE INDEX refunds_risk_kind ON refunds(shop_id, outcome, handling_way, closed_at)
    WHERE closed_at IS NOT NULL;
CREATE INDEX refunds_risk_response ON refunds(
    shop_id,
    (CASE WHEN outcome = 'auto_approved_overdue' THEN deadline_at ELSE first_action_at END
        - COALESCE(submit_time, create_time)),
    closed_at
) WHERE outcome IN ('auto_approved_overdue', 'handled_in_time', 'rejected_closed') AND closed_at IS NOT NULL;
CREATE INDEX refunds_risk_auto ON refunds(shop_id, overdue_at, handling_way, certainty, refund_id)
    WHERE outcome = 'auto_approved_overdue';
"""

# Auto-approvals per merchant step, recorded as soon as the request leaves the merchant's turn past
# its deadline (a return agreed by the system is still open for days): M1 and the daily series count
# these rows, one per (request, step). The refunds' closed classification stays as it was (how the
# request ended); the auto-approvals it already found become rows here. Open requests the app saw
# waiting on the merchant are classified too: "unclassified" now means "not classified since the
# last change" (classified_at is cleared with the outcome), for closed ones and for those.
V4 = """
CREATE TABLE auto_approvals (
    shop_id                 INTEGER NOT NULL,
    refund_id               INTEGER NOT NULL,
    at                      INTEGER NOT NULL,
    stage                   TEXT,
    deadline_at             INTEGER,
    decided_at              INTEGER,
    handling_way            INTEGER,
    certainty               TEXT NOT NULL CHECK (certainty IN ('certain', 'likely')),
    decided_by              TEXT NOT NULL,
    recorded_at             INTEGER NOT NULL,
    PRIMARY KEY (shop_id, refund_id, at),
    FOREIGN KEY (shop_id, refund_id) REFERENCES refunds(shop_id, refund_id) ON DELETE CASCADE
);
CREATE INDEX auto_approvals_by_time ON auto_approvals(shop_id, at, handling_way, certainty, refund_id);
INSERT INTO auto_approvals (shop_id, refund_id, at, stage, deadline_at, decided_at, handling_way,
                            certainty, decided_by, recorded_at)
    SELECT shop_id, refund_id, COALESCE(overdue_at, deadline_at, decided_at, closed_at), NULL, deadline_at,
           decided_at, handling_way, COALESCE(certainty, 'likely'), COALESCE(decided_by, 'heuristic_times'),
           COALESCE(classified_at, last_seen_at)
    FROM refunds
    WHERE outcome = 'auto_approved_overdue'
      AND COALESCE(overdue_at, deadline_at, decided_at, closed_at) IS NOT NULL;
DROP INDEX refunds_risk_auto;
DROP INDEX refunds_unclassified;
CREATE INDEX refunds_unclassified ON refunds(shop_id)
    WHERE classified_at IS NULL AND (closed_at IS NOT NULL OR last_pending_seen_at IS NOT NULL);
"""

# Robot (phone) alerts: per channel, every notice queued for it (``sent_at`` NULL while it waits;
# the row stays afterwards as the memory that it was sent, so each (channel, key) goes out once), and
# every send attempt with its outcome and the platform's error in plain words (shown in the
# settings). No URL or secret here: those are in the keychain.
V5 = """
CREATE TABLE robot_outbox (
    channel                 TEXT NOT NULL,
    key                     TEXT NOT NULL,
    shop_id                 INTEGER,
    kind                    TEXT NOT NULL,
    payload                 TEXT NOT NULL,
    created_at              INTEGER NOT NULL,
    sent_at                 INTEGER,
    PRIMARY KEY (channel, key)
) WITHOUT ROWID;
CREATE INDEX robot_outbox_waiting ON robot_outbox(channel, created_at) WHERE sent_at IS NULL;
CREATE TABLE robot_sends (
    id                      INTEGER PRIMARY KEY,
    channel                 TEXT NOT NULL,
    at                      INTEGER NOT NULL,
    outcome                 TEXT NOT NULL CHECK (outcome IN ('ok', 'rate_limited', 'transient', 'rejected')),
    notices                 INTEGER NOT NULL DEFAULT 0,
    code                    TEXT,
    error                   TEXT,
    test                    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX robot_sends_by_channel ON robot_sends(channel, at);
"""

#: MIGRATIONS[i] takes the schema from version i to version i + 1
MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V5)
SCHEMA_VERSION = len(MIGRATIONS)
