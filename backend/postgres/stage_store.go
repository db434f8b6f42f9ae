package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/rules"
	"github.com/warmline/warmline/backend/warmline"
)

// StageStore implements warmline.StageService.
type StageStore struct{ db *DB }

// NewStageStore returns a StageStore on db.
func NewStageStore(db *DB) *StageStore { return &StageStore{db: db} }

var _ warmline.StageService = (*StageStore)(nil)

// stageSelect reads live stages with the number of clients the caller can
// see in each ($2 user, $3 role: see clientVisible).
const stageSelect = `
	SELECT s.id, s.org_id, s.name, s.position, s.kind, s.cooling_period, s.cooling_unit, s.cooling_soon,
		s.contact_limit, s.created_at, s.cooling_soon_percent, s.notify_owner, s.cooled_reassign_to, s.cooled_move_to,
		s.zombie_action, s.handoff_channel, s.handoff_email, s.handoff_webhook,
		(SELECT count(*) FROM clients c WHERE c.org_id = s.org_id AND c.stage_id = s.id AND c.deleted_at IS NULL
			AND ` + clientVisible + `) AS client_count
	FROM stages s WHERE s.org_id = $1 AND s.deleted_at IS NULL`

// FindStages returns the funnel in order.
func (s *StageStore) FindStages(ctx context.Context) ([]*warmline.Stage, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	return findStages(ctx, s.db, a)
}

func findStages(ctx context.Context, q sqlx.QueryerContext, a warmline.Actor) ([]*warmline.Stage, error) {
	stages := []*warmline.Stage{}
	if err := sqlx.SelectContext(ctx, q, &stages, stageSelect+` ORDER BY s.position, s.id`, a.OrgID, a.UserID, a.Role); err != nil {
		return nil, fmt.Errorf("select stages: %w", err)
	}
	return stages, nil
}

func findStage(ctx context.Context, q sqlx.QueryerContext, a warmline.Actor, id warmline.StageID) (*warmline.Stage, error) {
	var st warmline.Stage
	err := sqlx.GetContext(ctx, q, &st, stageSelect+` AND s.id = $4`, a.OrgID, a.UserID, a.Role, id)
	if err := notFound(err, fmt.Sprintf("Stage %d not found.", id), "select stage"); err != nil {
		return nil, err
	}
	return &st, nil
}

// validateStage fills defaults (on create) and checks the input.
func validateStage(in *warmline.StageInput, cur *warmline.Stage) (warmline.Stage, error) {
	st := warmline.Stage{Kind: warmline.StageOpen, CoolingUnit: warmline.CoolingWorkingDays,
		CoolingSoonPercent: 80, NotifyOwner: true, ZombieAction: string(rules.ZombieQueue)}
	if cur != nil {
		st = *cur
	}
	if in.Name != nil {
		n, err := warmline.CleanText(*in.Name, "name", true, 100)
		if err != nil {
			return st, err
		}
		st.Name = n
	} else if cur == nil {
		return st, warmline.FieldErrorf(warmline.EINVALID, "name", "The stage needs a name.")
	}
	if in.Kind != nil {
		if !in.Kind.Valid() {
			return st, warmline.FieldErrorf(warmline.EINVALID, "kind", "Kind must be open, won or rejected.")
		}
		st.Kind = *in.Kind
	}
	if in.CoolingUnit != nil {
		if !in.CoolingUnit.Valid() {
			return st, warmline.FieldErrorf(warmline.EINVALID, "cooling_unit", "Cooling unit must be working_days or hours.")
		}
		st.CoolingUnit = *in.CoolingUnit
	}
	if in.CoolingPeriod != nil {
		st.CoolingPeriod = *in.CoolingPeriod
	}
	if in.CoolingSoon != nil {
		st.CoolingSoon = *in.CoolingSoon
	}
	if in.ContactLimit != nil {
		st.ContactLimit = *in.ContactLimit
	}
	if st.CoolingPeriod < 0 || st.CoolingPeriod > 10000 {
		return st, warmline.FieldErrorf(warmline.EINVALID, "cooling_period", "Cooling period must be between 0 and 10000.")
	}
	if st.CoolingSoon < 0 || (st.CoolingSoon > 0 && st.CoolingSoon >= st.CoolingPeriod) {
		return st, warmline.FieldErrorf(warmline.EINVALID, "cooling_soon", "The 'cooling soon' threshold must be shorter than the cooling period.")
	}
	if st.ContactLimit < 0 || st.ContactLimit > 1000 {
		return st, warmline.FieldErrorf(warmline.EINVALID, "contact_limit", "Contact limit must be between 0 and 1000.")
	}
	return st, validateStageRules(in, &st)
}

