package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/rules"
	"github.com/warmline/warmline/backend/warmline"
)

// RulesStore keeps the rules engine's settings (the working calendar, the
// organisation's rule settings) and its record of automatic actions.
type RulesStore struct {
	db *DB
	// Now is the engine's clock (tests pin it).
	Now func() time.Time
}

// NewRulesStore returns a RulesStore on db.
func NewRulesStore(db *DB) *RulesStore { return &RulesStore{db: db, Now: time.Now} }

// validateStageRules checks the rule fields of a stage input over st.
func validateStageRules(in *warmline.StageInput, st *warmline.Stage) error {
	if in.CoolingSoonPercent != nil {
		if *in.CoolingSoonPercent < 1 || *in.CoolingSoonPercent > 100 {
			return warmline.FieldErrorf(warmline.EINVALID, "cooling_soon_percent", "The 'cooling soon' share must be between 1 and 100 %%.")
		}
		st.CoolingSoonPercent = *in.CoolingSoonPercent
	}
	if in.NotifyOwner != nil {
		st.NotifyOwner = *in.NotifyOwner
	}
	if in.CooledReassignTo != nil {
		st.CooledReassignTo = in.CooledReassignTo
		if *in.CooledReassignTo == 0 {
			st.CooledReassignTo = nil
		}
	}
	if in.CooledMoveTo != nil {
		st.CooledMoveTo = in.CooledMoveTo
		if *in.CooledMoveTo == 0 {
			st.CooledMoveTo = nil
		}
	}
	if st.CooledMoveTo != nil && st.ID != 0 && *st.CooledMoveTo == st.ID {
		return warmline.FieldErrorf(warmline.EINVALID, "cooled_move_to", "A cooled client cannot be moved to the stage it cooled in.")
	}
	if in.ZombieAction != nil {
		if !rules.ZombieAction(*in.ZombieAction).Valid() {
			return warmline.FieldErrorf(warmline.EINVALID, "zombie_action", "Zombie action must be queue, reject or handoff.")
		}
		st.ZombieAction = *in.ZombieAction
	}
	var err error
	if in.HandoffChannel != nil {
		if st.HandoffChannel, err = warmline.CleanText(*in.HandoffChannel, "handoff_channel", false, 100); err != nil {
			return err
		}
	}
	if in.HandoffEmail != nil {
		if st.HandoffEmail, err = warmline.CleanEmail(*in.HandoffEmail, "handoff_email", false); err != nil {
			return err
		}
	}
	if in.HandoffWebhook != nil {
		st.HandoffWebhook = *in.HandoffWebhook
	}
	return nil
}

// saveStageRules writes a stage's rule columns; the references must be the
// organisation's active user and live stage.
func saveStageRules(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, id warmline.StageID, st warmline.Stage) error {
	if st.CooledReassignTo != nil {
		if err := checkRefs(ctx, tx, org, clientValues{OwnerID: st.CooledReassignTo, StageID: id}); err != nil {
			return warmline.FieldErrorf(warmline.EINVALID, "cooled_reassign_to", "User %d is not an active user of your organisation.", *st.CooledReassignTo)
		}
	}
	if st.CooledMoveTo != nil {
		if *st.CooledMoveTo == id {
			return warmline.FieldErrorf(warmline.EINVALID, "cooled_move_to", "A cooled client cannot be moved to the stage it cooled in.")
		}
		if err := checkRefs(ctx, tx, org, clientValues{StageID: *st.CooledMoveTo}); err != nil {
			return warmline.FieldErrorf(warmline.EINVALID, "cooled_move_to", "Stage %d not found.", *st.CooledMoveTo)
		}
	}
	const q = `UPDATE stages SET cooling_soon_percent = $3, notify_owner = $4, cooled_reassign_to = $5, cooled_move_to = $6,
			zombie_action = $7, handoff_channel = $8, handoff_email = $9, handoff_webhook = $10
		WHERE org_id = $1 AND id = $2`
	if _, err := tx.ExecContext(ctx, q, org, id, st.CoolingSoonPercent, st.NotifyOwner, st.CooledReassignTo, st.CooledMoveTo,
		st.ZombieAction, st.HandoffChannel, st.HandoffEmail, st.HandoffWebhook); err != nil {
		return fmt.Errorf("save rules of stage %d: %w", id, dbError(err))
	}
	return nil
}

