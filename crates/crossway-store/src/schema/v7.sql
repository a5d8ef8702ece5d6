-- Crossway schema version 7: classroom installs (issue #18). A teacher profile (its own PIN, no
-- learner data), the classes it keeps, which learners on this install joined a class from another
-- machine (their pseudonym and the class's signing key), and the class summaries imported from
-- learners' machines. Nothing here holds a learner's answers, notes or questions.

CREATE TABLE teachers (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    -- Argon2id PHC string.
    pin           TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_failure  TEXT,
    created_at    TEXT NOT NULL
);

-- A class the teacher of this install keeps. `secret` signs the summaries its learners send
-- (HMAC-SHA256); it is part of the class code the teacher hands out. `local_learners` = 1 puts
-- every learner profile on this install in the class (a lab install).
CREATE TABLE classes (
    id              TEXT PRIMARY KEY CHECK (length(id) = 8),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    pack_id         TEXT NOT NULL,
    goal_roles      TEXT NOT NULL DEFAULT '[]',
    secret          TEXT NOT NULL,
    local_learners  INTEGER NOT NULL DEFAULT 1 CHECK (local_learners IN (0, 1)),
    created_at      TEXT NOT NULL
);

-- A learner on this install who joined a class kept elsewhere, by its class code.
CREATE TABLE class_memberships (
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    class_id    TEXT NOT NULL CHECK (length(class_id) = 8),
    secret      TEXT NOT NULL,
    pseudonym   TEXT NOT NULL UNIQUE,
    joined_at   TEXT NOT NULL,
    PRIMARY KEY (learner_id, class_id)
) WITHOUT ROWID;

-- One summary per pseudonymous learner per class: the newest export wins, the same file again
-- changes nothing.
CREATE TABLE class_summaries (
    class_id     TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    pseudonym    TEXT NOT NULL,
    exported_at  TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    body         TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (class_id, pseudonym)
) WITHOUT ROWID;

-- Every learner gets a random pseudonym for xAPI statements (new profiles get one when made).
INSERT OR IGNORE INTO profile_facts (learner_id, key, value, updated_at)
    SELECT id, 'pseudonym', '"p-' || lower(hex(randomblob(8))) || '"', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    FROM learners;
