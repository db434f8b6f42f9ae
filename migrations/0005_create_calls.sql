-- +goose Up
-- Phone settings of an organisation (used by the gateway and the softphone).
ALTER TABLE organisations
    -- Click-to-call rings the agent first; after this many seconds the
    -- softphone answers by itself (0: the agent always picks up).
    ADD COLUMN auto_answer_seconds int NOT NULL DEFAULT 0 CHECK (auto_answer_seconds BETWEEN 0 AND 60),
    -- After-call work: an agent whose call ended is in wrap_up this long,
    -- then available again (0: straight back to available).
    ADD COLUMN wrap_up_seconds int NOT NULL DEFAULT 30 CHECK (wrap_up_seconds BETWEEN 0 AND 3600);

-- A SIP trunk: how the organisation's calls reach the phone network.
CREATE TABLE trunks (
    id               bigserial PRIMARY KEY,
    org_id           bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    host             text NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
    port             int NOT NULL DEFAULT 5060 CHECK (port BETWEEN 1 AND 65535),
    transport        text NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp')),
    -- register: the gateway registers with digest auth (username/password);
    -- ip: the provider knows our address, and we accept its allowed_sources.
    auth_mode        text NOT NULL DEFAULT 'ip' CHECK (auth_mode IN ('register', 'ip')),
    username         text NOT NULL DEFAULT '' CHECK (length(username) <= 200),
    -- The digest password must be kept in a form the gateway can use, so it
    -- cannot be hashed; it is write-only in the API and never logged.
    password         text NOT NULL DEFAULT '' CHECK (length(password) <= 200),
    register_expires int NOT NULL DEFAULT 300 CHECK (register_expires BETWEEN 60 AND 86400),
    outbound_proxy   text NOT NULL DEFAULT '' CHECK (length(outbound_proxy) <= 300),
    caller_id        text NOT NULL DEFAULT '' CHECK (length(caller_id) <= 32),
    -- Codecs in order of preference; G.711 only (pass-through, no transcoding).
    codecs           text[] NOT NULL DEFAULT '{PCMU,PCMA}' CHECK (codecs <@ '{PCMU,PCMA}' AND cardinality(codecs) > 0),
    -- Addresses (IP or CIDR) INVITEs may come from besides host's own.
    allowed_sources  text[] NOT NULL DEFAULT '{}',
    enabled          boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX trunks_org_name_key ON trunks (org_id, lower(name));

-- A line (DID) arrives on a trunk.
ALTER TABLE lines ADD COLUMN trunk_id bigint;
ALTER TABLE lines ADD FOREIGN KEY (trunk_id) REFERENCES trunks (id) ON DELETE SET NULL;
ALTER TABLE lines ADD CONSTRAINT lines_number_e164 CHECK (number ~ '^\+[1-9][0-9]{4,14}$');
ALTER TABLE lines ADD CONSTRAINT lines_org_id_key UNIQUE (org_id, id);
CREATE INDEX lines_org_idx ON lines (org_id);

-- One call record per call leg the organisation sees: written when the
-- INVITE arrives (before 180/200) or the agent clicks Call, so a crash never
-- loses a call; closed with its outcome when it ends.
CREATE TABLE calls (
    id            bigserial PRIMARY KEY,
    org_id        bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    direction     text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    from_number   text NOT NULL DEFAULT '' CHECK (length(from_number) <= 64),
    to_number     text NOT NULL DEFAULT '' CHECK (length(to_number) <= 64),
    trunk_id      bigint,
    line_id       bigint,
    agent_id      bigint,
    client_id     bigint,
    sip_call_id   text NOT NULL DEFAULT '' CHECK (length(sip_call_id) <= 300),
    -- ringing → answered → ended; "ringing" also covers dialling the client.
    status        text NOT NULL DEFAULT 'ringing' CHECK (status IN ('ringing', 'answered', 'ended')),
    held          boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    ringing_at    timestamptz,
    answered_at   timestamptz,
    ended_at      timestamptz,
    -- How it ended: answered (a conversation happened), missed (inbound,
    -- nobody took it), no_answer, busy, declined, cancelled, failed.
    outcome       text CHECK (outcome IN ('answered', 'missed', 'no_answer', 'busy', 'declined', 'cancelled', 'failed')),
    missed_reason text CHECK (missed_reason IN ('out_of_hours', 'no_agents_online', 'all_busy', 'no_answer', 'overload', 'abandoned')),
    sip_cause     int CHECK (sip_cause BETWEEN 100 AND 699),
    -- Why it ended, in words the record shows: hangup, media_timeout,
    -- browser_lost, transferred, interrupted (its gateway died), ...
    end_reason    text NOT NULL DEFAULT '' CHECK (length(end_reason) <= 100),
    hangup_side   text CHECK (hangup_side IN ('agent', 'client', 'system')),
    -- node names the gateway process holding the call; calls left open by a
    -- node that restarted are closed as interrupted.
    node          text NOT NULL DEFAULT '' CHECK (length(node) <= 100),
    CHECK (status <> 'ended' OR (ended_at IS NOT NULL AND outcome IS NOT NULL)),
    CHECK (missed_reason IS NULL OR outcome = 'missed'),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, agent_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE SET NULL (client_id),
    FOREIGN KEY (org_id, trunk_id) REFERENCES trunks (org_id, id) ON DELETE SET NULL (trunk_id),
    FOREIGN KEY (org_id, line_id) REFERENCES lines (org_id, id) ON DELETE SET NULL (line_id)
);
CREATE INDEX calls_org_created_idx ON calls (org_id, created_at DESC, id DESC);
CREATE INDEX calls_client_idx ON calls (org_id, client_id, created_at DESC) WHERE client_id IS NOT NULL;
CREATE INDEX calls_agent_idx ON calls (org_id, agent_id, created_at DESC) WHERE agent_id IS NOT NULL;
CREATE INDEX calls_open_idx ON calls (node) WHERE status <> 'ended';
-- A caller's calls by number: was a missed call called back (any later
-- connected call with the number, either direction)?
CREATE INDEX calls_from_idx ON calls (org_id, from_number, created_at);
CREATE INDEX calls_to_idx ON calls (org_id, to_number, created_at);

-- +goose Down
DROP TABLE calls;
ALTER TABLE lines DROP CONSTRAINT lines_org_id_key;
ALTER TABLE lines DROP CONSTRAINT lines_number_e164;
ALTER TABLE lines DROP COLUMN trunk_id;
DROP TABLE trunks;
ALTER TABLE organisations DROP COLUMN wrap_up_seconds, DROP COLUMN auto_answer_seconds;