// FindCalendar returns the organisation's working calendar.
func (s *RulesStore) FindCalendar(ctx context.Context) (*warmline.Calendar, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	return findCalendar(ctx, s.db, a.OrgID)
}

func findCalendar(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID) (*warmline.Calendar, error) {
	cal := &warmline.Calendar{Hours: []*warmline.WorkingHours{}, Holidays: []*warmline.Holiday{}}
	if err := sqlx.GetContext(ctx, q, &cal.TimeZone, `SELECT time_zone FROM organisations WHERE id = $1`, org); err != nil {
		return nil, fmt.Errorf("select time zone: %w", err)
	}
	const qh = `SELECT isodow, to_char(opens, 'HH24:MI') AS opens, to_char(closes, 'HH24:MI') AS closes
		FROM working_hours WHERE org_id = $1 ORDER BY isodow`
	if err := sqlx.SelectContext(ctx, q, &cal.Hours, qh, org); err != nil {
		return nil, fmt.Errorf("select working hours: %w", err)
	}
	const qd = `SELECT to_char(day, 'YYYY-MM-DD') AS day, name FROM holidays WHERE org_id = $1 ORDER BY day`
	if err := sqlx.SelectContext(ctx, q, &cal.Holidays, qd, org); err != nil {
		return nil, fmt.Errorf("select holidays: %w", err)
	}
	return cal, nil
}

