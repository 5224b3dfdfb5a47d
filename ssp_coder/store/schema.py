"""The project file's schema and its migrations.

SQL here is kept to what PostgreSQL also speaks (plain types, no SQLite-only
functions in queries), so that a shared lab server can later be a second
backend rather than a rewrite. The version lives in ``PRAGMA user_version``.
"""

from __future__ import annotations

SCHEMA_V1 = """
CREATE TABLE project_info (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    arm TEXT NOT NULL,
    site TEXT,
    age_months REAL,
    sex TEXT,
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    timepoint TEXT NOT NULL,
    blinded_code TEXT NOT NULL UNIQUE,
    video_path TEXT,
    video_sha256 TEXT,
    duration_ms INTEGER,
    fps REAL,
    frame_count INTEGER,
    date_of_visit TEXT,
    age_months REAL,
    UNIQUE (participant_id, timepoint)
);
CREATE INDEX sessions_sha ON sessions(video_sha256);
CREATE TABLE coders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('coder', 'coordinator', 'trainer'))
);
CREATE TABLE codings (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('primary', 'reliability', 'consensus', 'training')),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'complete')),
    origin TEXT NOT NULL DEFAULT 'app',
    revision INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (session_id, coder_id, purpose)
);
CREATE INDEX codings_session ON codings(session_id);
CREATE INDEX codings_coder ON codings(coder_id);
CREATE TABLE episodes (
    coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    episode INTEGER NOT NULL,
    onset_ms INTEGER,
    offset_ms INTEGER,
    flag TEXT CHECK (flag IN ('curtailed', 'extended')),
    reason TEXT,
    PRIMARY KEY (coding_id, episode)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('point', 'state')),
    onset_ms INTEGER NOT NULL,
    offset_ms INTEGER,
    subject TEXT,
    note TEXT
);
CREATE INDEX events_coding ON events(coding_id, onset_ms);
CREATE TABLE scale_ratings (
    coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    scale TEXT NOT NULL,
    episode INTEGER NOT NULL,
    partner TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (coding_id, scale, episode, partner)
);
CREATE TABLE d_indices (
    id INTEGER PRIMARY KEY,
    coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    group_code TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    sub_item TEXT,
    note TEXT
);
CREATE INDEX d_indices_coding ON d_indices(coding_id, time_ms);
CREATE TABLE results (
    coding_id INTEGER PRIMARY KEY REFERENCES codings(id) ON DELETE CASCADE,
    classification TEXT,
    forced_secondary TEXT,
    d_rating REAL,
    note TEXT
);
CREATE TABLE gold_standards (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    coding_id INTEGER NOT NULL REFERENCES codings(id),
    marked_by TEXT NOT NULL,
    marked_at TEXT NOT NULL
);
CREATE TABLE consensus_sources (
    coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    source_coding_id INTEGER REFERENCES codings(id),
    decided_by TEXT NOT NULL,
    reason TEXT,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (coding_id, field)
);
CREATE TABLE packages (
    id TEXT PRIMARY KEY,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    exported_at TEXT NOT NULL,
    manifest TEXT NOT NULL,
    imported_at TEXT
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    command TEXT NOT NULL,
    coding_id INTEGER,
    payload TEXT NOT NULL,
    inverse TEXT,
    origin TEXT NOT NULL DEFAULT 'app'
);
CREATE INDEX audit_coding ON audit(coding_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

# Version 2: a session may be filmed by several cameras (views). The main view stays in ``sessions``
# (every earlier reader keeps working); views 2, 3, ... live here with their offset on the main
# view's clock: a moment at main-view time t is at ``t + offset_ms`` in that view's video.
SCHEMA_V2 = """
ALTER TABLE sessions ADD COLUMN view_name TEXT;
CREATE TABLE session_views (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    view INTEGER NOT NULL CHECK (view >= 2),
    name TEXT,
    video_path TEXT,
    video_sha256 TEXT,
    duration_ms INTEGER,
    fps REAL,
    frame_count INTEGER,
    offset_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, view)
);
CREATE INDEX session_views_sha ON session_views(video_sha256);
"""

# Version 3: an event may say which camera view it was coded from (the view's number, 1 = the main view;
# NULL = not said, as for every event logged before, and always for a session filmed by one camera).
SCHEMA_V3 = """
ALTER TABLE events ADD COLUMN view INTEGER CHECK (view IS NULL OR view >= 1);
"""

# Each migration takes the file from version i to i + 1. Version 0 is an empty
# file. Append new migrations; never edit a released one.
MIGRATIONS: list[str] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3]

SCHEMA_VERSION = len(MIGRATIONS)
APPLICATION_ID = 0x53535043  # "SSPC": lets `file` and tools recognise the format
