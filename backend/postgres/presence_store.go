package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/warmline"
)

// PresenceStore implements warmline.PresenceService and the heartbeat
// that turns agents with no live connection offline.
type PresenceStore struct{ db *DB }

// NewPresenceStore returns a PresenceStore on db.
func NewPresenceStore(db *DB) *PresenceStore { return &PresenceStore{db: db} }

var _ warmline.PresenceService = (*PresenceStore)(nil)

// FindPresence lists the organisation's active users with their states.
func (s *PresenceStore) FindPresence(ctx context.Context) ([]*warmline.Presence, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	out := []*warmline.Presence{}
	const q = `SELECT u.id AS user_id, u.name, u.role, COALESCE(p.state, 'offline') AS state,
			COALESCE(p.reason, '') AS reason, COALESCE(p.since, u.created_at) AS since
		FROM users u LEFT JOIN agent_states p ON p.org_id = u.org_id AND p.user_id = u.id
		WHERE u.org_id = $1 AND u.active ORDER BY u.name, u.id`
	if err := s.db.SelectContext(ctx, &out, q, a.OrgID); err != nil {
		return nil, fmt.Errorf("select presence: %w", err)
	}
	return out, nil
}

// SetState changes the caller's state to one an agent may choose.
func (s *PresenceStore) SetState(ctx context.Context, state warmline.AgentState, reason string) (*warmline.Presence, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if !state.Valid() || !state.SetByAgent() {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "state", "Choose available, away or offline; the other states follow calls.")
	}
	if reason, err = warmline.CleanText(reason, "reason", false, 200); err != nil {
		return nil, err
	}
	if state != warmline.AgentAway {
		reason = ""
	}
	var out *warmline.Presence
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		out, err = setState(ctx, tx, a.OrgID, a.UserID, state, reason)
		return err
	})
	return out, err
}

// setState records a state change in tx: the log row of the state left,
// the new current state and its event. The same state and reason again
// changes nothing. A state set by a person counts as a heartbeat.
func setState(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, user warmline.UserID, state warmline.AgentState, reason string) (*warmline.Presence, error) {
	const qi = `INSERT INTO agent_states (org_id, user_id, state) VALUES ($1, $2, 'offline') ON CONFLICT DO NOTHING`
	if _, err := tx.ExecContext(ctx, qi, org, user); err != nil {
		return nil, fmt.Errorf("init state of user %d: %w", user, err)
	}
	var cur struct {
		State  warmline.AgentState `db:"state"`
		Reason string              `db:"reason"`
		Since  time.Time           `db:"since"`
	}
	const qc = `SELECT state, reason, since FROM agent_states WHERE org_id = $1 AND user_id = $2 FOR UPDATE`
	if err := tx.GetContext(ctx, &cur, qc, org, user); err != nil {
		return nil, fmt.Errorf("lock state of user %d: %w", user, err)
	}
	var p warmline.Presence
	const qp = `SELECT u.id AS user_id, u.name, u.role, p.state, p.reason, p.since
		FROM users u JOIN agent_states p ON p.org_id = u.org_id AND p.user_id = u.id WHERE u.org_id = $1 AND u.id = $2`
	if cur.State == state && cur.Reason == reason {
		if _, err := tx.ExecContext(ctx, `UPDATE agent_states SET seen_at = now() WHERE org_id = $1 AND user_id = $2`, org, user); err != nil {
			return nil, fmt.Errorf("touch state of user %d: %w", user, err)
		}
		err := tx.GetContext(ctx, &p, qp, org, user)
		return &p, err
	}
	const ql = `INSERT INTO agent_state_log (org_id, user_id, state, reason, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, now())`
	if _, err := tx.ExecContext(ctx, ql, org, user, cur.State, cur.Reason, cur.Since); err != nil {
		return nil, fmt.Errorf("log state of user %d: %w", user, err)
	}
	const qu = `UPDATE agent_states SET state = $3, reason = $4, since = now(), seen_at = now() WHERE org_id = $1 AND user_id = $2`
	if _, err := tx.ExecContext(ctx, qu, org, user, state, reason); err != nil {
		return nil, fmt.Errorf("set state of user %d: %w", user, err)
	}
	if err := tx.GetContext(ctx, &p, qp, org, user); err != nil {
		return nil, fmt.Errorf("read state of user %d: %w", user, err)
	}
	if _, err := appendEvent(ctx, tx, org, warmline.EventAgentState, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Heartbeat records that these users hold a live connection on this node.
func (s *PresenceStore) Heartbeat(ctx context.Context, users []warmline.UserID) error {
	if len(users) == 0 {
		return nil
	}
	ids := make(pq.Int64Array, len(users))
	for i, u := range users {
		ids[i] = int64(u)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE agent_states SET seen_at = now() WHERE user_id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("presence heartbeat: %w", err)
	}
	return nil
}

// SweepOffline sets offline every agent, of every organisation, who is not
// offline but whose connections no node has seen for staleAfter (closed
// tab, lost network, crashed node). It is safe to run on every node at
// once: rows another node is changing are skipped. It returns how many
// agents it set offline.
func (s *PresenceStore) SweepOffline(ctx context.Context, staleAfter time.Duration) (int, error) {
	n := 0
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var stale []struct {
			Org  warmline.OrgID  `db:"org_id"`
			User warmline.UserID `db:"user_id"`
		}
		const q = `SELECT org_id, user_id FROM agent_states
			WHERE state <> 'offline' AND (seen_at IS NULL OR seen_at < now() - $1::interval)
			ORDER BY org_id, user_id FOR UPDATE SKIP LOCKED`
		if err := tx.SelectContext(ctx, &stale, q, fmt.Sprintf("%d milliseconds", staleAfter.Milliseconds())); err != nil {
			return fmt.Errorf("find stale agents: %w", err)
		}
		for _, a := range stale {
			if _, err := setState(ctx, tx, a.Org, a.User, warmline.AgentOffline, ""); err != nil {
				return err
			}
		}
		n = len(stale)
		return nil
	})
	return n, err
}
