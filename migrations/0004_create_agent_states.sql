-- +goose Up
-- An agent's current state, one row per user once they have had one.
CREATE TABLE agent_states (
    org_id     bigint NOT NULL,
    user_id    bigint NOT NULL,
    state      text NOT NULL CHECK (state IN ('offline', 'available', 'ringing', 'on_call', 'wrap_up', 'away')),
    reason     text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
    since      timestamptz NOT NULL DEFAULT now(),
    -- seen_at is the last heartbeat of any node holding a live connection
    -- of this user; a sweep sets agents unseen for a while offline.
    seen_at    timestamptz,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_states_seen_idx ON agent_states (seen_at) WHERE state <> 'offline';

-- Every state an agent has been in, for time-in-state reports.
CREATE TABLE agent_state_log (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL,
    user_id    bigint NOT NULL,
    state      text NOT NULL,
    reason     text NOT NULL DEFAULT '',
    started_at timestamptz NOT NULL,
    ended_at   timestamptz NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_state_log_user_idx ON agent_state_log (org_id, user_id, started_at);

-- +goose Down
DROP TABLE agent_state_log;
DROP TABLE agent_states;
