"""The schema of a project on a PostgreSQL server, its migrations, and the coders' blinded views.

The tables mirror the project file's (``schema.py``) column for column, so a
project copies between the two without translation. What differs:

- text sorts byte by byte (``COLLATE "C"``), as SQLite does: lists, reports
  and exports come out in the same order from both;
- ids come from sequences; an insert that gives the id as NULL (as SQLite
  code does to let the file choose) gets the next one from a trigger;
- the version lives in ``ssp.schema_version`` instead of ``PRAGMA user_version``;
- the data live in the schema ``ssp``, which only the coordinator's roles may
  use. Coders' roles see the schema ``blinded``: views with the same names as
  the tables that show only blinded codes and the coder's own codings, and
  through which the coder writes only to those codings.
"""

from __future__ import annotations

TEXT = 'TEXT COLLATE "C"'

PG_SCHEMA_V1 = f"""
CREATE TABLE project_info (key {TEXT} PRIMARY KEY, value {TEXT} NOT NULL);
CREATE TABLE settings (key {TEXT} PRIMARY KEY, value {TEXT} NOT NULL);
CREATE SEQUENCE participants_id_seq;
CREATE TABLE participants (
    id BIGINT PRIMARY KEY,
    external_id {TEXT} NOT NULL UNIQUE,
    arm {TEXT} NOT NULL,
    site {TEXT},
    age_months DOUBLE PRECISION,
    sex {TEXT},
    extra {TEXT} NOT NULL DEFAULT '{{}}'
);
CREATE SEQUENCE sessions_id_seq;
CREATE TABLE sessions (
    id BIGINT PRIMARY KEY,
    participant_id BIGINT NOT NULL REFERENCES participants(id),
    timepoint {TEXT} NOT NULL,
    blinded_code {TEXT} NOT NULL UNIQUE,
    video_path {TEXT},
    video_sha256 {TEXT},
    duration_ms BIGINT,
    fps DOUBLE PRECISION,
    frame_count BIGINT,
    date_of_visit {TEXT},
    age_months DOUBLE PRECISION,
    UNIQUE (participant_id, timepoint)
);
CREATE INDEX sessions_sha ON sessions(video_sha256);
CREATE SEQUENCE coders_id_seq;
CREATE TABLE coders (
    id BIGINT PRIMARY KEY,
    name {TEXT} NOT NULL UNIQUE,
    role {TEXT} NOT NULL CHECK (role IN ('coder', 'coordinator', 'trainer'))
);
CREATE SEQUENCE codings_id_seq;
CREATE TABLE codings (
    id BIGINT PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    coder_id BIGINT NOT NULL REFERENCES coders(id),
    purpose {TEXT} NOT NULL CHECK (purpose IN ('primary', 'reliability', 'consensus', 'training')),
    status {TEXT} NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'complete')),
    origin {TEXT} NOT NULL DEFAULT 'app',
    revision BIGINT NOT NULL DEFAULT 0,
    created_at {TEXT} NOT NULL,
    updated_at {TEXT} NOT NULL,
    UNIQUE (session_id, coder_id, purpose)
);
CREATE INDEX codings_session ON codings(session_id);
CREATE INDEX codings_coder ON codings(coder_id);
CREATE TABLE episodes (
    coding_id BIGINT NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    episode BIGINT NOT NULL,
    onset_ms BIGINT,
    offset_ms BIGINT,
    flag {TEXT} CHECK (flag IN ('curtailed', 'extended')),
    reason {TEXT},
    PRIMARY KEY (coding_id, episode)
);
CREATE SEQUENCE events_id_seq;
CREATE TABLE events (
    id BIGINT PRIMARY KEY,
    coding_id BIGINT NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    code {TEXT} NOT NULL,
    kind {TEXT} NOT NULL CHECK (kind IN ('point', 'state')),
    onset_ms BIGINT NOT NULL,
    offset_ms BIGINT,
    subject {TEXT},
    note {TEXT}
);
CREATE INDEX events_coding ON events(coding_id, onset_ms);
CREATE TABLE scale_ratings (
    coding_id BIGINT NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    scale {TEXT} NOT NULL,
    episode BIGINT NOT NULL,
    partner {TEXT} NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (coding_id, scale, episode, partner)
);
CREATE SEQUENCE d_indices_id_seq;
CREATE TABLE d_indices (
    id BIGINT PRIMARY KEY,
    coding_id BIGINT NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    group_code {TEXT} NOT NULL,
    time_ms BIGINT NOT NULL,
    sub_item {TEXT},
    note {TEXT}
);
CREATE INDEX d_indices_coding ON d_indices(coding_id, time_ms);
CREATE TABLE results (
    coding_id BIGINT PRIMARY KEY REFERENCES codings(id) ON DELETE CASCADE,
    classification {TEXT},
    forced_secondary {TEXT},
    d_rating DOUBLE PRECISION,
    note {TEXT}
);
CREATE TABLE gold_standards (
    session_id BIGINT PRIMARY KEY REFERENCES sessions(id),
    coding_id BIGINT NOT NULL REFERENCES codings(id),
    marked_by {TEXT} NOT NULL,
    marked_at {TEXT} NOT NULL
);
CREATE TABLE consensus_sources (
    coding_id BIGINT NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    field {TEXT} NOT NULL,
    source_coding_id BIGINT REFERENCES codings(id),
    decided_by {TEXT} NOT NULL,
    reason {TEXT},
    decided_at {TEXT} NOT NULL,
    PRIMARY KEY (coding_id, field)
);
CREATE TABLE packages (
    id {TEXT} PRIMARY KEY,
    coder_id BIGINT NOT NULL REFERENCES coders(id),
    exported_at {TEXT} NOT NULL,
    manifest {TEXT} NOT NULL,
    imported_at {TEXT}
);
CREATE SEQUENCE audit_id_seq;
CREATE TABLE audit (
    id BIGINT PRIMARY KEY,
    at {TEXT} NOT NULL,
    actor {TEXT} NOT NULL,
    command {TEXT} NOT NULL,
    coding_id BIGINT,
    payload {TEXT} NOT NULL,
    inverse {TEXT},
    origin {TEXT} NOT NULL DEFAULT 'app'
);
CREATE INDEX audit_coding ON audit(coding_id);
-- Which database role is which person of the project (made by 'ssp-coder server add-user').
CREATE TABLE server_users (
    role_name {TEXT} PRIMARY KEY,
    coder_id BIGINT NOT NULL REFERENCES coders(id),
    role {TEXT} NOT NULL CHECK (role IN ('coder', 'coordinator', 'trainer'))
);
-- The database's two group roles (named when the database was prepared; a copy of the database keeps them).
CREATE TABLE server_groups (
    kind {TEXT} PRIMARY KEY CHECK (kind IN ('coders', 'staff')),
    role_name {TEXT} NOT NULL
);

-- Runs as its owner so that a coder's role needs no right on the sequences.
CREATE FUNCTION fill_id() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ssp, pg_catalog AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := nextval(TG_ARGV[0]::regclass);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER participants_id BEFORE INSERT ON participants FOR EACH ROW EXECUTE FUNCTION fill_id('ssp.participants_id_seq');
CREATE TRIGGER sessions_id BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION fill_id('ssp.sessions_id_seq');
CREATE TRIGGER coders_id BEFORE INSERT ON coders FOR EACH ROW EXECUTE FUNCTION fill_id('ssp.coders_id_seq');
CREATE TRIGGER codings_id BEFORE INSERT ON codings FOR EACH ROW EXECUTE FUNCTION fill_id('ssp.codings_id_seq');
CREATE TRIGGER events_id BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fill_id('ssp.events_id_seq');
CREATE TRIGGER d_indices_id BEFORE INSERT ON d_indices FOR EACH ROW EXECUTE FUNCTION fill_id('ssp.d_indices_id_seq');
CREATE TRIGGER audit_id BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION fill_id('ssp.audit_id_seq');

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
"""

