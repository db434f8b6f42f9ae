-- +goose Up
-- The rules engine (issue 5): the working calendar, contacts, rules per
-- stage, work queues and the record of every automatic action. See
-- docs/rules.md.

-- Organisation settings of the engine.
ALTER TABLE organisations
    -- A connected call at least this long is a contact; shorter, an attempt.
    ADD COLUMN contact_min_seconds int NOT NULL DEFAULT 20 CHECK (contact_min_seconds BETWEEN 0 AND 3600),
    -- A new client's first contact ends in the rejected stage unless the
    -- agent picks another outcome within the after-call window.
    ADD COLUMN objective_funnel boolean NOT NULL DEFAULT true;

-- The working calendar: one working interval per weekday (ISO day 1 =
-- Monday) in the organisation's time zone; a weekday without a row is a day
-- off. Holidays are whole days off.
CREATE TABLE working_hours (
    org_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    isodow smallint NOT NULL CHECK (isodow BETWEEN 1 AND 7),
    opens  time NOT NULL,
    closes time NOT NULL CHECK (closes > opens),
    PRIMARY KEY (org_id, isodow)
);
CREATE TABLE holidays (
    org_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    day    date NOT NULL,
    name   text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    PRIMARY KEY (org_id, day)
);

-- Every organisation starts with Monday to Friday, 09:00 to 18:00 (a
-- trigger, so that every way of creating one gets it).
-- +goose StatementBegin
CREATE FUNCTION wl_default_working_hours() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO working_hours (org_id, isodow, opens, closes)
    SELECT NEW.id, d, '09:00', '18:00' FROM generate_series(1, 5) AS d;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER organisations_working_hours AFTER INSERT ON organisations
    FOR EACH ROW EXECUTE FUNCTION wl_default_working_hours();
INSERT INTO working_hours (org_id, isodow, opens, closes)
SELECT o.id, d, '09:00', '18:00' FROM organisations o, generate_series(1, 5) AS d;

-- wl_is_working_day: the local date d is a working day of the organisation.
-- +goose StatementBegin
CREATE FUNCTION wl_is_working_day(org bigint, d date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM working_hours h WHERE h.org_id = org AND h.isodow = extract(isodow FROM d))
       AND NOT EXISTS (SELECT 1 FROM holidays x WHERE x.org_id = org AND x.day = d)
$$;
-- +goose StatementEnd

-- The calendar arithmetic works on the calendar loaded once into arrays
-- (wl_calendar): opens/closes per ISO weekday (null: a day off) and the
-- holidays; the loops then run without a query per day, which is what
-- makes re-timing a million clients take seconds per organisation rather
-- than minutes.
-- +goose StatementBegin
CREATE FUNCTION wl_calendar(org bigint, OUT opens time[], OUT closes time[], OUT holidays date[])
LANGUAGE sql STABLE AS $$
    SELECT (SELECT array_agg(h.opens ORDER BY d) FROM generate_series(1, 7) d
                LEFT JOIN working_hours h ON h.org_id = org AND h.isodow = d),
           (SELECT array_agg(h.closes ORDER BY d) FROM generate_series(1, 7) d
                LEFT JOIN working_hours h ON h.org_id = org AND h.isodow = d),
           (SELECT COALESCE(array_agg(x.day ORDER BY x.day), '{}') FROM holidays x WHERE x.org_id = org)
$$;
-- +goose StatementEnd

