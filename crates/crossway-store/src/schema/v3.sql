-- Crossway schema version 3: the FSRS card state needs its phase and last interval.
ALTER TABLE retention ADD COLUMN state INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3);
ALTER TABLE retention ADD COLUMN scheduled_days INTEGER NOT NULL DEFAULT 0;