# Version 2, as the project file's: several camera views per session (see ``schema.py``).
PG_SCHEMA_V2 = f"""
ALTER TABLE sessions ADD COLUMN view_name {TEXT};
CREATE TABLE session_views (
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    view BIGINT NOT NULL CHECK (view >= 2),
    name {TEXT},
    video_path {TEXT},
    video_sha256 {TEXT},
    duration_ms BIGINT,
    fps DOUBLE PRECISION,
    frame_count BIGINT,
    offset_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, view)
);
CREATE INDEX session_views_sha ON session_views(video_sha256);
"""

# Version 3, as the project file's: the camera view an event was coded from (NULL = not said). The coders'
# ``blinded.events`` view is recreated on every upgrade, so it shows (and lets them write) the new column.
PG_SCHEMA_V3 = """
ALTER TABLE events ADD COLUMN view BIGINT CHECK (view IS NULL OR view >= 1);
"""

# Tables whose ids come from a sequence (the sequence is set past the highest id after a push).
SEQUENCED_TABLES = ("participants", "sessions", "coders", "codings", "events", "d_indices", "audit")

# The coder's own codings: the coding rows of the coder linked to the connected database role.
_OWN = "SELECT c.id FROM ssp.codings c JOIN ssp.server_users u ON u.coder_id = c.coder_id WHERE u.role_name = current_user"

