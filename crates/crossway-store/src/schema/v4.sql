-- Crossway schema version 4: mastery-model parameters fitted from this install's own answers.
CREATE TABLE kp_params (
    pack_id    TEXT NOT NULL,
    kp_id      TEXT NOT NULL,
    p_init     REAL NOT NULL CHECK (p_init > 0 AND p_init < 1),
    p_learn    REAL NOT NULL CHECK (p_learn > 0 AND p_learn < 1),
    p_forget   REAL NOT NULL CHECK (p_forget >= 0 AND p_forget < 1),
    p_slip     REAL NOT NULL CHECK (p_slip > 0 AND p_slip < 1),
    p_guess    REAL NOT NULL CHECK (p_guess > 0 AND p_guess < 1),
    learners   INTEGER NOT NULL,
    answers    INTEGER NOT NULL,
    fitted_at  TEXT NOT NULL,
    PRIMARY KEY (pack_id, kp_id)
) WITHOUT ROWID;
