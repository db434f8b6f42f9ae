package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// ReportStore implements warmline.ReportService.
type ReportStore struct{ db *DB }

// NewReportStore returns a ReportStore on db.
func NewReportStore(db *DB) *ReportStore { return &ReportStore{db: db} }

var _ warmline.ReportService = (*ReportStore)(nil)

// FunnelReport is one set-based query: live counts per stage, and for
// conversion, every entry into a stage since `since` checked for a later
// entry of the same client into a stage further down the funnel. Terminal
// "rejected" is not progress, so it never counts as advancing.
func (s *ReportStore) FunnelReport(ctx context.Context, since time.Time) (*warmline.FunnelReport, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, err
	}
	const q = `
		WITH st AS (SELECT id, name, kind, position FROM stages WHERE org_id = $1 AND deleted_at IS NULL),
		live AS (
			SELECT stage_id, count(*) AS clients,
				count(*) FILTER (WHERE cools_at > now() AND cooling_soon_at <= now()) AS cooling_soon,
				count(*) FILTER (WHERE cools_at <= now()) AS cooled
			FROM clients WHERE org_id = $1 AND deleted_at IS NULL GROUP BY stage_id),
		entries AS (
			SELECT t.client_id, t.to_stage_id AS stage_id, t.created_at, s.position
			FROM stage_transitions t JOIN st s ON s.id = t.to_stage_id
			WHERE t.org_id = $1 AND t.created_at >= $2),
		conv AS (
			SELECT e.stage_id, count(*) AS entered,
				count(*) FILTER (WHERE EXISTS (
					SELECT 1 FROM stage_transitions n JOIN st ns ON ns.id = n.to_stage_id
					WHERE n.org_id = $1 AND n.client_id = e.client_id AND n.created_at > e.created_at
						AND ns.position > e.position AND ns.kind <> 'rejected')) AS advanced
			FROM entries e GROUP BY e.stage_id)
		SELECT st.id AS stage_id, st.name, st.kind,
			COALESCE(live.clients, 0) AS clients, COALESCE(live.cooling_soon, 0) AS cooling_soon,
			COALESCE(live.cooled, 0) AS cooled, COALESCE(conv.entered, 0) AS entered, COALESCE(conv.advanced, 0) AS advanced
		FROM st LEFT JOIN live ON live.stage_id = st.id LEFT JOIN conv ON conv.stage_id = st.id
		ORDER BY st.position, st.id`
	rep := &warmline.FunnelReport{Since: since, Stages: []*warmline.FunnelStage{}}
	if err := s.db.SelectContext(ctx, &rep.Stages, q, a.OrgID, since); err != nil {
		return nil, fmt.Errorf("funnel report: %w", err)
	}
	for _, st := range rep.Stages {
		if st.Entered > 0 {
			st.Conversion = float64(st.Advanced) / float64(st.Entered)
		}
	}
	return rep, nil
}

// CallsReport reads the calls in progress and today's figures, "today"
// starting at midnight in the organisation's time zone. A missed call
// counts as called back once any later call with the caller's number was
// answered, whoever placed it.
func (s *ReportStore) CallsReport(ctx context.Context) (*warmline.CallsReport, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, err
	}
	rep := &warmline.CallsReport{Live: []*warmline.Call{}}
	const today = `
		WITH o AS (
			SELECT date_trunc('day', now() AT TIME ZONE time_zone) AT TIME ZONE time_zone AS since
			FROM organisations WHERE id = $1)
		SELECT o.since,
			count(c.id) FILTER (WHERE c.direction = 'inbound') AS inbound,
			count(c.id) FILTER (WHERE c.direction = 'outbound') AS outbound,
			count(c.id) FILTER (WHERE c.answered_at IS NOT NULL) AS answered,
			count(c.id) FILTER (WHERE c.outcome = 'missed') AS missed,
			count(c.id) FILTER (WHERE c.outcome = 'missed' AND NOT EXISTS (
				SELECT 1 FROM calls l
				WHERE l.org_id = $1 AND l.answered_at IS NOT NULL AND l.created_at > c.created_at
					AND c.from_number <> '' AND (l.from_number = c.from_number OR l.to_number = c.from_number))) AS not_called_back
		FROM o LEFT JOIN calls c ON c.org_id = $1 AND c.created_at >= o.since
		GROUP BY o.since`
	if err := s.db.GetContext(ctx, &rep.Today, today, a.OrgID); err != nil {
		return nil, fmt.Errorf("today's calls: %w", err)
	}
	live := callSelect + ` WHERE k.org_id = $1 AND k.status <> 'ended' ORDER BY k.created_at, k.id LIMIT 500`
	if err := s.db.SelectContext(ctx, &rep.Live, live, a.OrgID); err != nil {
		return nil, fmt.Errorf("live calls: %w", err)
	}
	return rep, nil
}