# The schema a coder's role sees. Same names and columns as the tables, so the
# program's queries run unchanged; everything that could unblind is NULL or
# absent. ``security_barrier`` keeps a coder's own functions in a WHERE clause
# from peeking at rows the view hides.
BLINDED_VIEWS = f"""
CREATE VIEW blinded.project_info WITH (security_barrier) AS
    SELECT key, value FROM ssp.project_info WHERE key NOT IN ('package_secret');
CREATE VIEW blinded.settings WITH (security_barrier) AS SELECT key, value FROM ssp.settings;
CREATE VIEW blinded.coders WITH (security_barrier) AS
    SELECT k.id, k.name, k.role FROM ssp.coders k
    WHERE k.id IN (SELECT coder_id FROM ssp.server_users WHERE role_name = current_user);
-- One placeholder participant per session, named by the blinded code (as in a coder package's file).
CREATE VIEW blinded.participants WITH (security_barrier) AS
    SELECT s.id, s.blinded_code AS external_id, ''::text AS arm, NULL::text AS site,
           NULL::double precision AS age_months, NULL::text AS sex, '{{}}'::text AS extra
    FROM ssp.sessions s WHERE s.id IN (SELECT c.session_id FROM ssp.codings c WHERE c.id IN ({_OWN}));
-- The video is named by its blinded code (as in coder packages): the original file name can name the child.
CREATE VIEW blinded.sessions WITH (security_barrier) AS
    SELECT s.id, s.id AS participant_id, ''::text AS timepoint, s.blinded_code,
           CASE WHEN s.video_path IS NULL THEN NULL
                ELSE s.blinded_code || coalesce(substring(s.video_path from '(\\.[A-Za-z0-9]{{1,5}})$'), '') END
               AS video_path,
           s.video_sha256, s.duration_ms, s.fps, s.frame_count, NULL::text AS date_of_visit,
           NULL::double precision AS age_months, s.view_name
    FROM ssp.sessions s WHERE s.id IN (SELECT c.session_id FROM ssp.codings c WHERE c.id IN ({_OWN}));
-- Further camera views, named by the blinded code and view number (as in coder packages).
CREATE VIEW blinded.session_views WITH (security_barrier) AS
    SELECT v.session_id, v.view, v.name,
           CASE WHEN v.video_path IS NULL THEN NULL
                ELSE s.blinded_code || '_view' || v.view ||
                     coalesce(substring(v.video_path from '(\\.[A-Za-z0-9]{{1,5}})$'), '') END AS video_path,
           v.video_sha256, v.duration_ms, v.fps, v.frame_count, v.offset_ms
    FROM ssp.session_views v JOIN ssp.sessions s ON s.id = v.session_id
    WHERE s.id IN (SELECT c.session_id FROM ssp.codings c WHERE c.id IN ({_OWN}));
CREATE VIEW blinded.codings WITH (security_barrier) AS
    SELECT * FROM ssp.codings WHERE id IN ({_OWN}) WITH CASCADED CHECK OPTION;
CREATE VIEW blinded.episodes WITH (security_barrier) AS
    SELECT * FROM ssp.episodes WHERE coding_id IN ({_OWN}) WITH CASCADED CHECK OPTION;
CREATE VIEW blinded.events WITH (security_barrier) AS
    SELECT * FROM ssp.events WHERE coding_id IN ({_OWN}) WITH CASCADED CHECK OPTION;
CREATE VIEW blinded.scale_ratings WITH (security_barrier) AS
    SELECT * FROM ssp.scale_ratings WHERE coding_id IN ({_OWN}) WITH CASCADED CHECK OPTION;
CREATE VIEW blinded.d_indices WITH (security_barrier) AS
    SELECT * FROM ssp.d_indices WHERE coding_id IN ({_OWN}) WITH CASCADED CHECK OPTION;
CREATE VIEW blinded.results WITH (security_barrier) AS
    SELECT * FROM ssp.results WHERE coding_id IN ({_OWN}) WITH CASCADED CHECK OPTION;
CREATE VIEW blinded.audit WITH (security_barrier) AS
    SELECT * FROM ssp.audit WHERE coding_id IN ({_OWN}) WITH CASCADED CHECK OPTION;
CREATE VIEW blinded.gold_standards AS SELECT * FROM ssp.gold_standards WHERE false;
CREATE VIEW blinded.consensus_sources AS SELECT * FROM ssp.consensus_sources WHERE false;
CREATE VIEW blinded.packages AS SELECT * FROM ssp.packages WHERE false;
"""

# What a coder's role may do with the views (nothing at all with the schema ``ssp``).
CODER_WRITABLE = ("episodes", "events", "scale_ratings", "d_indices", "results")

# Append new migrations; never edit a released one.
PG_MIGRATIONS: list[str] = [PG_SCHEMA_V1, PG_SCHEMA_V2, PG_SCHEMA_V3]
PG_SCHEMA_VERSION = len(PG_MIGRATIONS)
