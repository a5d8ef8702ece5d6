-- Crossway schema version 6: the learner's own words (issue #15) — notes on lessons, questions
-- asked with the passages shown and whether they helped — and the search index over a pack's
-- passages (SQLite FTS5, bm25), built when a pack is installed or updated.

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    pack_id     TEXT NOT NULL,
    kp_id       TEXT NOT NULL,
    -- Markdown, rendered through the same sanitizer as lessons.
    body        TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX notes_by_learner ON notes (learner_id, updated_at);

CREATE TABLE questions (
    id          INTEGER PRIMARY KEY,
    learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    pack_id     TEXT NOT NULL,
    -- The lesson the question was asked on; NULL when asked about the whole pack.
    kp_scope    TEXT,
    text        TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    lang        TEXT NOT NULL CHECK (lang IN ('en', 'zh-CN')),
    covered     INTEGER NOT NULL CHECK (covered IN (0, 1)),
    -- The passages shown, best first, as a JSON array of {"kp", "kind", "heading", "score"}.
    passages    TEXT NOT NULL DEFAULT '[]',
    -- The KP the question is about (the best passage's), NULL when not covered.
    kp_id       TEXT,
    answer      TEXT,
    withheld    TEXT,
    -- 1 helpful, 0 not helpful, NULL not said.
    helpful     INTEGER CHECK (helpful IS NULL OR helpful IN (0, 1)),
    asked_at    TEXT NOT NULL
);
CREATE INDEX questions_by_learner ON questions (learner_id, asked_at);

-- The passages of each indexed pack version (plain text, one language each).
CREATE TABLE passages (
    id          INTEGER PRIMARY KEY,
    pack_id     TEXT NOT NULL,
    kp_id       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    lang        TEXT NOT NULL CHECK (lang IN ('en', 'zh-CN')),
    heading     TEXT NOT NULL,
    text        TEXT NOT NULL,
    source      TEXT,
    as_of       TEXT NOT NULL
);
CREATE INDEX passages_by_pack ON passages (pack_id, lang);

-- Which pack version the index holds.
CREATE TABLE passage_packs (
    pack_id     TEXT PRIMARY KEY,
    version     TEXT NOT NULL,
    built_at    TEXT NOT NULL
);

-- The search terms of each passage (rowid = passages.id): words for Latin text (Porter-stemmed),
-- overlapping character bigrams for Chinese (see search.rs for why).
CREATE VIRTUAL TABLE passage_index USING fts5(terms, tokenize = 'porter unicode61 remove_diacritics 2');
