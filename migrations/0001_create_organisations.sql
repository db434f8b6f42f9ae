-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE organisations (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    default_country text NOT NULL DEFAULT 'RU' CHECK (default_country ~ '^[A-Z]{2}$'),
    time_zone       text NOT NULL DEFAULT 'Europe/Moscow',
    agents_own_only boolean NOT NULL DEFAULT false,
    -- event_seq is the last sequence number given to one of this organisation's
    -- events. Taking the next number locks this row until commit, so sequence
    -- order is commit order (see postgres/event_store.go).
    event_seq       bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    org_id        bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    email         text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    name          text NOT NULL CHECK (length(name) <= 200),
    role          text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash text NOT NULL,
    locale        text NOT NULL DEFAULT 'ru' CHECK (locale IN ('ru', 'en')),
    time_zone     text NOT NULL DEFAULT 'Europe/Moscow',
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
-- An e-mail logs in to exactly one organisation.
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_org_idx ON users (org_id, name);

CREATE TABLE sessions (
    -- token_hash is sha256 of the cookie's token: a leaked table gives no session.
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id       bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Failed logins, counted per account and per IP address for throttling.
CREATE TABLE login_failures (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL,
    ip         text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email, created_at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, created_at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE organisations;
