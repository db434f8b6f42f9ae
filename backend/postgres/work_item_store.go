package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/warmline"
)

// WorkItemStore serves the work queues, a supervisor's decisions on them
// and the agent's day.
type WorkItemStore struct{ db *DB }

// NewWorkItemStore returns a WorkItemStore on db.
func NewWorkItemStore(db *DB) *WorkItemStore { return &WorkItemStore{db: db} }

// workItemSelect reads work items with the names they show; w is the item.
const workItemSelect = `SELECT w.id, w.kind, w.client_id, COALESCE(c.name, '') AS client_name, w.owner_id,
	COALESCE(u.name, '') AS owner_name, w.reason, w.created_at, w.closed_at, w.closed_by, w.decision
	FROM work_items w
	JOIN clients c ON c.org_id = w.org_id AND c.id = w.client_id
	LEFT JOIN users u ON u.org_id = w.org_id AND u.id = w.owner_id`

// MaxWorkItems bounds one list of work items.
const MaxWorkItems = 500

// FindWorkItems lists work items for the supervisors' queues, oldest
// first, with the count and oldest age of every open queue.
func (s *WorkItemStore) FindWorkItems(ctx context.Context, f warmline.WorkItemFilter) (*warmline.WorkItemList, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains(warmline.WorkItemKinds, f.Kind) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "kind", "Kind must be one of callback, cooling_soon, cooled, zombie.")
	}
	if f.Limit <= 0 || f.Limit > MaxWorkItems {
		f.Limit = MaxWorkItems
	}
	var owner any
	if f.OwnerID != nil {
		owner = int64(*f.OwnerID)
	}
	out := &warmline.WorkItemList{Items: []*warmline.WorkItem{}, Counts: []*warmline.QueueCount{}}
	q := workItemSelect + ` WHERE w.org_id = $1 AND ($2 = '' OR w.kind = $2) AND ($3::bigint IS NULL OR w.owner_id = $3)
		AND (NOT $4 OR w.closed_at IS NULL) ORDER BY w.created_at, w.id LIMIT $5`
	if err := s.db.SelectContext(ctx, &out.Items, q, a.OrgID, f.Kind, owner, f.Open, f.Limit); err != nil {
		return nil, fmt.Errorf("select work items: %w", err)
	}
	const qc = `SELECT k.kind, count(w.id) AS count, min(w.created_at) AS oldest_at
		FROM unnest($2::text[]) WITH ORDINALITY AS k(kind, n)
		LEFT JOIN work_items w ON w.org_id = $1 AND w.kind = k.kind AND w.closed_at IS NULL AND ($3::bigint IS NULL OR w.owner_id = $3)
		GROUP BY k.kind, k.n ORDER BY k.n`
	if err := s.db.SelectContext(ctx, &out.Counts, qc, a.OrgID, pq.StringArray(warmline.WorkItemKinds), owner); err != nil {
		return nil, fmt.Errorf("count work items: %w", err)
	}
	return out, nil
}