-- wl_cal_add_days: the moment `days` working days after start, at the
-- same local time of day (the n-th working day after start's local date).
-- Null when no working day is in reach (a year of days off past one
-- working day a week).
-- +goose StatementBegin
CREATE FUNCTION wl_cal_add_days(start timestamptz, days int, tz text, opens time[], holidays date[]) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    d date := (start AT TIME ZONE tz)::date;
    n int := 0;
BEGIN
    IF days <= 0 THEN
        RETURN start;
    END IF;
    FOR i IN 1 .. days * 7 + 366 LOOP
        d := d + 1;
        IF opens[extract(isodow FROM d)::int] IS NOT NULL AND NOT d = ANY (holidays) THEN
            n := n + 1;
            IF n = days THEN
                RETURN (d + (start AT TIME ZONE tz)::time) AT TIME ZONE tz;
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- wl_cal_add_minutes: the moment `minutes` of working time after start;
-- time outside working hours, days off and holidays does not count.
-- +goose StatementBegin
CREATE FUNCTION wl_cal_add_minutes(start timestamptz, minutes int, tz text, opens time[], closes time[], holidays date[])
RETURNS timestamptz LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    left_s float8 := minutes * 60.0;
    d date := (start AT TIME ZONE tz)::date - 1;
    wd int;
    o timestamptz;
    avail float8;
BEGIN
    IF minutes <= 0 THEN
        RETURN start;
    END IF;
    FOR i IN 0 .. minutes / 60 * 7 + 366 LOOP
        d := d + 1;
        wd := extract(isodow FROM d)::int;
        CONTINUE WHEN opens[wd] IS NULL OR d = ANY (holidays);
        o := GREATEST((d + opens[wd]) AT TIME ZONE tz, start);
        avail := extract(epoch FROM ((d + closes[wd]) AT TIME ZONE tz) - o);
        CONTINUE WHEN avail <= 0;
        IF avail >= left_s THEN
            RETURN o + left_s * interval '1 second';
        END IF;
        left_s := left_s - avail;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- wl_working_spans: the working interval of each working day from local
-- date d0 to d1, as timestamps, in order (not STRICT, so that Postgres
-- inlines it and a caller that stops early stops the scan).
-- +goose StatementBegin
CREATE FUNCTION wl_working_spans(org bigint, d0 date, d1 date, tz text, OUT day date, OUT opens timestamptz, OUT closes timestamptz)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
    SELECT g.d::date, (g.d::date + h.opens) AT TIME ZONE tz, (g.d::date + h.closes) AT TIME ZONE tz
    FROM generate_series(d0, d1, interval '1 day') AS g(d)
    JOIN working_hours h ON h.org_id = org AND h.isodow = extract(isodow FROM g.d)
    WHERE NOT EXISTS (SELECT 1 FROM holidays x WHERE x.org_id = org AND x.day = g.d::date)
$$;
-- +goose StatementEnd

-- wl_working_days_between: whole working days from a to b (the largest n
-- with wl_add_working_days(a, n) <= b).
-- +goose StatementBegin
CREATE FUNCTION wl_working_days_between(org bigint, a timestamptz, b timestamptz, tz text) RETURNS int
LANGUAGE sql STABLE STRICT AS $$
    SELECT CASE WHEN b <= a THEN 0 ELSE (
        SELECT count(*)::int
        FROM generate_series((a AT TIME ZONE tz)::date + 1, (b AT TIME ZONE tz)::date, interval '1 day') AS g(d)
        WHERE wl_is_working_day(org, g.d::date)
          AND (g.d::date < (b AT TIME ZONE tz)::date OR (a AT TIME ZONE tz)::time <= (b AT TIME ZONE tz)::time))
    END
$$;
-- +goose StatementEnd

-- wl_working_minutes_between: working time from a to b, in minutes.
-- +goose StatementBegin
CREATE FUNCTION wl_working_minutes_between(org bigint, a timestamptz, b timestamptz, tz text) RETURNS float8
LANGUAGE sql STABLE STRICT AS $$
    SELECT COALESCE(sum(GREATEST(0, extract(epoch FROM LEAST(s.closes, b) - GREATEST(s.opens, a))::float8 / 60)), 0)
    FROM wl_working_spans(org, (a AT TIME ZONE tz)::date, (b AT TIME ZONE tz)::date, tz) s
    WHERE b > a
$$;
-- +goose StatementEnd

-- wl_day_minutes: the organisation's average working day, in minutes (a
-- fraction of a working day is that fraction of it).
-- +goose StatementBegin
CREATE FUNCTION wl_day_minutes(org bigint) RETURNS float8
LANGUAGE sql STABLE STRICT AS $$
    SELECT COALESCE(avg(extract(epoch FROM closes - opens)::float8 / 60), 0) FROM working_hours WHERE org_id = org
$$;
-- +goose StatementEnd

-- wl_deadlines: when a client last touched at `base` shows as cooling soon
-- and when it has cooled, on a calendar loaded by wl_calendar (callers load
-- it once per organisation and statement). Both null when the stage does
-- not cool. The soon moment is soon_pct % of the period, or, when
-- soon_abs > 0, soon_abs units before cooling; a fraction of a working day
-- is that fraction of the average working day.
-- +goose StatementBegin
CREATE FUNCTION wl_deadlines(base timestamptz, kind text, period int, unit text, soon_abs int, soon_pct int,
                             tz text, opens time[], closes time[], holidays date[],
                             OUT soon_at timestamptz, OUT cools_at timestamptz)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    x numeric;
    day_min float8 := 0;
    n int := 0;
