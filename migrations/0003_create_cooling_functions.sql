-- +goose Up
-- wl_add_working_days returns the moment `days` working days (Monday to
-- Friday in time zone tz) after start, at the same local time of day.
-- Holidays and working hours come with the working calendar (rules issue).
-- +goose StatementBegin
CREATE FUNCTION wl_add_working_days(start timestamptz, days int, tz text) RETURNS timestamptz
LANGUAGE sql STABLE STRICT AS $$
    SELECT CASE WHEN days <= 0 THEN start ELSE (
        SELECT (g.d::date + (start AT TIME ZONE tz)::time) AT TIME ZONE tz
        FROM generate_series((start AT TIME ZONE tz)::date + 1,
                             (start AT TIME ZONE tz)::date + days * 2 + 7,
                             interval '1 day') AS g(d)
        WHERE extract(isodow FROM g.d) < 6
        ORDER BY g.d
        OFFSET days - 1 LIMIT 1)
    END
$$;
-- +goose StatementEnd

-- wl_cooling_deadlines gives when a client last touched at `base` shows as
-- cooling soon and when it has cooled, for a stage's settings; both are
-- null when the stage does not cool (terminal kind or no period).
-- +goose StatementBegin
CREATE FUNCTION wl_cooling_deadlines(base timestamptz, kind text, period int, soon int, unit text, tz text,
                                     OUT soon_at timestamptz, OUT cools_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN kind <> 'open' OR period <= 0 THEN NULL
                WHEN unit = 'hours' THEN base + make_interval(hours => period - soon)
                ELSE wl_add_working_days(base, period - soon, tz) END,
           CASE WHEN kind <> 'open' OR period <= 0 THEN NULL
                WHEN unit = 'hours' THEN base + make_interval(hours => period)
                ELSE wl_add_working_days(base, period, tz) END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION wl_cooling_deadlines;
DROP FUNCTION wl_add_working_days;