// ReassignWorkItems gives open work items, and their clients, to another
// agent in one go (supervisors).
func (s *WorkItemStore) ReassignWorkItems(ctx context.Context, ids []int64, owner warmline.UserID) ([]*warmline.WorkItem, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > MaxWorkItems {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "ids", "Choose between 1 and %d work items.", MaxWorkItems)
	}
	out := []*warmline.WorkItem{}
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM users WHERE org_id = $1 AND id = $2 AND active)`, a.OrgID, owner); err != nil {
			return fmt.Errorf("check owner: %w", err)
		} else if !ok {
			return warmline.FieldErrorf(warmline.EINVALID, "owner_id", "User %d is not an active user of your organisation.", owner)
		}
		var clients []int64
		const q = `UPDATE work_items SET owner_id = $3 WHERE org_id = $1 AND id = ANY($2) AND closed_at IS NULL RETURNING client_id`
		if err := tx.SelectContext(ctx, &clients, q, a.OrgID, pq.Int64Array(ids), owner); err != nil {
			return fmt.Errorf("reassign work items: %w", err)
		}
		if len(clients) != len(ids) {
			return warmline.FieldErrorf(warmline.ENOTFOUND, "ids", "Some of these work items are not open work items of your organisation.")
		}
		const qc = `UPDATE clients SET owner_id = $3, updated_at = clock_timestamp()
			WHERE org_id = $1 AND id = ANY($2) AND owner_id IS DISTINCT FROM $3 RETURNING id`
		var changed []int64
		if err := tx.SelectContext(ctx, &changed, qc, a.OrgID, pq.Int64Array(clients), owner); err != nil {
			return fmt.Errorf("reassign clients: %w", err)
		}
		for _, id := range changed {
			if err := clientChanged(ctx, tx, a, warmline.ClientID(id)); err != nil {
				return err
			}
		}
		if err := tx.SelectContext(ctx, &out, workItemSelect+` WHERE w.org_id = $1 AND w.id = ANY($2) ORDER BY w.id`, a.OrgID, pq.Int64Array(ids)); err != nil {
			return fmt.Errorf("select work items: %w", err)
		}
		for _, w := range out {
			if _, err := appendEvent(ctx, tx, a.OrgID, warmline.EventWorkItemCreated, w); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// closeWorkItem closes an open work item with a decision, as the actor.
func closeWorkItem(ctx context.Context, tx *sqlx.Tx, a warmline.Actor, id int64, decision string) error {
	const q = `UPDATE work_items SET closed_at = now(), closed_by = $3, decision = $4 WHERE org_id = $1 AND id = $2 AND closed_at IS NULL`
	res, err := tx.ExecContext(ctx, q, a.OrgID, id, actorID(a), decision)
	if err != nil {
		return fmt.Errorf("close work item %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // already closed: nothing to tell
	}
	var w warmline.WorkItem
	if err := tx.GetContext(ctx, &w, workItemSelect+` WHERE w.org_id = $1 AND w.id = $2`, a.OrgID, id); err != nil {
		return fmt.Errorf("select work item %d: %w", id, err)
	}
	_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventWorkItemClosed, &w)
	return err
}

// DecideWorkItem is a supervisor's one-click decision on a zombie: keep
// working it, hand it to another channel, or reject it. The decision is
// recorded as a rule action (undoable) and closes the item.
func (s *WorkItemStore) DecideWorkItem(ctx context.Context, id int64, decision string) (*warmline.WorkItem, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, err
	}
	if decision != warmline.DecisionKeep && decision != warmline.DecisionHandoff && decision != warmline.DecisionReject {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "decision", "Decision must be keep, handoff or reject.")
	}
	var out warmline.WorkItem
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var w struct {
			warmline.WorkItem
			StageID        warmline.StageID `db:"stage_id"`
			HandoffChannel string           `db:"handoff_channel"`
			HandoffEmail   string           `db:"handoff_email"`
			HandoffWebhook bool             `db:"handoff_webhook"`
		}
		q := `SELECT w.id, w.kind, w.client_id, w.reason, w.closed_at, c.stage_id, s.handoff_channel, s.handoff_email, s.handoff_webhook
			FROM work_items w JOIN clients c ON c.org_id = w.org_id AND c.id = w.client_id
			JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
			WHERE w.org_id = $1 AND w.id = $2 FOR UPDATE OF w, c`
		err := tx.GetContext(ctx, &w, q, a.OrgID, id)
		if err := notFound(err, fmt.Sprintf("Work item %d not found.", id), "select work item"); err != nil {
			return err
		}
		if w.Kind != warmline.WorkZombie {
			return warmline.Errorf(warmline.EINVALID, "Only zombies wait for a decision; this is a %s item.", w.Kind)
		}
		if w.ClosedAt != nil {
			return warmline.Errorf(warmline.ECONFLICT, "This work item is already closed.")
		}
		if err := closeWorkItem(ctx, tx, a, id, decision); err != nil {
			return err
		}
		before, after := map[string]any{}, map[string]any{}
		action := decision
		switch decision {
		case warmline.DecisionHandoff:
			const qh = `UPDATE clients SET handed_off = true, handed_off_at = now(), updated_at = clock_timestamp() WHERE org_id = $1 AND id = $2`
			if _, err := tx.ExecContext(ctx, qh, a.OrgID, w.ClientID); err != nil {
				return fmt.Errorf("hand off client %d: %w", w.ClientID, err)
			}
			before["handed_off"] = false
			after = map[string]any{"handed_off": true, "channel": w.HandoffChannel, "email": w.HandoffEmail, "webhook": w.HandoffWebhook}
			if err := clientChanged(ctx, tx, a, w.ClientID); err != nil {
				return err
			}
		case warmline.DecisionReject:
			var rej warmline.StageID
			const qr = `SELECT id FROM stages WHERE org_id = $1 AND kind = 'rejected' AND deleted_at IS NULL ORDER BY position LIMIT 1`
			if err := tx.GetContext(ctx, &rej, qr, a.OrgID); err != nil {
				return warmline.FieldErrorf(warmline.ECONFLICT, "decision", "The funnel has no rejected stage.")
			}
			var cur struct {
				Entered  any `db:"stage_entered_at"`
				Contacts int `db:"stage_contacts"`
			}
			if err := tx.GetContext(ctx, &cur, `SELECT stage_entered_at, stage_contacts FROM clients WHERE org_id = $1 AND id = $2`, a.OrgID, w.ClientID); err != nil {
				return fmt.Errorf("select client %d: %w", w.ClientID, err)
			}
			before = map[string]any{"stage_id": w.StageID, "stage_entered_at": cur.Entered, "stage_contacts": cur.Contacts}
			after["stage_id"] = rej
			if _, err := moveClientTx(ctx, tx, a, w.ClientID, rej, w.Reason); err != nil {
				return err
			}
		}
		const qa = `INSERT INTO rule_actions (org_id, client_id, work_item_id, rule, action, reason, before, after, actor_id)
			VALUES ($1, $2, $3, 'zombie', $4, $5, $6, $7, $8) RETURNING id`
		var raID int64
		if err := tx.GetContext(ctx, &raID, qa, a.OrgID, w.ClientID, id, action, w.Reason, jsonText(before), jsonText(after), actorID(a)); err != nil {
			return fmt.Errorf("record decision on work item %d: %w", id, err)
		}
		var row ruleActionRow
		if err := tx.GetContext(ctx, &row, ruleActionSelect+` WHERE r.org_id = $1 AND r.id = $2`, a.OrgID, raID); err != nil {
			return fmt.Errorf("select rule action %d: %w", raID, err)
		}
		ra, err := row.action()
		if err != nil {
			return err
		}
		if _, err := appendEvent(ctx, tx, a.OrgID, warmline.EventRuleAction, ra); err != nil {
			return err
		}
		return tx.GetContext(ctx, &out, workItemSelect+` WHERE w.org_id = $1 AND w.id = $2`, a.OrgID, id)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// FindMyDay orders an agent's day the seed's way: callbacks and clients
// cooling soon first, then cooled ones, then clients in progress by next
// action date, then new ones. Agents see their own day; supervisors may
// name an agent (0: their own).
func (s *WorkItemStore) FindMyDay(ctx context.Context, agent warmline.UserID) (*warmline.MyDay, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if agent == 0 || agent == a.UserID {
		agent = a.UserID
	} else if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, warmline.FieldErrorf(warmline.EFORBIDDEN, "agent_id", "Agents see only their own day.")
	}
	var ok bool
	if err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM users WHERE org_id = $1 AND id = $2)`, a.OrgID, agent); err != nil {
		return nil, fmt.Errorf("check agent: %w", err)
	} else if !ok {
		return nil, warmline.FieldErrorf(warmline.ENOTFOUND, "agent_id", "User %d not found.", agent)
	}
	// One row per client: its first section in the day's order.
	q := `SELECT * FROM (
		SELECT DISTINCT ON (c.id) d.section, d.rank, d.sort_at, d.work_item_id, d.reason, ` + clientColumns + `
		FROM clients c
		CROSS JOIN LATERAL (
			SELECT CASE w.kind WHEN 'callback' THEN 'callback' WHEN 'cooling_soon' THEN 'cooling_soon' ELSE 'cooled' END AS section,
				CASE WHEN w.kind IN ('callback', 'cooling_soon') THEN 1 ELSE 2 END AS rank,
				w.created_at AS sort_at, w.id AS work_item_id, w.reason
			FROM work_items w WHERE w.org_id = c.org_id AND w.client_id = c.id AND w.closed_at IS NULL AND w.kind <> 'zombie'
			UNION ALL
			SELECT CASE WHEN c.contacts > 0 OR c.next_action_at IS NOT NULL THEN 'in_progress' ELSE 'new' END,
				CASE WHEN c.contacts > 0 OR c.next_action_at IS NOT NULL THEN 3 ELSE 4 END,
				CASE WHEN c.contacts > 0 OR c.next_action_at IS NOT NULL THEN c.next_action_at ELSE c.created_at END, NULL, ''
			FROM stages s WHERE s.org_id = c.org_id AND s.id = c.stage_id AND s.kind = 'open') d
		WHERE c.org_id = $1 AND c.owner_id = $4 AND c.deleted_at IS NULL AND NOT c.handed_off AND ` + clientVisible + `
		ORDER BY c.id, d.rank, d.sort_at) day
		ORDER BY rank, sort_at NULLS LAST, id LIMIT 300`
	var rows []struct {
		Section    string `db:"section"`
		Rank       int    `db:"rank"`
		SortAt     any    `db:"sort_at"`
		WorkItemID *int64 `db:"work_item_id"`
		Reason     string `db:"reason"`
		warmline.Client
	}
	if err := s.db.SelectContext(ctx, &rows, q, a.OrgID, a.UserID, a.Role, agent); err != nil {
		return nil, fmt.Errorf("select my day: %w", err)
	}
	day := &warmline.MyDay{AgentID: agent, Items: make([]*warmline.MyDayItem, 0, len(rows))}
	for i := range rows {
		r := &rows[i]
		day.Items = append(day.Items, &warmline.MyDayItem{Section: r.Section, WorkItemID: r.WorkItemID, Reason: r.Reason, Client: r.Client})
	}
	return day, nil
}
