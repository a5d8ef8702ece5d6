-- Crossway schema version 1: learners, their profile facts, events, mastery, retention, packs.
-- Times are RFC 3339 UTC text. JSON columns hold serde_json text.

CREATE TABLE learners (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    locale          TEXT NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('en', 'zh-CN')),
    goal_role       TEXT,
    weekly_minutes  INTEGER NOT NULL DEFAULT 300 CHECK (weekly_minutes BETWEEN 10 AND 5040),
    created_at      TEXT NOT NULL
);

-- One row per profile fact (background, preferences, ...), keyed by name; value is JSON.
CREATE TABLE profile_facts (
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (learner_id, key)
) WITHOUT ROWID;

-- Everything a learner did, append-only. The idempotency key makes a replayed or double-clicked
-- submission a no-op.
CREATE TABLE events (
    id               INTEGER PRIMARY KEY,
    learner_id       INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    idempotency_key  TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 128),
    kind             TEXT NOT NULL CHECK (kind IN ('attempt', 'study_session', 'rating')),
    occurred_at      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    pack_id          TEXT,
    kp_id            TEXT,
    item_id          TEXT,
    score            REAL CHECK (score IS NULL OR (score >= 0 AND score <= 1)),
    payload          TEXT NOT NULL DEFAULT '{}',
    UNIQUE (learner_id, idempotency_key)
);
CREATE INDEX events_by_learner_kp ON events (learner_id, kp_id, occurred_at);

CREATE TABLE mastery (
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    kp_id       TEXT NOT NULL,
    p           REAL NOT NULL CHECK (p >= 0 AND p <= 1),
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    correct     INTEGER NOT NULL DEFAULT 0 CHECK (correct >= 0),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (learner_id, kp_id)
) WITHOUT ROWID;

-- Spaced-review state per learned KP (FSRS memory state); filled by the retention work.
CREATE TABLE retention (
    learner_id   INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    kp_id        TEXT NOT NULL,
    stability    REAL NOT NULL,
    difficulty   REAL NOT NULL,
    due_at       TEXT NOT NULL,
    last_review  TEXT,
    reps         INTEGER NOT NULL DEFAULT 0,
    lapses       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (learner_id, kp_id)
) WITHOUT ROWID;

CREATE TABLE installed_packs (
    id            TEXT PRIMARY KEY,
    version       TEXT NOT NULL,
    title_en      TEXT NOT NULL,
    title_zh      TEXT NOT NULL,
    as_of         TEXT NOT NULL,
    dir           TEXT NOT NULL,
    installed_at  TEXT NOT NULL
) WITHOUT ROWID;