// UpdateCalendar replaces the parts of the calendar given (admins), then
// re-times every client of the organisation and re-evaluates its rules.
func (s *RulesStore) UpdateCalendar(ctx context.Context, in warmline.CalendarInput) (*warmline.Calendar, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleAdmin); err != nil {
		return nil, err
	}
	if err := validateCalendar(in); err != nil {
		return nil, err
	}
	var out *warmline.Calendar
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if in.TimeZone != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE organisations SET time_zone = $2 WHERE id = $1`, a.OrgID, *in.TimeZone); err != nil {
				return fmt.Errorf("update time zone: %w", err)
			}
		}
		if in.Hours != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM working_hours WHERE org_id = $1`, a.OrgID); err != nil {
				return fmt.Errorf("clear working hours: %w", err)
			}
			b, _ := json.Marshal(*in.Hours)
			const q = `INSERT INTO working_hours (org_id, isodow, opens, closes)
				SELECT $1, h.weekday, h.opens::time, h.closes::time FROM jsonb_to_recordset($2::jsonb) AS h(weekday int, opens text, closes text)`
			if _, err := tx.ExecContext(ctx, q, a.OrgID, string(b)); err != nil {
				return fmt.Errorf("insert working hours: %w", dbError(err))
			}
		}
		if in.Holidays != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM holidays WHERE org_id = $1`, a.OrgID); err != nil {
				return fmt.Errorf("clear holidays: %w", err)
			}
			b, _ := json.Marshal(*in.Holidays)
			const q = `INSERT INTO holidays (org_id, day, name)
				SELECT $1, h.date::date, h.name FROM jsonb_to_recordset($2::jsonb) AS h(date text, name text)`
			if _, err := tx.ExecContext(ctx, q, a.OrgID, string(b)); err != nil {
				return fmt.Errorf("insert holidays: %w", dbError(err))
			}
		}
		if err := refreshCooling(ctx, tx, a.OrgID, coolingFilter{}); err != nil {
			return err
		}
		if out, err = findCalendar(ctx, tx, a.OrgID); err != nil {
			return err
		}
		return orgChanged(ctx, tx, a.OrgID)
	})
	if err != nil {
		return nil, err
	}
	reevaluate(ctx, s.db, s.Now(), scope{org: a.OrgID})
	return out, nil
}

// validateCalendar checks a calendar input, naming the field at fault.
func validateCalendar(in warmline.CalendarInput) error {
	if in.TimeZone != nil {
		if _, err := time.LoadLocation(*in.TimeZone); err != nil || *in.TimeZone == "" || *in.TimeZone == "Local" {
			return warmline.FieldErrorf(warmline.EINVALID, "time_zone", "%q is not a time zone.", *in.TimeZone)
		}
	}
	if in.Hours != nil {
		seen := map[int]bool{}
		for _, h := range *in.Hours {
			if h.Weekday < 1 || h.Weekday > 7 || seen[h.Weekday] {
				return warmline.FieldErrorf(warmline.EINVALID, "hours", "Give each weekday (1 = Monday ... 7 = Sunday) at most once.")
			}
			seen[h.Weekday] = true
			o, err1 := time.Parse("15:04", h.Opens)
			c, err2 := time.Parse("15:04", h.Closes)
			if h.Closes == "24:00" { // the end of the day: round-the-clock work
				c, err2 = time.Parse("15:04", "23:59")
				c = c.Add(time.Minute)
			}
			if err1 != nil || err2 != nil || !c.After(o) {
				return warmline.FieldErrorf(warmline.EINVALID, "hours", "Working hours are \"HH:MM\" times, closing after opening (weekday %d).", h.Weekday)
			}
		}
	}
	if in.Holidays != nil {
		if len(*in.Holidays) > 1000 {
			return warmline.FieldErrorf(warmline.EINVALID, "holidays", "At most 1000 holidays.")
		}
		seen := map[string]bool{}
		for _, h := range *in.Holidays {
			if _, err := rules.ParseDate(h.Date); err != nil || seen[h.Date] {
				return warmline.FieldErrorf(warmline.EINVALID, "holidays", "%q is not a date (YYYY-MM-DD) or is listed twice.", h.Date)
			}
			seen[h.Date] = true
			if len([]rune(h.Name)) > 100 {
				return warmline.FieldErrorf(warmline.EINVALID, "holidays", "A holiday's name is at most 100 characters.")
			}
		}
	}
	return nil
}

// FindRuleSettings returns the organisation's rule settings.
func (s *RulesStore) FindRuleSettings(ctx context.Context) (*warmline.RuleSettings, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	return findRuleSettings(ctx, s.db, a.OrgID)
}

func findRuleSettings(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID) (*warmline.RuleSettings, error) {
	var rs warmline.RuleSettings
	const qs = `SELECT contact_min_seconds, objective_funnel, wrap_up_seconds FROM organisations WHERE id = $1`
	if err := sqlx.GetContext(ctx, q, &rs, qs, org); err != nil {
		return nil, fmt.Errorf("select rule settings: %w", err)
	}
	return &rs, nil
}

// UpdateRuleSettings changes the rule settings (admins).
func (s *RulesStore) UpdateRuleSettings(ctx context.Context, in warmline.RuleSettingsUpdate) (*warmline.RuleSettings, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleAdmin); err != nil {
		return nil, err
	}
	if in.ContactMinSeconds != nil && (*in.ContactMinSeconds < 0 || *in.ContactMinSeconds > 3600) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "contact_min_seconds", "The shortest contact must be between 0 and 3600 seconds.")
	}
	var out *warmline.RuleSettings
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		const q = `UPDATE organisations SET contact_min_seconds = COALESCE($2, contact_min_seconds),
			objective_funnel = COALESCE($3, objective_funnel) WHERE id = $1`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, in.ContactMinSeconds, in.ObjectiveFunnel); err != nil {
			return fmt.Errorf("update rule settings: %w", err)
		}
		if out, err = findRuleSettings(ctx, tx, a.OrgID); err != nil {
			return err
		}
		return orgChanged(ctx, tx, a.OrgID)
	})
	return out, err
}

// ruleActionSelect reads rule actions; r is the action.
const ruleActionSelect = `SELECT r.id, r.client_id, r.work_item_id, r.rule, r.action, r.reason, r.before, r.after,
	r.actor_id, r.created_at, r.undone_at, r.undone_by FROM rule_actions r`

// ruleActionRow scans before/after, which are JSON objects.
type ruleActionRow struct {
	warmline.RuleAction
	BeforeJSON []byte `db:"before"`
	AfterJSON  []byte `db:"after"`
}

func (r *ruleActionRow) action() (*warmline.RuleAction, error) {
	out := r.RuleAction
	if err := json.Unmarshal(r.BeforeJSON, &out.Before); err != nil {
		return nil, fmt.Errorf("decode rule action %d: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.AfterJSON, &out.After); err != nil {
		return nil, fmt.Errorf("decode rule action %d: %w", r.ID, err)
	}
	return &out, nil
}

// FindClientActions returns the automatic actions on a visible client, oldest first.
func (s *RulesStore) FindClientActions(ctx context.Context, id warmline.ClientID) ([]*warmline.RuleAction, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := findClient(ctx, s.db, a, id, false); err != nil {
		return nil, err
	}
	var rows []*ruleActionRow
	if err := s.db.SelectContext(ctx, &rows, ruleActionSelect+` WHERE r.org_id = $1 AND r.client_id = $2 ORDER BY r.created_at, r.id`, a.OrgID, id); err != nil {
		return nil, fmt.Errorf("select actions of client %d: %w", id, err)
	}
	out := make([]*warmline.RuleAction, 0, len(rows))
	for _, r := range rows {
		ra, err := r.action()
		if err != nil {
			return nil, err
		}
		out = append(out, ra)
	}
	return out, nil
}

// UndoRuleAction reverts an automatic action (supervisors): the queue
// entry closes, the owner or stage goes back, a hand-off is withdrawn.
// The client must still be as the action left it; else it is a conflict.
func (s *RulesStore) UndoRuleAction(ctx context.Context, id int64) (*warmline.RuleAction, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, err
	}
	var out *warmline.RuleAction
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var row ruleActionRow
		err := tx.GetContext(ctx, &row, ruleActionSelect+` WHERE r.org_id = $1 AND r.id = $2 FOR UPDATE`, a.OrgID, id)
		if err := notFound(err, fmt.Sprintf("Rule action %d not found.", id), "select rule action"); err != nil {
			return err
		}
		ra, err := row.action()
		if err != nil {
			return err
		}
		if ra.UndoneAt != nil {
			return warmline.Errorf(warmline.ECONFLICT, "This action was already undone.")
		}
		if err := undo(ctx, tx, a, ra); err != nil {
			return err
		}
		const q = `UPDATE rule_actions SET undone_at = now(), undone_by = $3 WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, id, actorID(a)); err != nil {
			return fmt.Errorf("mark rule action %d undone: %w", id, err)
		}
		if err := tx.GetContext(ctx, &row, ruleActionSelect+` WHERE r.org_id = $1 AND r.id = $2`, a.OrgID, id); err != nil {
			return fmt.Errorf("select rule action %d: %w", id, err)
		}
		if out, err = row.action(); err != nil {
			return err
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventRuleAction, out)
		return err
	})
	return out, err
}