// CreateStage adds a stage: an open stage goes before the terminal stages,
// a terminal one at the end.
func (s *StageStore) CreateStage(ctx context.Context, in warmline.StageInput) (*warmline.Stage, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleAdmin); err != nil {
		return nil, err
	}
	st, err := validateStage(&in, nil)
	if err != nil {
		return nil, err
	}
	var out *warmline.Stage
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var pos int
		const qp = `SELECT COALESCE(
				CASE WHEN $2 = 'open' THEN (SELECT min(position) FROM stages WHERE org_id = $1 AND deleted_at IS NULL AND kind <> 'open') END,
				(SELECT max(position) + 1 FROM stages WHERE org_id = $1 AND deleted_at IS NULL), 1)`
		if err := tx.GetContext(ctx, &pos, qp, a.OrgID, st.Kind); err != nil {
			return fmt.Errorf("find stage position: %w", err)
		}
		const qs = `UPDATE stages SET position = position + 1 WHERE org_id = $1 AND deleted_at IS NULL AND position >= $2`
		if _, err := tx.ExecContext(ctx, qs, a.OrgID, pos); err != nil {
			return fmt.Errorf("shift stages: %w", err)
		}
		var id warmline.StageID
		const qi = `INSERT INTO stages (org_id, name, position, kind, cooling_period, cooling_unit, cooling_soon, contact_limit)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`
		if err := tx.GetContext(ctx, &id, qi, a.OrgID, st.Name, pos, st.Kind, st.CoolingPeriod, st.CoolingUnit, st.CoolingSoon, st.ContactLimit); err != nil {
			return stageWriteError(err, "insert stage")
		}
		if err := saveStageRules(ctx, tx, a.OrgID, id, st); err != nil {
			return err
		}
		if out, err = findStage(ctx, tx, a, id); err != nil {
			return err
		}
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventStageCreated, out)
		return err
	})
	return out, err
}

func stageWriteError(err error, action string) error {
	if e := dbError(err); warmline.ErrorCode(e) == warmline.ECONFLICT {
		return warmline.FieldErrorf(warmline.ECONFLICT, "name", "A stage with this name already exists.")
	}
	return fmt.Errorf("%s: %w", action, err)
}

