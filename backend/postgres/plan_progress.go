package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/warmline"
)

// progressQuery computes, set-based, every plan's current period and for
// each target metric what was done this period and what was left undone
// before it (since the plan's start). $1 is now; $2 and $3 narrow to one
// organisation and one agent (0: all).
//
// Working time comes from the organisation's calendar (migration 0006):
// the share of a period's working time gone is the share of its target
// due by now. A day plan counts the working days before the period, so a
// weekend owes nothing; week, month and quarter plans count whole periods.
// Contacts are the rules engine's (contacts, counted = 'contact');
// advances and wins are stage moves by the agent, or by the product for
// the agent's clients.
const progressQuery = `
WITH p AS (
	SELECT pl.id, pl.org_id, pl.agent_id, u.name AS agent_name, u.locale, pl.period,
	       pl.contacts, pl.new_clients, pl.advances, pl.wins, o.time_zone AS tz, o.plan_alert_threshold AS thr,
	       date_trunc(pl.period, $1::timestamptz AT TIME ZONE o.time_zone) AS ps_local,
	       LEAST(date_trunc(pl.period, pl.starts_on::timestamp), date_trunc(pl.period, $1::timestamptz AT TIME ZONE o.time_zone)) AS hs_local,
	       CASE pl.period WHEN 'quarter' THEN interval '3 months' ELSE ('1 ' || pl.period)::interval END AS len
	FROM plans pl
	JOIN organisations o ON o.id = pl.org_id
	JOIN users u ON u.org_id = pl.org_id AND u.id = pl.agent_id AND u.active
	WHERE ($2::bigint = 0 OR pl.org_id = $2) AND ($3::bigint = 0 OR pl.agent_id = $3)
), b AS (
	SELECT p.*, p.ps_local AT TIME ZONE p.tz AS ps, (p.ps_local + p.len) AT TIME ZONE p.tz AS pe, p.hs_local AT TIME ZONE p.tz AS hs
	FROM p
), w AS (
	SELECT b.*,
	       wl_working_minutes_between(b.org_id, b.ps, b.pe, b.tz) AS work_period,
	       wl_working_minutes_between(b.org_id, b.ps, LEAST($1::timestamptz, b.pe), b.tz) AS work_elapsed,
	       (CASE b.period
	            WHEN 'day' THEN COALESCE(wl_working_minutes_between(b.org_id, b.hs, b.ps, b.tz) / NULLIF(wl_day_minutes(b.org_id), 0), 0)
	            WHEN 'week' THEN extract(day FROM b.ps_local - b.hs_local) / 7
	            ELSE ((extract(year FROM b.ps_local) - extract(year FROM b.hs_local)) * 12 + extract(month FROM b.ps_local) - extract(month FROM b.hs_local))
	                 / CASE b.period WHEN 'quarter' THEN 3 ELSE 1 END
	        END)::float8 AS periods_before
	FROM b
), c AS (
	SELECT w.*, k.*, n.*, m.*
	FROM w
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE x.at >= w.ps) AS contacts_now, count(*) FILTER (WHERE x.at < w.ps) AS contacts_before
		FROM contacts x
		WHERE x.org_id = w.org_id AND x.user_id = w.agent_id AND x.counted = 'contact' AND x.at >= w.hs AND x.at < $1) k
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE x.created_at >= w.ps) AS new_now, count(*) FILTER (WHERE x.created_at < w.ps) AS new_before
		FROM clients x
		WHERE x.org_id = w.org_id AND x.owner_id = w.agent_id AND x.deleted_at IS NULL AND x.created_at >= w.hs AND x.created_at < $1) n
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE t.kind <> 'rejected' AND t.position > f.position AND st.created_at >= w.ps) AS adv_now,
		       count(*) FILTER (WHERE t.kind <> 'rejected' AND t.position > f.position AND st.created_at < w.ps) AS adv_before,
		       count(*) FILTER (WHERE t.kind = 'won' AND st.created_at >= w.ps) AS won_now,
		       count(*) FILTER (WHERE t.kind = 'won' AND st.created_at < w.ps) AS won_before
		FROM stage_transitions st
		JOIN clients cl ON cl.org_id = st.org_id AND cl.id = st.client_id
		JOIN stages t ON t.org_id = st.org_id AND t.id = st.to_stage_id
		LEFT JOIN stages f ON f.org_id = st.org_id AND f.id = st.from_stage_id
		WHERE st.org_id = w.org_id AND COALESCE(st.actor_id, cl.owner_id) = w.agent_id AND st.created_at >= w.hs AND st.created_at < $1) m
)
SELECT c.id AS plan_id, c.org_id, c.agent_id, c.agent_name, c.locale, c.period, c.ps, c.pe, c.thr,
       CASE WHEN c.work_period > 0 THEN c.work_elapsed / c.work_period ELSE 0 END AS elapsed,
       x.metric, x.target, x.actual, GREATEST(0, x.target * c.periods_before - x.before)::float8 AS carried
FROM c
CROSS JOIN LATERAL (VALUES ('contacts', c.contacts, c.contacts_now, c.contacts_before),
                           ('new_clients', c.new_clients, c.new_now, c.new_before),
                           ('advances', c.advances, c.adv_now, c.adv_before),
                           ('wins', c.wins, c.won_now, c.won_before)) AS x(metric, target, actual, before)
WHERE x.target > 0
ORDER BY c.agent_name, c.id, array_position(ARRAY['contacts', 'new_clients', 'advances', 'wins'], x.metric)`

