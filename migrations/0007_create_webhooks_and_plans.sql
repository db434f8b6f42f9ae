-- +goose Up
-- Outbound integrations (webhooks, SMTP e-mail) and contact plans with lag
-- alerts (issue 5). See docs/integrations.md.

-- A webhook endpoint: events of the organisation are POSTed to url, signed
-- with secret. cursor_seq is the last event sequence of the organisation
-- the delivery worker has turned into deliveries for this endpoint: events
-- are numbered in commit order with no gaps (postgres/event_store.go), so
-- everything after the cursor is still to enqueue.
CREATE TABLE webhooks (
    id          bigserial PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    url         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    -- Event types to deliver; empty: all of them.
    event_types text[] NOT NULL DEFAULT '{}',
    -- The HMAC key must be kept in a form the worker can sign with, so it
    -- cannot be hashed; the API shows it once, at creation, and never logs it.
    secret      text NOT NULL CHECK (length(secret) BETWEEN 16 AND 200),
    enabled     boolean NOT NULL DEFAULT true,
    cursor_seq  bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE INDEX webhooks_org_idx ON webhooks (org_id, id);

-- One delivery of one event (or of a test event, event_seq null and the
-- payload kept here) to one endpoint. A worker claims due rows with FOR
-- UPDATE SKIP LOCKED and moves next_attempt_at past its timeout before
-- sending, so two workers never send the same row at once; an
-- acknowledged row is 'delivered' and never claimed again.
CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    org_id          bigint NOT NULL,
    webhook_id      bigint NOT NULL,
    event_seq       bigint,
    event_type      text NOT NULL,
    test_payload    jsonb,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_status     int,
    last_error      text NOT NULL DEFAULT '' CHECK (length(last_error) <= 500),
    -- At most a short excerpt of the answer is kept.
    last_response   text NOT NULL DEFAULT '' CHECK (length(last_response) <= 500),
    last_latency_ms int,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((event_seq IS NULL) = (test_payload IS NOT NULL)),
    UNIQUE (webhook_id, event_seq),
    FOREIGN KEY (org_id, webhook_id) REFERENCES webhooks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (org_id, webhook_id, id DESC);

-- SMTP settings of an organisation (one row, written by admins).
CREATE TABLE email_settings (
    org_id          bigint PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    host            text NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
    port            int NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security        text NOT NULL CHECK (security IN ('none', 'starttls', 'tls')),
    username        text NOT NULL DEFAULT '' CHECK (length(username) <= 254),
    -- Like a trunk's password: needed in clear to log in; write-only in the API.
    password        text NOT NULL DEFAULT '' CHECK (length(password) <= 500),
    from_address    text NOT NULL CHECK (length(from_address) BETWEEN 3 AND 254),
    -- Where zombie hand-offs go when their stage names no address.
    handoff_address text NOT NULL DEFAULT '' CHECK (length(handoff_address) <= 254),
    -- The last event sequence turned into e-mails (plan alerts, hand-offs).
    cursor_seq      bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Outgoing e-mails, sent by the delivery worker with the webhooks' retries.
-- (org_id, event_seq, recipient) makes turning an event into e-mails
-- idempotent.
CREATE TABLE email_messages (
    id              bigserial PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    event_seq       bigint,
    kind            text NOT NULL CHECK (kind IN ('plan_alert', 'handoff')),
    recipient       text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    subject         text NOT NULL CHECK (length(subject) <= 300),
    body            text NOT NULL CHECK (length(body) <= 20000),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '' CHECK (length(last_error) <= 500),
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, event_seq, recipient)
);
CREATE INDEX email_messages_due_idx ON email_messages (next_attempt_at) WHERE status = 'pending';

-- Contact plans: targets per agent and period. Lag accumulates from
-- starts_on (the first period counted); pace is measured on the working
-- calendar of migration 0006 (postgres/plan_store.go).
ALTER TABLE organisations
    -- An agent behind pace by this share of what is due by now raises an alert.
    ADD COLUMN plan_alert_threshold int NOT NULL DEFAULT 20 CHECK (plan_alert_threshold BETWEEN 1 AND 100);
CREATE TABLE plans (
    id          bigserial PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    agent_id    bigint NOT NULL,
    period      text NOT NULL CHECK (period IN ('day', 'week', 'month', 'quarter')),
    contacts    int NOT NULL DEFAULT 0 CHECK (contacts BETWEEN 0 AND 100000),
    new_clients int NOT NULL DEFAULT 0 CHECK (new_clients BETWEEN 0 AND 100000),
    advances    int NOT NULL DEFAULT 0 CHECK (advances BETWEEN 0 AND 100000),
    wins        int NOT NULL DEFAULT 0 CHECK (wins BETWEEN 0 AND 100000),
    starts_on   date NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, agent_id, period),
    FOREIGN KEY (org_id, agent_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
-- One alert per plan, metric and hour: the check may run often and in
-- several processes; the key makes it idempotent.
CREATE TABLE plan_alerts (
    org_id     bigint NOT NULL,
    plan_id    bigint NOT NULL,
    metric     text NOT NULL,
    hour       timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, metric, hour),
    FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE
);
-- Progress counts an agent's contacts, new clients and moves over a period.
CREATE INDEX contacts_user_idx ON contacts (org_id, user_id, at) WHERE counted = 'contact';
CREATE INDEX clients_owner_created_idx ON clients (org_id, owner_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX stage_transitions_org_created_idx ON stage_transitions (org_id, created_at);

-- +goose Down
DROP INDEX stage_transitions_org_created_idx;
DROP INDEX clients_owner_created_idx;
DROP INDEX contacts_user_idx;
DROP TABLE plan_alerts;
DROP TABLE plans;
ALTER TABLE organisations DROP COLUMN plan_alert_threshold;
DROP TABLE email_messages;
DROP TABLE email_settings;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
