-- +goose Up
CREATE TABLE stages (
    id             bigserial PRIMARY KEY,
    org_id         bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position       int NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('open', 'won', 'rejected')),
    cooling_period int NOT NULL DEFAULT 0 CHECK (cooling_period BETWEEN 0 AND 10000),
    cooling_unit   text NOT NULL DEFAULT 'working_days' CHECK (cooling_unit IN ('working_days', 'hours')),
    cooling_soon   int NOT NULL DEFAULT 0 CHECK (cooling_soon >= 0 AND (cooling_soon < cooling_period OR cooling_soon = 0)),
    contact_limit  int NOT NULL DEFAULT 0 CHECK (contact_limit BETWEEN 0 AND 1000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- A deleted stage is kept so that stage history can still name it.
    deleted_at     timestamptz,
    UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX stages_org_name_key ON stages (org_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX stages_org_position_idx ON stages (org_id, position) WHERE deleted_at IS NULL;

CREATE TABLE lines (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number     text NOT NULL,          -- E.164 DID
    channel_id bigint,
    name       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (number)
);

CREATE TABLE channels (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, name)
);
ALTER TABLE lines ADD FOREIGN KEY (channel_id) REFERENCES channels (id) ON DELETE SET NULL;

CREATE TABLE clients (
    id               bigserial PRIMARY KEY,
    org_id           bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    company          text NOT NULL DEFAULT '' CHECK (length(company) <= 200),
    phones           jsonb NOT NULL DEFAULT '[]',
    -- phone_digits holds every phone's digits, international and national,
    -- so that a partial number typed in any format finds the client.
    phone_digits     text NOT NULL DEFAULT '',
    email            text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    channel          text NOT NULL DEFAULT '' CHECK (length(channel) <= 100),
    owner_id         bigint,
    stage_id         bigint NOT NULL,
    stage_entered_at timestamptz NOT NULL DEFAULT now(),
    first_contact_at timestamptz,
    last_contact_at  timestamptz,
    contacts         int NOT NULL DEFAULT 0,
    stage_contacts   int NOT NULL DEFAULT 0,
    attempts         int NOT NULL DEFAULT 0,
    notes            text NOT NULL DEFAULT '' CHECK (length(notes) <= 20000),
    -- When the client shows as cooling soon, and when it has cooled; null
    -- when its stage does not cool. Kept by wl_set_cooling (0003).
    cooling_soon_at  timestamptz,
    cools_at         timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, stage_id) REFERENCES stages (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id)
);
-- The board and the list read live clients of one organisation by stage,
-- owner or recency; search uses trigrams.
CREATE INDEX clients_board_idx ON clients (org_id, stage_id, stage_entered_at, id) WHERE deleted_at IS NULL;
CREATE INDEX clients_owner_idx ON clients (org_id, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX clients_created_idx ON clients (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX clients_name_idx ON clients (org_id, lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX clients_cools_idx ON clients (org_id, cools_at) WHERE deleted_at IS NULL;
CREATE INDEX clients_search_idx ON clients USING gin ((lower(name || ' ' || company || ' ' || email)) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX clients_digits_idx ON clients USING gin (phone_digits gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX clients_phones_idx ON clients USING gin (phones jsonb_path_ops) WHERE deleted_at IS NULL;

-- One number belongs to at most one live client of an organisation: imports
-- dedupe on it and inbound calls find their caller through it.
CREATE TABLE client_phones (
    org_id    bigint NOT NULL,
    phone     text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{4,14}$'),
    client_id bigint NOT NULL,
    PRIMARY KEY (org_id, phone),
    FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE
);
CREATE INDEX client_phones_client_idx ON client_phones (client_id);

CREATE TABLE stage_transitions (
    id            bigserial PRIMARY KEY,
    org_id        bigint NOT NULL,
    client_id     bigint NOT NULL,
    from_stage_id bigint,
    to_stage_id   bigint NOT NULL,
    actor_id      bigint,        -- null: the product moved it (rule, import)
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, actor_id) REFERENCES users (org_id, id)
);
CREATE INDEX stage_transitions_client_idx ON stage_transitions (org_id, client_id, created_at);

CREATE TABLE events (
    org_id     bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    seq        bigint NOT NULL,
    type       text NOT NULL,
    data       jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, seq)
);

CREATE TABLE imports (
    id          bigserial PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    created_by  bigint NOT NULL,
    file_name   text NOT NULL DEFAULT '',
    mode        text NOT NULL CHECK (mode IN ('all_or_nothing', 'skip_bad_rows')),
    status      text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    total_rows  int NOT NULL DEFAULT 0,
    processed   int NOT NULL DEFAULT 0,
    created     int NOT NULL DEFAULT 0,
    skipped     int NOT NULL DEFAULT 0,
    errors      jsonb NOT NULL DEFAULT '[]',
    message     text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- updated_at is the worker's heartbeat: a running import whose worker
    -- died stops beating and is marked failed (postgres/import_store.go).
    updated_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
CREATE INDEX imports_org_idx ON imports (org_id, created_at DESC);

-- +goose Down
DROP TABLE imports;
DROP TABLE events;
DROP TABLE stage_transitions;
DROP TABLE client_phones;
DROP TABLE clients;
DROP TABLE lines;
DROP TABLE channels;
DROP TABLE stages;
