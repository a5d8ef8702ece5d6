-- Crossway schema version 2: facts that changed between installed versions of a pack, so the
-- path can schedule refresh reviews for learners who had learned the old version.

CREATE TABLE pack_fact_changes (
    id            INTEGER PRIMARY KEY,
    pack_id       TEXT NOT NULL,
    from_version  TEXT NOT NULL,
    to_version    TEXT NOT NULL,
    kp_id         TEXT NOT NULL,
    fact_id       TEXT NOT NULL,
    change        TEXT NOT NULL CHECK (change IN ('added', 'removed', 'changed')),
    old_as_of     TEXT,
    new_as_of     TEXT,
    recorded_at   TEXT NOT NULL,
    UNIQUE (pack_id, to_version, kp_id, fact_id)
);
CREATE INDEX pack_fact_changes_by_kp ON pack_fact_changes (pack_id, kp_id);
