-- Crossway schema version 5: assessment beyond quizzes (issue #7) — simulation runs, two-way
-- feedback (ratings, error reports, grade disputes), group tasks with peer reviews. Study sessions
-- (a method used on a KP for some minutes) are `events` rows of kind 'study_session'.

CREATE TABLE simulation_runs (
    id           INTEGER PRIMARY KEY,
    learner_id   INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    pack_id      TEXT NOT NULL,
    sim_id       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    -- Step ids whose hint was shown, as a JSON array.
    hints        TEXT NOT NULL DEFAULT '[]',
    accuracy     REAL CHECK (accuracy IS NULL OR (accuracy >= 0 AND accuracy <= 1)),
    efficiency   REAL CHECK (efficiency IS NULL OR (efficiency >= 0 AND efficiency <= 1)),
    score        REAL CHECK (score IS NULL OR (score >= 0 AND score <= 1)),
    minutes      REAL
);
CREATE INDEX simulation_runs_by_learner ON simulation_runs (learner_id, started_at);

-- What learners tell the authors: a rating (1-5) of a lesson or a method, an error report on a
-- lesson or item, a dispute of an attempt's grade.
CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('rating', 'error_report', 'dispute')),
    pack_id     TEXT NOT NULL,
    target      TEXT NOT NULL CHECK (target IN ('lesson', 'item', 'method')),
    target_id   TEXT NOT NULL,
    attempt_id  INTEGER REFERENCES events(id) ON DELETE CASCADE,
    rating      INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    created_at  TEXT NOT NULL
);
CREATE INDEX feedback_by_target ON feedback (pack_id, target, target_id);
-- One open dispute per attempt.
CREATE UNIQUE INDEX feedback_one_dispute ON feedback (attempt_id) WHERE kind = 'dispute';

CREATE TABLE group_tasks (
    id          INTEGER PRIMARY KEY,
    pack_id     TEXT NOT NULL,
    kp_id       TEXT NOT NULL,
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    created_at  TEXT NOT NULL
);

CREATE TABLE group_members (
    task_id       INTEGER NOT NULL REFERENCES group_tasks(id) ON DELETE CASCADE,
    learner_id    INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (length(role) BETWEEN 1 AND 60),
    contribution  TEXT CHECK (contribution IS NULL OR length(contribution) <= 8000),
    submitted_at  TEXT,
    PRIMARY KEY (task_id, learner_id)
) WITHOUT ROWID;

-- A peer-review form: each criterion scored 1-5, and a comment.
CREATE TABLE peer_reviews (
    task_id      INTEGER NOT NULL REFERENCES group_tasks(id) ON DELETE CASCADE,
    reviewer_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    reviewee_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    contribution INTEGER NOT NULL CHECK (contribution BETWEEN 1 AND 5),
    quality      INTEGER NOT NULL CHECK (quality BETWEEN 1 AND 5),
    communication INTEGER NOT NULL CHECK (communication BETWEEN 1 AND 5),
    comment      TEXT NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (task_id, reviewer_id, reviewee_id),
    CHECK (reviewer_id <> reviewee_id)
) WITHOUT ROWID;