// undo reverts one action in tx, writing the events of what it changes.
func undo(ctx context.Context, tx *sqlx.Tx, a warmline.Actor, ra *warmline.RuleAction) error {
	sys := warmline.Actor{OrgID: a.OrgID, System: true}
	cur, err := findClient(ctx, tx, sys, ra.ClientID, true)
	if err != nil {
		return err
	}
	conflict := warmline.Errorf(warmline.ECONFLICT, "The client has changed since this action; it cannot be undone.")
	switch ra.Action {
	case "queue", "keep":
		if ra.WorkItemID != nil {
			return closeWorkItem(ctx, tx, a, *ra.WorkItemID, "undone")
		}
		return nil
	case "reassign":
		if !sameID(ra.After["owner_id"], cur.OwnerID) {
			return conflict
		}
		const q = `UPDATE clients SET owner_id = $3, updated_at = clock_timestamp() WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, cur.ID, ra.Before["owner_id"]); err != nil {
			return fmt.Errorf("undo reassign of client %d: %w", cur.ID, dbError(err))
		}
		return clientChanged(ctx, tx, a, cur.ID)
	case "move", "reject":
		to, _ := ra.After["stage_id"].(float64)
		from, _ := ra.Before["stage_id"].(float64)
		if int64(cur.StageID) != int64(to) {
			return conflict
		}
		// Back to the stage with its clock and count as they were.
		const q = `UPDATE clients SET stage_id = $3, stage_entered_at = $4, stage_contacts = $5, updated_at = clock_timestamp()
			WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, cur.ID, int64(from), ra.Before["stage_entered_at"], ra.Before["stage_contacts"]); err != nil {
			return fmt.Errorf("undo move of client %d: %w", cur.ID, dbError(err))
		}
		const qt = `INSERT INTO stage_transitions (org_id, client_id, from_stage_id, to_stage_id, actor_id, reason) VALUES ($1, $2, $3, $4, $5, $6)`
		if _, err := tx.ExecContext(ctx, qt, a.OrgID, cur.ID, cur.StageID, int64(from), actorID(a), "undo: "+ra.Reason); err != nil {
			return fmt.Errorf("record undo of client %d: %w", cur.ID, err)
		}
		if err := refreshCooling(ctx, tx, a.OrgID, coolingFilter{clients: []warmline.ClientID{cur.ID}}); err != nil {
			return err
		}
		out, err := findClient(ctx, tx, sys, cur.ID, false)
		if err != nil {
			return err
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventClientMoved, map[string]any{
			"client": out, "from_stage_id": cur.StageID, "to_stage_id": out.StageID, "reason": "undo: " + ra.Reason})
		return err
	case "handoff":
		if !cur.HandedOff {
			return conflict
		}
		const q = `UPDATE clients SET handed_off = false, handed_off_at = NULL, updated_at = clock_timestamp() WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, cur.ID); err != nil {
			return fmt.Errorf("undo hand-off of client %d: %w", cur.ID, err)
		}
		return clientChanged(ctx, tx, a, cur.ID)
	}
	return warmline.Errorf(warmline.EINVALID, "Actions of kind %q cannot be undone.", ra.Action)
}

// sameID compares a JSON number (or null) with an optional id.
func sameID(v any, id *warmline.UserID) bool {
	f, ok := v.(float64)
	if !ok {
		return id == nil
	}
	return id != nil && int64(*id) == int64(f)
}

// clientChanged writes client.updated for a client changed in tx.
func clientChanged(ctx context.Context, tx *sqlx.Tx, a warmline.Actor, id warmline.ClientID) error {
	out, err := findClient(ctx, tx, warmline.Actor{OrgID: a.OrgID, System: true}, id, false)
	if err != nil {
		return err
	}
	_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventClientUpdated, out)
	return err
}

// orgChanged writes organisation.updated (the Organisation, as browsers
// expect) for a change of the calendar or the rule settings in tx.
func orgChanged(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID) error {
	var o warmline.Organisation
	if err := tx.GetContext(ctx, &o, `SELECT `+orgColumns+` FROM organisations WHERE id = $1`, org); err != nil {
		return fmt.Errorf("select organisation %d: %w", org, err)
	}
	_, err := appendEvent(ctx, tx, org, warmline.EventOrgUpdated, &o)
	return err
}
