-- +goose Up
-- work_items and rule_actions reference their client by (org_id,
-- client_id), and a client's org_id references its organisation: their
-- own foreign key on org_id checked nothing more. It cost a per-row
-- trigger that locks the organisation's row (among the dearest triggers
-- of a rules sweep: the row every write of the organisation updates for
-- its event counter), about a tenth of raising a work item.
ALTER TABLE work_items DROP CONSTRAINT work_items_org_id_fkey;
ALTER TABLE rule_actions DROP CONSTRAINT rule_actions_org_id_fkey;
-- Deleting an organisation deletes them through its clients now, a step
-- later than its users; their references to users are therefore checked
-- at commit, when both are gone, instead of in between (a violation is
-- still an error, at commit).
ALTER TABLE work_items
    DROP CONSTRAINT work_items_org_id_owner_id_fkey,
    DROP CONSTRAINT work_items_org_id_closed_by_fkey,
    ADD CONSTRAINT work_items_org_id_owner_id_fkey FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id)
        DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT work_items_org_id_closed_by_fkey FOREIGN KEY (org_id, closed_by) REFERENCES users (org_id, id)
        DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE rule_actions
    DROP CONSTRAINT rule_actions_org_id_undone_by_fkey,
    ADD CONSTRAINT rule_actions_org_id_undone_by_fkey FOREIGN KEY (org_id, undone_by) REFERENCES users (org_id, id)
        DEFERRABLE INITIALLY DEFERRED;

-- (org_id, id) is unique because id is: these indexes only cost an entry
-- per row written (nothing references them; lookups by org_id and id use
-- the primary key).
ALTER TABLE work_items DROP CONSTRAINT work_items_org_id_id_key;
ALTER TABLE rule_actions DROP CONSTRAINT rule_actions_org_id_id_key;

-- wl_cal_days_between: whole working days from a to b on a calendar loaded
-- by wl_calendar (what wl_working_days_between counts with two lookups per
-- day): the working days after a's local date up to b's, b's own only
-- when its local time is not before a's. Whole weeks are counted at once,
-- so its cost does not grow with the span (a rules sweep's reasons, "cooled:
-- 16 working days in Warm", counted day by day, were a fifth of raising a
-- cooled item).
-- +goose StatementBegin
CREATE FUNCTION wl_cal_days_between(a timestamptz, b timestamptz, tz text, opens time[], holidays date[]) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    da date := (a AT TIME ZONE tz)::date;
    last date;
    n int;
    per_week int := 0;
    total int;
    d date;
    h date;
BEGIN
    IF a IS NULL OR b IS NULL THEN
        RETURN 0;
    END IF;
    last := (b AT TIME ZONE tz)::date;
    IF (a AT TIME ZONE tz)::time > (b AT TIME ZONE tz)::time THEN
        last := last - 1;
    END IF;
    n := last - da;
    IF n <= 0 THEN
        RETURN 0;
    END IF;
    FOR i IN 1 .. 7 LOOP
        IF opens[i] IS NOT NULL THEN
            per_week := per_week + 1;
        END IF;
    END LOOP;
    total := n / 7 * per_week;
    d := da + n / 7 * 7;
    WHILE d < last LOOP
        d := d + 1;
        IF opens[extract(isodow FROM d)::int] IS NOT NULL THEN
            total := total + 1;
        END IF;
    END LOOP;
    FOREACH h IN ARRAY COALESCE(holidays, '{}') LOOP
        IF h > da AND h <= last AND opens[extract(isodow FROM h)::int] IS NOT NULL THEN
            total := total - 1;
        END IF;
    END LOOP;
    RETURN total;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION wl_cal_days_between;
ALTER TABLE rule_actions ADD CONSTRAINT rule_actions_org_id_id_key UNIQUE (org_id, id);
ALTER TABLE work_items ADD CONSTRAINT work_items_org_id_id_key UNIQUE (org_id, id);
ALTER TABLE rule_actions
    DROP CONSTRAINT rule_actions_org_id_undone_by_fkey,
    ADD CONSTRAINT rule_actions_org_id_undone_by_fkey FOREIGN KEY (org_id, undone_by) REFERENCES users (org_id, id);
ALTER TABLE work_items
    DROP CONSTRAINT work_items_org_id_closed_by_fkey,
    DROP CONSTRAINT work_items_org_id_owner_id_fkey,
    ADD CONSTRAINT work_items_org_id_owner_id_fkey FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id),
    ADD CONSTRAINT work_items_org_id_closed_by_fkey FOREIGN KEY (org_id, closed_by) REFERENCES users (org_id, id);
ALTER TABLE rule_actions ADD FOREIGN KEY (org_id) REFERENCES organisations (id) ON DELETE CASCADE;
ALTER TABLE work_items ADD FOREIGN KEY (org_id) REFERENCES organisations (id) ON DELETE CASCADE;