BEGIN
    IF kind <> 'open' OR period <= 0 OR base IS NULL THEN
        RETURN;
    END IF;
    IF unit = 'hours' THEN
        cools_at := wl_cal_add_minutes(base, period * 60, tz, opens, closes, holidays);
        IF soon_abs > 0 THEN
            soon_at := wl_cal_add_minutes(base, (period - soon_abs) * 60, tz, opens, closes, holidays);
        ELSE
            soon_at := wl_cal_add_minutes(base, round(period * 60 * soon_pct / 100.0)::int, tz, opens, closes, holidays);
        END IF;
        RETURN;
    END IF;
    cools_at := wl_cal_add_days(base, period, tz, opens, holidays);
    IF soon_abs > 0 THEN
        soon_at := wl_cal_add_days(base, period - soon_abs, tz, opens, holidays);
        RETURN;
    END IF;
    x := period * soon_pct / 100.0;
    soon_at := wl_cal_add_days(base, floor(x)::int, tz, opens, holidays);
    IF x > floor(x) THEN
        FOR d IN 1 .. 7 LOOP
            IF opens[d] IS NOT NULL THEN
                day_min := day_min + extract(epoch FROM closes[d] - opens[d])::float8 / 60;
                n := n + 1;
            END IF;
        END LOOP;
        IF n > 0 THEN
            day_min := day_min / n;
        END IF;
        soon_at := wl_cal_add_minutes(soon_at, round((x - floor(x)) * day_min)::int, tz, opens, closes, holidays);
    END IF;
END
$$;
-- +goose StatementEnd

-- Rules per stage.
ALTER TABLE stages
    -- A client shows as cooling soon at this share of the cooling period
    -- (cooling_soon > 0, the older absolute setting, wins when set).
    ADD COLUMN cooling_soon_percent int NOT NULL DEFAULT 80 CHECK (cooling_soon_percent BETWEEN 1 AND 100),
    -- What happens to a cooled client besides the Cooled queue.
    ADD COLUMN notify_owner boolean NOT NULL DEFAULT true,
    ADD COLUMN cooled_reassign_to bigint,
    ADD COLUMN cooled_move_to bigint,
    -- What happens at the contact limit: the Zombies queue for a supervisor,
    -- the rejected stage, or a hand-off to another channel.
    ADD COLUMN zombie_action text NOT NULL DEFAULT 'queue' CHECK (zombie_action IN ('queue', 'reject', 'handoff')),
    ADD COLUMN handoff_channel text NOT NULL DEFAULT '' CHECK (length(handoff_channel) <= 100),
    ADD COLUMN handoff_email text NOT NULL DEFAULT '' CHECK (length(handoff_email) <= 254),
    ADD COLUMN handoff_webhook boolean NOT NULL DEFAULT false,
    ADD FOREIGN KEY (org_id, cooled_reassign_to) REFERENCES users (org_id, id),
    ADD FOREIGN KEY (org_id, cooled_move_to) REFERENCES stages (org_id, id);
-- The seed's stages counted "soon" in whole units before cooling; keep
-- their moment as a share of the period.
UPDATE stages SET cooling_soon_percent = GREATEST(1, round(100.0 * (cooling_period - cooling_soon) / cooling_period)), cooling_soon = 0
WHERE cooling_soon > 0 AND cooling_period > 0;

ALTER TABLE clients
    -- When the agent means to act next (a callback); settable by the agent.
    ADD COLUMN next_action_at timestamptz,
    -- Handed to another channel (newsletters, site) by the zombie rule.
    ADD COLUMN handed_off boolean NOT NULL DEFAULT false,
    ADD COLUMN handed_off_at timestamptz;
-- The sweep finds due clients across all organisations through these.
CREATE INDEX clients_cools_all_idx ON clients (cools_at) WHERE deleted_at IS NULL AND cools_at IS NOT NULL;
CREATE INDEX clients_soon_all_idx ON clients (cooling_soon_at) WHERE deleted_at IS NULL AND cooling_soon_at IS NOT NULL;
CREATE INDEX clients_next_action_idx ON clients (next_action_at) WHERE deleted_at IS NULL AND next_action_at IS NOT NULL;
CREATE INDEX clients_my_day_idx ON clients (org_id, owner_id, next_action_at) WHERE deleted_at IS NULL;

-- Contacts and attempts: every call that ended with a client (one row per
-- call: recording it twice is impossible) and every manual touch.
CREATE TABLE contacts (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    client_id  bigint NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('call', 'meeting', 'email', 'message')),
    -- counted: a real touch (contact) or a call that did not connect (attempt).
    counted    text NOT NULL CHECK (counted IN ('contact', 'attempt')),
    call_id    bigint,
    user_id    bigint,
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    at         timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, call_id),
    FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX contacts_client_idx ON contacts (org_id, client_id, at DESC);