// progressRow is one plan's metric as progressQuery computes it.
type progressRow struct {
	PlanID    int64           `db:"plan_id"`
	OrgID     warmline.OrgID  `db:"org_id"`
	AgentID   warmline.UserID `db:"agent_id"`
	AgentName string          `db:"agent_name"`
	Locale    string          `db:"locale"`
	Period    string          `db:"period"`
	Start     time.Time       `db:"ps"`
	End       time.Time       `db:"pe"`
	Threshold int             `db:"thr"`
	Elapsed   float64         `db:"elapsed"`
	Metric    string          `db:"metric"`
	Target    int             `db:"target"`
	Actual    int             `db:"actual"`
	Carried   float64         `db:"carried"`
}

// metric turns a row into what is due, done and behind.
func (r *progressRow) metric() *warmline.PlanMetric {
	expected := round1(float64(r.Target)*r.Elapsed + r.Carried)
	lag := round1(expected - float64(r.Actual))
	return &warmline.PlanMetric{
		Metric: r.Metric, Target: r.Target, Carried: round1(r.Carried), Expected: expected, Actual: r.Actual, Lag: lag,
		// A whole unit at least, so a plan is not "behind" at 09:01.
		Behind: lag >= 1 && lag*100 >= float64(r.Threshold)*expected,
	}
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func progressRows(ctx context.Context, q sqlx.QueryerContext, now time.Time, org warmline.OrgID, agent warmline.UserID) ([]*progressRow, error) {
	var rows []*progressRow
	if err := sqlx.SelectContext(ctx, q, &rows, progressQuery, now, org, agent); err != nil {
		return nil, fmt.Errorf("compute plan progress: %w", err)
	}
	return rows, nil
}

// Progress returns the progress of every plan the caller may see (agents:
// their own) at the store's clock.
func (s *PlanStore) Progress(ctx context.Context) (*warmline.PlanProgressReport, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	agent := a.UserID
	if a.Can(warmline.RoleSupervisor) {
		agent = 0
	}
	rows, err := progressRows(ctx, s.db, s.Now(), a.OrgID, agent)
	if err != nil {
		return nil, err
	}
	rep := &warmline.PlanProgressReport{Items: []*warmline.PlanProgress{}}
	if err := s.db.GetContext(ctx, &rep.AlertThreshold, `SELECT plan_alert_threshold FROM organisations WHERE id = $1`, a.OrgID); err != nil {
		return nil, fmt.Errorf("select plan threshold: %w", err)
	}
	var cur *warmline.PlanProgress
	for _, r := range rows {
		if cur == nil || cur.PlanID != r.PlanID {
			cur = &warmline.PlanProgress{PlanID: r.PlanID, AgentID: r.AgentID, AgentName: r.AgentName, Period: r.Period,
				PeriodStart: r.Start, PeriodEnd: r.End, Elapsed: math.Round(r.Elapsed*1000) / 1000, Metrics: []*warmline.PlanMetric{}}
			rep.Items = append(rep.Items, cur)
		}
		cur.Metrics = append(cur.Metrics, r.metric())
	}
	return rep, nil
}

// CheckPlans raises a plan.alert for every plan metric behind pace, over all
// organisations, at most once per plan, metric and hour: the alert rows are
// inserted with ON CONFLICT DO NOTHING and only those inserted get an event,
// in the same transaction, so running it often or in two processes at once
// alerts once. It returns how many alerts it raised.
func CheckPlans(ctx context.Context, db *DB, now time.Time) (int, error) {
	rows, err := progressRows(ctx, db, now, 0, 0)
	if err != nil {
		return 0, err
	}
	behind := map[[2]any]*progressRow{}
	var orgs, plans []int64
	var metrics []string
	for _, r := range rows {
		if r.metric().Behind {
			behind[[2]any{r.PlanID, r.Metric}] = r
			orgs, plans, metrics = append(orgs, int64(r.OrgID)), append(plans, r.PlanID), append(metrics, r.Metric)
		}
	}
	if len(behind) == 0 {
		return 0, nil
	}
	raised := 0
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var fresh []struct {
			PlanID int64  `db:"plan_id"`
			Metric string `db:"metric"`
		}
		const q = `INSERT INTO plan_alerts (org_id, plan_id, metric, hour)
			SELECT o, p, m, date_trunc('hour', $4::timestamptz) FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS a(o, p, m)
			ON CONFLICT DO NOTHING RETURNING plan_id, metric`
		if err := tx.SelectContext(ctx, &fresh, q, pq.Array(orgs), pq.Array(plans), pq.Array(metrics), now); err != nil {
			return fmt.Errorf("insert plan alerts: %w", err)
		}
		for _, f := range fresh {
			r := behind[[2]any{f.PlanID, f.Metric}]
			m := r.metric()
			alert := warmline.PlanAlert{PlanID: r.PlanID, AgentID: r.AgentID, Metric: r.Metric, Target: r.Target, Actual: r.Actual,
				Expected: m.Expected, Lag: m.Lag, Reason: alertReason(r, m)}
			if _, err := appendEvent(ctx, tx, r.OrgID, warmline.EventPlanAlert, alert); err != nil {
				return err
			}
		}
		raised = len(fresh)
		return nil
	})
	return raised, err
}