// UpdateStage changes a stage; changed cooling settings re-time its clients.
func (s *StageStore) UpdateStage(ctx context.Context, id warmline.StageID, in warmline.StageInput) (*warmline.Stage, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleAdmin); err != nil {
		return nil, err
	}
	var out *warmline.Stage
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := findStage(ctx, tx, a, id)
		if err != nil {
			return err
		}
		st, err := validateStage(&in, cur)
		if err != nil {
			return err
		}
		if cur.Kind == warmline.StageOpen && st.Kind != warmline.StageOpen {
			if err := keepOneOpenStage(ctx, tx, a.OrgID, id); err != nil {
				return err
			}
		}
		const q = `UPDATE stages SET name = $3, kind = $4, cooling_period = $5, cooling_unit = $6, cooling_soon = $7, contact_limit = $8
			WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, id, st.Name, st.Kind, st.CoolingPeriod, st.CoolingUnit, st.CoolingSoon, st.ContactLimit); err != nil {
			return stageWriteError(err, "update stage")
		}
		if err := saveStageRules(ctx, tx, a.OrgID, id, st); err != nil {
			return err
		}
		if err := refreshCooling(ctx, tx, a.OrgID, coolingFilter{stage: id}); err != nil {
			return err
		}
		if out, err = findStage(ctx, tx, a, id); err != nil {
			return err
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventStageUpdated, out)
		return err
	})
	if err != nil {
		return nil, err
	}
	// A changed rule applies at once to the stage's clients.
	reevaluate(ctx, s.db, time.Now(), scope{org: a.OrgID, stage: id})
	return out, nil
}

// keepOneOpenStage refuses a change that would leave no open stage besides
// `except`: new clients need one to start in.
func keepOneOpenStage(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, except warmline.StageID) error {
	var n int
	const q = `SELECT count(*) FROM stages WHERE org_id = $1 AND deleted_at IS NULL AND kind = 'open' AND id <> $2`
	if err := tx.GetContext(ctx, &n, q, org, except); err != nil {
		return fmt.Errorf("count open stages: %w", err)
	}
	if n == 0 {
		return warmline.Errorf(warmline.ECONFLICT, "The funnel needs at least one open stage for new clients.")
	}
	return nil
}

// ReorderStages sets the funnel order to ids, which must name every stage once.
func (s *StageStore) ReorderStages(ctx context.Context, ids []warmline.StageID) ([]*warmline.Stage, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleAdmin); err != nil {
		return nil, err
	}
	var out []*warmline.Stage
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var have []int64
		const ql = `SELECT id FROM stages WHERE org_id = $1 AND deleted_at IS NULL ORDER BY id FOR UPDATE`
		if err := tx.SelectContext(ctx, &have, ql, a.OrgID); err != nil {
			return fmt.Errorf("lock stages: %w", err)
		}
		seen := map[int64]bool{}
		for _, id := range ids {
			seen[int64(id)] = true
		}
		if len(ids) != len(have) || len(seen) != len(have) {
			return warmline.FieldErrorf(warmline.EINVALID, "ids", "List every stage exactly once (%d stages).", len(have))
		}
		for _, id := range have {
			if !seen[id] {
				return warmline.FieldErrorf(warmline.EINVALID, "ids", "Stage %d is missing from the list.", id)
			}
		}
		order := make(pq.Int64Array, len(ids))
		for i, id := range ids {
			order[i] = int64(id)
		}
		const q = `UPDATE stages s SET position = o.n FROM unnest($2::bigint[]) WITH ORDINALITY AS o(id, n)
			WHERE s.org_id = $1 AND s.id = o.id`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, order); err != nil {
			return fmt.Errorf("reorder stages: %w", err)
		}
		if out, err = findStages(ctx, tx, a); err != nil {
			return err
		}
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventStagesReordered, map[string]any{"ids": ids})
		return err
	})
	return out, err
}

// DeleteStage deletes a stage. A stage with clients is deleted only with a
// target stage, to which its clients move first (each move recorded).
func (s *StageStore) DeleteStage(ctx context.Context, id warmline.StageID, moveTo warmline.StageID) error {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return err
	}
	if err := a.Require(warmline.RoleAdmin); err != nil {
		return err
	}
	moved := 0
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		st, err := findStage(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if st.Kind == warmline.StageOpen {
			if err := keepOneOpenStage(ctx, tx, a.OrgID, id); err != nil {
				return err
			}
		}
		var n int
		const qc = `SELECT count(*) FROM clients WHERE org_id = $1 AND stage_id = $2 AND deleted_at IS NULL`
		if err := tx.GetContext(ctx, &n, qc, a.OrgID, id); err != nil {
			return fmt.Errorf("count clients of stage %d: %w", id, err)
		}
		if n > 0 && moveTo == 0 {
			return warmline.FieldErrorf(warmline.ECONFLICT, "move_to", "The stage has %d clients; choose a stage to move them to.", n)
		}
		if n > 0 {
			if moveTo == id {
				return warmline.FieldErrorf(warmline.EINVALID, "move_to", "Choose another stage to move the clients to.")
			}
			if _, err := findStage(ctx, tx, a, moveTo); err != nil {
				return warmline.FieldErrorf(warmline.EINVALID, "move_to", "Stage %d not found.", moveTo)
			}
			const qt = `INSERT INTO stage_transitions (org_id, client_id, from_stage_id, to_stage_id, actor_id, reason)
				SELECT org_id, id, stage_id, $3, $4, $5 FROM clients WHERE org_id = $1 AND stage_id = $2 AND deleted_at IS NULL`
			reason := fmt.Sprintf("stage %q deleted", st.Name)
			if _, err := tx.ExecContext(ctx, qt, a.OrgID, id, moveTo, actorID(a), reason); err != nil {
				return fmt.Errorf("record moves out of stage %d: %w", id, err)
			}
			const qm = `UPDATE clients SET stage_id = $3, stage_entered_at = now(), stage_contacts = 0, updated_at = clock_timestamp()
				WHERE org_id = $1 AND stage_id = $2 AND deleted_at IS NULL`
			if _, err := tx.ExecContext(ctx, qm, a.OrgID, id, moveTo); err != nil {
				return fmt.Errorf("move clients out of stage %d: %w", id, err)
			}
			if err := refreshCooling(ctx, tx, a.OrgID, coolingFilter{stage: moveTo}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE stages SET deleted_at = now() WHERE org_id = $1 AND id = $2`, a.OrgID, id); err != nil {
			return fmt.Errorf("delete stage %d: %w", id, err)
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventStageDeleted, map[string]any{"id": id, "moved_to": moveTo, "clients_moved": n})
		moved = n
		return err
	})
	if err != nil || moved == 0 {
		return err
	}
	// The moved clients' items from the deleted stage close now, not at
	// the next sweep.
	reevaluate(ctx, s.db, engineNow(), scope{org: a.OrgID, stage: moveTo})
	return nil
}

// actorID is the user behind a change, or nil for the product itself.
func actorID(a warmline.Actor) *warmline.UserID {
	if a.System || a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}
