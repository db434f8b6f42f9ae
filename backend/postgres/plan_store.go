package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/warmline"
)

// PlanStore manages contact plans (supervisors set them, agents read their
// own) and computes their progress (plan_progress.go).
type PlanStore struct {
	db *DB
	// Now is the clock (tests pin it).
	Now func() time.Time
}

// NewPlanStore returns a PlanStore on db.
func NewPlanStore(db *DB) *PlanStore { return &PlanStore{db: db, Now: time.Now} }

const planColumns = `p.id, p.agent_id, u.name AS agent_name, p.period, p.contacts, p.new_clients, p.advances, p.wins,
	to_char(p.starts_on, 'YYYY-MM-DD') AS starts_on, p.created_at, p.updated_at`

// FindPlans lists the plans the caller may see: all for supervisors, their
// own for agents.
func (s *PlanStore) FindPlans(ctx context.Context) ([]*warmline.Plan, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	out := []*warmline.Plan{}
	const q = `SELECT ` + planColumns + ` FROM plans p JOIN users u ON u.org_id = p.org_id AND u.id = p.agent_id
		WHERE p.org_id = $1 AND ($2 OR p.agent_id = $3) ORDER BY u.name, p.id`
	if err := s.db.SelectContext(ctx, &out, q, a.OrgID, a.Can(warmline.RoleSupervisor), a.UserID); err != nil {
		return nil, fmt.Errorf("select plans: %w", err)
	}
	return out, nil
}

func findPlan(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID, id int64) (*warmline.Plan, error) {
	var p warmline.Plan
	err := sqlx.GetContext(ctx, q, &p, `SELECT `+planColumns+` FROM plans p JOIN users u ON u.org_id = p.org_id AND u.id = p.agent_id
		WHERE p.org_id = $1 AND p.id = $2`, org, id)
	if err := notFound(err, fmt.Sprintf("Plan %d not found.", id), "select plan"); err != nil {
		return nil, err
	}
	return &p, nil
}

func validatePlan(in warmline.PlanInput, p *warmline.Plan) error {
	for _, f := range []struct {
		name string
		in   *int
		out  *int
	}{{"contacts", in.Contacts, &p.Contacts}, {"new_clients", in.NewClients, &p.NewClients}, {"advances", in.Advances, &p.Advances}, {"wins", in.Wins, &p.Wins}} {
		if f.in == nil {
			continue
		}
		if *f.in < 0 || *f.in > 100000 {
			return warmline.FieldErrorf(warmline.EINVALID, f.name, "A target must be from 0 to 100000.")
		}
		*f.out = *f.in
	}
	if p.Contacts+p.NewClients+p.Advances+p.Wins == 0 {
		return warmline.FieldErrorf(warmline.EINVALID, "contacts", "Set at least one target.")
	}
	if in.StartsOn != nil {
		if _, err := time.Parse(time.DateOnly, *in.StartsOn); err != nil {
			return warmline.FieldErrorf(warmline.EINVALID, "starts_on", "The start must be a date such as 2026-01-31.")
		}
		p.StartsOn = *in.StartsOn
	}
	return nil
}

func (s *PlanStore) supervisor(ctx context.Context) (warmline.Actor, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return a, err
	}
	return a, a.Require(warmline.RoleSupervisor)
}