var (
	metricWords = map[string][2]string{ // en, ru
		"contacts": {"contacts", "контактам"}, "new_clients": {"new clients", "новым клиентам"},
		"advances": {"stage advances", "продвижениям по воронке"}, "wins": {"wins", "сделкам"},
	}
	periodWords = map[string][2]string{
		"day": {"a day", "в день"}, "week": {"a week", "в неделю"}, "month": {"a month", "в месяц"}, "quarter": {"a quarter", "в квартал"},
	}
)

// alertReason words an alert in the agent's language (the team's, usually),
// with the numbers.
func alertReason(r *progressRow, m *warmline.PlanMetric) string {
	i := 0
	if r.Locale == "ru" {
		i = 1
	}
	mw, pw := metricWords[r.Metric][i], periodWords[r.Period][i]
	carried := ""
	if i == 1 {
		if m.Carried > 0 {
			carried = fmt.Sprintf(", из них %.1f — долг прошлых периодов", m.Carried)
		}
		return fmt.Sprintf("%s отстаёт от плана по %s: сделано %d, к этому моменту нужно %.1f%s (план %d %s).", r.AgentName, mw, m.Actual, m.Expected, carried, m.Target, pw)
	}
	if m.Carried > 0 {
		carried = fmt.Sprintf(", %.1f of it carried from earlier periods", m.Carried)
	}
	return fmt.Sprintf("%s is behind plan on %s: %d done, %.1f due by now%s (target %d %s).", r.AgentName, mw, m.Actual, m.Expected, carried, m.Target, pw)
}

// RunPlanChecks runs CheckPlans every interval until ctx ends.
func RunPlanChecks(ctx context.Context, db *DB, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := CheckPlans(ctx, db, time.Now()); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