-- The after-call outcome of a call: what the agent chose, or the objective
-- funnel's default (rejected) once due_at passes undecided.
CREATE TABLE call_outcomes (
    org_id        bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    call_id       bigint NOT NULL,
    client_id     bigint NOT NULL,
    -- The stage the client was in at the call: a default applies only if
    -- the client is still there.
    stage_id      bigint NOT NULL,
    due_at        timestamptz,
    outcome       text CHECK (outcome IN ('rejected', 'keep', 'advance', 'stage')),
    to_stage_id   bigint,
    decided_by    bigint,
    decided_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, call_id),
    FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE
);
CREATE INDEX call_outcomes_due_idx ON call_outcomes (due_at) WHERE decided_at IS NULL;

-- Work queues. An item belongs to one episode (episode_at: the deadline
-- or stay that raised it), so a closed item is not raised again until
-- something new happens; at most one open item per client and kind.
CREATE TABLE work_items (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    client_id  bigint NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('callback', 'cooling_soon', 'cooled', 'zombie')),
    owner_id   bigint,
    reason     text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    episode_at timestamptz NOT NULL,
    -- Cooled items: the stage's further actions (reassign, move) are done.
    actions_done boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    closed_at  timestamptz,
    closed_by  bigint,
    -- resolved (the condition passed), keep, handoff, reject, undone.
    decision   text,
    UNIQUE (org_id, id),
    UNIQUE (org_id, client_id, kind, episode_at),
    FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, closed_by) REFERENCES users (org_id, id)
);
CREATE UNIQUE INDEX work_items_open_key ON work_items (org_id, client_id, kind) WHERE closed_at IS NULL;
CREATE INDEX work_items_queue_idx ON work_items (org_id, kind, created_at) WHERE closed_at IS NULL;
CREATE INDEX work_items_pending_idx ON work_items (id) WHERE NOT actions_done;

-- Every automatic action (and every supervisor decision on a zombie), with
-- the state before and after so that a supervisor can undo it.
CREATE TABLE rule_actions (
    id           bigserial PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    client_id    bigint NOT NULL,
    work_item_id bigint,
    rule         text NOT NULL CHECK (rule IN ('cooling', 'zombie', 'objective_funnel')),
    action       text NOT NULL CHECK (action IN ('queue', 'reassign', 'move', 'reject', 'handoff', 'keep')),
    reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    before       jsonb NOT NULL DEFAULT '{}',
    after        jsonb NOT NULL DEFAULT '{}',
    actor_id     bigint,  -- null: the engine
    created_at   timestamptz NOT NULL DEFAULT now(),
    undone_at    timestamptz,
    undone_by    bigint,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, undone_by) REFERENCES users (org_id, id)
);
CREATE INDEX rule_actions_client_idx ON rule_actions (org_id, client_id, created_at);

-- +goose Down
DROP TABLE rule_actions;
DROP TABLE work_items;
DROP TABLE call_outcomes;
DROP TABLE contacts;
DROP INDEX clients_my_day_idx;
DROP INDEX clients_next_action_idx;
DROP INDEX clients_soon_all_idx;
DROP INDEX clients_cools_all_idx;
ALTER TABLE clients DROP COLUMN handed_off_at, DROP COLUMN handed_off, DROP COLUMN next_action_at;
ALTER TABLE stages DROP COLUMN handoff_webhook, DROP COLUMN handoff_email, DROP COLUMN handoff_channel,
    DROP COLUMN zombie_action, DROP COLUMN cooled_move_to, DROP COLUMN cooled_reassign_to, DROP COLUMN notify_owner,
    DROP COLUMN cooling_soon_percent;
DROP FUNCTION wl_deadlines;
DROP FUNCTION wl_day_minutes;
DROP FUNCTION wl_working_minutes_between;
DROP FUNCTION wl_working_days_between;
DROP FUNCTION wl_working_spans;
DROP FUNCTION wl_cal_add_minutes;
DROP FUNCTION wl_cal_add_days;
DROP FUNCTION wl_calendar;
DROP FUNCTION wl_is_working_day;
DROP TRIGGER organisations_working_hours ON organisations;
DROP FUNCTION wl_default_working_hours;
DROP TABLE holidays;
DROP TABLE working_hours;
ALTER TABLE organisations DROP COLUMN objective_funnel, DROP COLUMN contact_min_seconds;