// CreatePlan sets an agent's targets for a period kind (one plan per agent
// and period). Lag counts from starts_on, by default the current period.
func (s *PlanStore) CreatePlan(ctx context.Context, in warmline.PlanInput) (*warmline.Plan, error) {
	a, err := s.supervisor(ctx)
	if err != nil {
		return nil, err
	}
	if in.AgentID == nil {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "agent_id", "Choose the agent.")
	}
	if in.Period == nil || !slices.Contains(warmline.PlanPeriods, *in.Period) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "period", "The period must be day, week, month or quarter.")
	}
	p := warmline.Plan{AgentID: *in.AgentID, Period: *in.Period}
	if err := validatePlan(in, &p); err != nil {
		return nil, err
	}
	var out *warmline.Plan
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		const q = `INSERT INTO plans (org_id, agent_id, period, contacts, new_clients, advances, wins, starts_on)
			SELECT $1, u.id, $3, $4, $5, $6, $7, COALESCE($8::date, ($9::timestamptz AT TIME ZONE o.time_zone)::date)
			FROM users u JOIN organisations o ON o.id = u.org_id
			WHERE u.org_id = $1 AND u.id = $2 AND u.active
			RETURNING id`
		var starts *string
		if p.StartsOn != "" {
			starts = &p.StartsOn
		}
		err := tx.GetContext(ctx, &id, q, a.OrgID, p.AgentID, p.Period, p.Contacts, p.NewClients, p.Advances, p.Wins, starts, s.Now())
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return warmline.FieldErrorf(warmline.EINVALID, "agent_id", "User %d is not an active user of this organisation.", p.AgentID)
		case warmline.ErrorCode(dbError(err)) == warmline.ECONFLICT:
			return warmline.FieldErrorf(warmline.ECONFLICT, "period", "This agent already has a %s plan; change it instead.", p.Period)
		case err != nil:
			return fmt.Errorf("insert plan: %w", err)
		}
		if _, err := appendEvent(ctx, tx, a.OrgID, warmline.EventPlanChanged, map[string]any{"id": id, "agent_id": p.AgentID, "deleted": false}); err != nil {
			return err
		}
		out, err = findPlan(ctx, tx, a.OrgID, id)
		return err
	})
	return out, err
}

// UpdatePlan changes targets or the start of a plan.
func (s *PlanStore) UpdatePlan(ctx context.Context, id int64, in warmline.PlanInput) (*warmline.Plan, error) {
	a, err := s.supervisor(ctx)
	if err != nil {
		return nil, err
	}
	if in.AgentID != nil || in.Period != nil {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "period", "The agent and the period of a plan cannot change; delete it and create another.")
	}
	var out *warmline.Plan
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		p, err := findPlan(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := validatePlan(in, p); err != nil {
			return err
		}
		const q = `UPDATE plans SET contacts = $3, new_clients = $4, advances = $5, wins = $6, starts_on = $7, updated_at = now()
			WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, id, p.Contacts, p.NewClients, p.Advances, p.Wins, p.StartsOn); err != nil {
			return fmt.Errorf("update plan %d: %w", id, dbError(err))
		}
		if _, err := appendEvent(ctx, tx, a.OrgID, warmline.EventPlanChanged, map[string]any{"id": id, "agent_id": p.AgentID, "deleted": false}); err != nil {
			return err
		}
		out, err = findPlan(ctx, tx, a.OrgID, id)
		return err
	})
	return out, err
}

// DeletePlan removes a plan and its alerts' record.
func (s *PlanStore) DeletePlan(ctx context.Context, id int64) error {
	a, err := s.supervisor(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var agent warmline.UserID
		err := tx.GetContext(ctx, &agent, `DELETE FROM plans WHERE org_id = $1 AND id = $2 RETURNING agent_id`, a.OrgID, id)
		if err := notFound(err, fmt.Sprintf("Plan %d not found.", id), "delete plan"); err != nil {
			return err
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventPlanChanged, map[string]any{"id": id, "agent_id": agent, "deleted": true})
		return err
	})
}

// SetPlanSettings changes the alert threshold (admins).
func (s *PlanStore) SetPlanSettings(ctx context.Context, in warmline.PlanSettings) (*warmline.PlanSettings, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleAdmin); err != nil {
		return nil, err
	}
	if in.AlertThreshold < 1 || in.AlertThreshold > 100 {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "alert_threshold", "The threshold must be from 1 to 100 percent.")
	}
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE organisations SET plan_alert_threshold = $2 WHERE id = $1`, a.OrgID, in.AlertThreshold); err != nil {
			return fmt.Errorf("update plan settings: %w", err)
		}
		// id 0: the organisation's plan settings rather than one plan.
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventPlanChanged, map[string]any{"id": 0, "agent_id": 0, "deleted": false})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}
