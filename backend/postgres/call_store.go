package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/routing"
	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// CallStore keeps call records. It is both the gateway's media.Store (the
// gateway writes calls, routes inbound ones and moves agents between call
// states) and warmline.CallService (people read calls through the API).
// The media.Store methods act for the gateway, not for a person, so they
// take the organisation as an argument instead of an actor.
type CallStore struct{ db *DB }

// NewCallStore returns a CallStore on db.
func NewCallStore(db *DB) *CallStore { return &CallStore{db: db} }

var _ warmline.CallService = (*CallStore)(nil)

// callSelect reads call records with the names the record shows; k is
// the call, u its agent, c its client.
const callSelect = `SELECT k.id, k.org_id, k.direction, k.from_number, k.to_number, k.trunk_id, k.line_id,
		k.agent_id, COALESCE(u.name, '') AS agent_name, k.client_id, COALESCE(c.name, '') AS client_name,
		c.owner_id AS client_owner_id, k.sip_call_id, k.status, k.held, k.created_at, k.ringing_at,
		k.answered_at, k.ended_at, k.outcome, k.missed_reason, k.sip_cause, k.end_reason, k.hangup_side, k.node
	FROM calls k
	LEFT JOIN users u ON u.org_id = k.org_id AND u.id = k.agent_id
	LEFT JOIN clients c ON c.org_id = k.org_id AND c.id = k.client_id`

// callVisible is the condition for call k to be visible to the caller
// ($1-$3 as in clientVisible): supervisors and admins see every call of
// the organisation; agents their own calls and the calls of clients they
// may see.
const callVisible = `($3 <> 'agent' OR k.agent_id = $2 OR (k.client_id IS NOT NULL AND c.deleted_at IS NULL AND ` + clientVisible + `))`

// MaxCalls bounds one list of calls.
const MaxCalls = 200

// FindCalls lists the calls visible to the caller, newest first.
func (s *CallStore) FindCalls(ctx context.Context, f warmline.CallFilter) ([]*warmline.Call, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > MaxCalls {
		f.Limit = MaxCalls
	}
	args := []any{a.OrgID, a.UserID, a.Role}
	conds := []string{`k.org_id = $1`, callVisible}
	if f.ClientID != 0 {
		args = append(args, f.ClientID)
		conds = append(conds, fmt.Sprintf(`k.client_id = $%d`, len(args)))
	}
	if f.AgentID != 0 {
		args = append(args, f.AgentID)
		conds = append(conds, fmt.Sprintf(`k.agent_id = $%d`, len(args)))
	}
	if f.Open {
		conds = append(conds, `k.status <> 'ended'`)
	}
	q := fmt.Sprintf(`%s WHERE %s ORDER BY k.created_at DESC, k.id DESC LIMIT %d`, callSelect, strings.Join(conds, " AND "), f.Limit)
	out := []*warmline.Call{}
	if err := s.db.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("select calls: %w", err)
	}
	return out, nil
}

// FindCall returns one call visible to the caller.
func (s *CallStore) FindCall(ctx context.Context, id warmline.CallID) (*warmline.Call, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	var c warmline.Call
	err = s.db.GetContext(ctx, &c, callSelect+` WHERE k.org_id = $1 AND k.id = $4 AND `+callVisible, a.OrgID, a.UserID, a.Role, id)
	if err := notFound(err, fmt.Sprintf("Call %d not found.", id), "select call"); err != nil {
		return nil, err
	}
	return &c, nil
}

// findCallTx reads a call in tx, for the events of the gateway's writes.
func findCallTx(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, id warmline.CallID) (*warmline.Call, error) {
	var c warmline.Call
	err := tx.GetContext(ctx, &c, callSelect+` WHERE k.org_id = $1 AND k.id = $2`, org, id)
	if err := notFound(err, fmt.Sprintf("Call %d not found.", id), "select call"); err != nil {
		return nil, err
	}
	return &c, nil
}

// StartCall writes a new call record, ringing, with its call.ringing event.
func (s *CallStore) StartCall(ctx context.Context, c *warmline.Call) (warmline.CallID, error) {
	if c.OrgID == 0 {
		return 0, fmt.Errorf("start call: no organisation")
	}
	if c.Direction != warmline.CallInbound && c.Direction != warmline.CallOutbound {
		return 0, warmline.FieldErrorf(warmline.EINVALID, "direction", "A call is inbound or outbound, not %q.", c.Direction)
	}
	var id warmline.CallID
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		const q = `INSERT INTO calls (org_id, direction, from_number, to_number, trunk_id, line_id, agent_id, client_id,
				sip_call_id, status, ringing_at, node)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'ringing', $10, $11) RETURNING id`
		if err := tx.GetContext(ctx, &id, q, c.OrgID, c.Direction, c.From, c.To, c.TrunkID, c.LineID, c.AgentID, c.ClientID,
			c.SIPCallID, c.RingingAt, c.Node); err != nil {
			return fmt.Errorf("insert call: %w", dbError(err))
		}
		return appendCallEvent(ctx, tx, c.OrgID, id, warmline.EventCallRinging)
	})
	return id, err
}

// appendCallEvent writes typ with the call record, as it now is, as its data.
func appendCallEvent(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, id warmline.CallID, typ string) error {
	c, err := findCallTx(ctx, tx, org, id)
	if err != nil {
		return err
	}
	_, err = appendEvent(ctx, tx, org, typ, c)
	return err
}

// UpdateCall records progress on a call. Answering writes call.answered,
// holding or resuming call.held; other changes (an agent or client
// assigned, the far end ringing) repeat the event of the call's status,
// ringing or answered, with the updated record. An ended call is final:
// updates to it change nothing.
func (s *CallStore) UpdateCall(ctx context.Context, org warmline.OrgID, id warmline.CallID, u media.CallUpdate) error {
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var cur struct {
			AgentID    *warmline.UserID    `db:"agent_id"`
			ClientID   *warmline.ClientID  `db:"client_id"`
			SIPCallID  string              `db:"sip_call_id"`
			RingingAt  *time.Time          `db:"ringing_at"`
			AnsweredAt *time.Time          `db:"answered_at"`
			Status     warmline.CallStatus `db:"status"`
			Held       bool                `db:"held"`
		}
		const ql = `SELECT agent_id, client_id, sip_call_id, ringing_at, answered_at, status, held
			FROM calls WHERE org_id = $1 AND id = $2 FOR UPDATE`
		err := tx.GetContext(ctx, &cur, ql, org, id)
		if err := notFound(err, fmt.Sprintf("Call %d not found.", id), "lock call"); err != nil {
			return err
		}
		if cur.Status == warmline.CallEnded {
			return nil
		}
		next := cur
		if u.AgentID != 0 {
			next.AgentID = &u.AgentID
		}
		if u.ClientID != 0 {
			next.ClientID = &u.ClientID
		}
		if u.SIPCallID != "" {
			next.SIPCallID = u.SIPCallID
		}
		if !u.RingingAt.IsZero() {
			next.RingingAt = &u.RingingAt
		}
		answer := !u.AnsweredAt.IsZero() && cur.Status == warmline.CallRinging
		if answer {
			next.AnsweredAt, next.Status = &u.AnsweredAt, warmline.CallAnswered
		}
		hold := u.Held != nil && *u.Held != cur.Held
		if hold {
			next.Held = *u.Held
		}
		if !answer && !hold && eqPtr(next.AgentID, cur.AgentID) && eqPtr(next.ClientID, cur.ClientID) &&
			next.SIPCallID == cur.SIPCallID && eqTime(next.RingingAt, cur.RingingAt) {
			return nil // nothing changed, nothing to announce
		}
		const q = `UPDATE calls SET agent_id = $3, client_id = $4, sip_call_id = $5, ringing_at = $6, answered_at = $7,
				status = $8, held = $9 WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, org, id, next.AgentID, next.ClientID, next.SIPCallID, next.RingingAt,
			next.AnsweredAt, next.Status, next.Held); err != nil {
			return fmt.Errorf("update call %d: %w", id, dbError(err))
		}
		typ := warmline.EventCallRinging
		switch {
		case answer:
			typ = warmline.EventCallAnswered
		case hold:
			typ = warmline.EventCallHeld
		case cur.Status == warmline.CallAnswered:
			typ = warmline.EventCallAnswered
		}
		return appendCallEvent(ctx, tx, org, id, typ)
	})
}

func eqPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func eqTime(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

// EndCall closes a call record with its outcome and writes call.ended, or
// call.missed for a missed inbound call. Ending an ended call changes
// nothing and writes no event.
func (s *CallStore) EndCall(ctx context.Context, org warmline.OrgID, id warmline.CallID, e media.CallEnd) error {
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		return endCall(ctx, tx, org, id, e)
	})
}

func endCall(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, id warmline.CallID, e media.CallEnd) error {
	switch e.Outcome {
	case warmline.OutcomeAnswered, warmline.OutcomeMissed, warmline.OutcomeNoAnswer, warmline.OutcomeBusy,
		warmline.OutcomeDeclined, warmline.OutcomeCancelled, warmline.OutcomeFailed:
	default:
		return warmline.FieldErrorf(warmline.EINVALID, "outcome", "Unknown call outcome %q.", e.Outcome)
	}
	var reason *warmline.MissedReason
	if e.Outcome == warmline.OutcomeMissed && e.MissedReason != "" {
		reason = &e.MissedReason
	}
	var side *warmline.HangupSide
	if e.Side != "" {
		side = &e.Side
	}
	var cause *int
	if e.SIPCause != 0 {
		cause = &e.SIPCause
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	var agent *warmline.UserID
	if e.AgentID != 0 {
		agent = &e.AgentID
	}
	// The answer time and agent fill what the record lacks only: the
	// update at the answer wrote them unless it failed.
	const q = `UPDATE calls SET status = 'ended', held = false, ended_at = $3, outcome = $4, missed_reason = $5,
			sip_cause = $6, end_reason = $7, hangup_side = $8,
			answered_at = COALESCE(answered_at, $9), agent_id = COALESCE(agent_id, $10)
		WHERE org_id = $1 AND id = $2 AND status <> 'ended'`
	res, err := tx.ExecContext(ctx, q, org, id, e.At, e.Outcome, reason, cause, e.Reason, side, e.AnsweredAt, agent)
	if err != nil {
		return fmt.Errorf("end call %d: %w", id, dbError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var exists bool
		if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM calls WHERE org_id = $1 AND id = $2)`, org, id); err != nil {
			return fmt.Errorf("look for call %d: %w", id, err)
		} else if !exists {
			return warmline.Errorf(warmline.ENOTFOUND, "Call %d not found.", id)
		}
		return nil // already ended: the first ending stands
	}
	// The client's contact or attempt (and a callback for a missed call)
	// counts in the same transaction: a call never ends uncounted. The
	// client's row is locked before the event counter (lockCallContact).
	k, err := lockCallContact(ctx, tx, org, id)
	if err != nil {
		return err
	}
	typ := warmline.EventCallEnded
	if e.Outcome == warmline.OutcomeMissed {
		typ = warmline.EventCallMissed
	}
	if err := appendCallEvent(ctx, tx, org, id, typ); err != nil {
		return err
	}
	return recordCallContact(ctx, tx, org, id, k)
}

// CloseOrphans ends the calls node left open when it died: an inbound
// call nobody answered is missed, another unanswered call failed, and an
// answered one keeps the outcome answered (the conversation happened;
// counting it as failed would lose a contact). Each ends as interrupted,
// by the system, with its event.
func (s *CallStore) CloseOrphans(ctx context.Context, node string, at time.Time) (int, error) {
	n := 0
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var open []struct {
			ID        warmline.CallID        `db:"id"`
			OrgID     warmline.OrgID         `db:"org_id"`
			Direction warmline.CallDirection `db:"direction"`
			Status    warmline.CallStatus    `db:"status"`
		}
		const q = `SELECT id, org_id, direction, status FROM calls WHERE node = $1 AND status <> 'ended' ORDER BY org_id, id FOR UPDATE`
		if err := tx.SelectContext(ctx, &open, q, node); err != nil {
			return fmt.Errorf("find open calls of node %q: %w", node, err)
		}
		// Every client before any event counter (lockCallContact says
		// why), and the counters in organisation order.
		const qc = `SELECT id FROM clients WHERE id IN (SELECT client_id FROM calls WHERE node = $1 AND status <> 'ended')
			ORDER BY id FOR UPDATE`
		if _, err := tx.ExecContext(ctx, qc, node); err != nil {
			return fmt.Errorf("lock the clients of node %q's open calls: %w", node, err)
		}
		for _, c := range open {
			e := media.CallEnd{At: at, Outcome: warmline.OutcomeFailed, Reason: "interrupted", Side: warmline.HangupSystem}
			switch {
			case c.Status == warmline.CallAnswered:
				e.Outcome = warmline.OutcomeAnswered
			case c.Direction == warmline.CallInbound:
				e.Outcome, e.MissedReason = warmline.OutcomeMissed, warmline.MissedNoAnswer
			}
			if err := endCall(ctx, tx, c.OrgID, c.ID, e); err != nil {
				return err
			}
		}
		n = len(open)
		return nil
	})
	return n, err
}

// ClientByPhone finds the live client of org with this number (nil, nil
// when there is none). A number that is not E.164 is read with the
// organisation's country.
func (s *CallStore) ClientByPhone(ctx context.Context, org warmline.OrgID, number string) (*warmline.Client, error) {
	return clientByPhone(ctx, s.db, org, number)
}

func clientByPhone(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID, number string) (*warmline.Client, error) {
	country, err := orgCountry(ctx, q, org)
	if err != nil {
		return nil, err
	}
	e164, ok := phone.Normalize(number, country)
	if !ok {
		return nil, nil
	}
	var cs []*warmline.Client
	const query = `SELECT ` + clientColumns + ` FROM client_phones p JOIN clients c ON c.org_id = p.org_id AND c.id = p.client_id
		WHERE p.org_id = $1 AND p.phone = $2 AND c.deleted_at IS NULL`
	if err := sqlx.SelectContext(ctx, q, &cs, query, org, e164); err != nil {
		return nil, fmt.Errorf("find client by phone: %w", err)
	}
	if len(cs) == 0 {
		return nil, nil
	}
	return cs[0], nil
}

// SetAgentState moves an agent to a state of the call flow (ringing,
// on_call, wrap_up, available...), with the state log and the event, the
// same way as a state the agent chooses.
func (s *CallStore) SetAgentState(ctx context.Context, org warmline.OrgID, user warmline.UserID, st warmline.AgentState) error {
	if !st.Valid() {
		return warmline.FieldErrorf(warmline.EINVALID, "state", "Unknown agent state %q.", st)
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := setState(ctx, tx, org, user, st, "")
		return err
	})
}

// SetAgentStateIfReachable is SetAgentState unless the agent is away or
// offline, the states agents choose to be unreachable: a call-flow state
// written late (the gateway's retry after a failed write) must not undo
// the agent's own choice made meanwhile.
func (s *CallStore) SetAgentStateIfReachable(ctx context.Context, org warmline.OrgID, user warmline.UserID, st warmline.AgentState) error {
	if !st.Valid() {
		return warmline.FieldErrorf(warmline.EINVALID, "state", "Unknown agent state %q.", st)
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var cur warmline.AgentState
		const q = `SELECT state FROM agent_states WHERE org_id = $1 AND user_id = $2 FOR UPDATE`
		err := tx.GetContext(ctx, &cur, q, org, user)
		if errors.Is(err, sql.ErrNoRows) || cur == warmline.AgentAway || cur == warmline.AgentOffline {
			return nil // never had a state (offline), or chose to be unreachable
		} else if err != nil {
			return fmt.Errorf("lock state of user %d: %w", user, err)
		}
		_, err = setState(ctx, tx, org, user, st, "")
		return err
	})
}

// PhoneSettings reads the organisation's softphone settings; an
// organisation without an enabled trunk is on the demo line.
func (s *CallStore) PhoneSettings(ctx context.Context, org warmline.OrgID) (*media.PhoneSettings, error) {
	var row struct {
		AutoAnswer int  `db:"auto_answer_seconds"`
		WrapUp     int  `db:"wrap_up_seconds"`
		Demo       bool `db:"demo"`
	}
	const q = `SELECT auto_answer_seconds, wrap_up_seconds,
			NOT EXISTS (SELECT 1 FROM trunks t WHERE t.org_id = o.id AND t.enabled) AS demo
		FROM organisations o WHERE o.id = $1`
	err := s.db.GetContext(ctx, &row, q, org)
	if err := notFound(err, "Organisation not found.", "select phone settings"); err != nil {
		return nil, err
	}
	return &media.PhoneSettings{
		AutoAnswer: time.Duration(row.AutoAnswer) * time.Second,
		WrapUp:     time.Duration(row.WrapUp) * time.Second,
		Demo:       row.Demo,
	}, nil
}

// RouteInbound decides who takes an inbound call: it reads the snapshot
// (the active users' states, the caller's client and owner) and leaves
// the decision to routing.Decide.
func (s *CallStore) RouteInbound(ctx context.Context, in media.InboundCall) (*media.Route, error) {
	cl, err := clientByPhone(ctx, s.db, in.OrgID, in.From)
	if err != nil {
		return nil, err
	}
	var agents []struct {
		ID    warmline.UserID     `db:"id"`
		State warmline.AgentState `db:"state"`
		Since time.Time           `db:"since"`
	}
	const q = `SELECT u.id, COALESCE(p.state, 'offline') AS state, COALESCE(p.since, u.created_at) AS since
		FROM users u LEFT JOIN agent_states p ON p.org_id = u.org_id AND p.user_id = u.id
		WHERE u.org_id = $1 AND u.active ORDER BY u.id`
	if err := s.db.SelectContext(ctx, &agents, q, in.OrgID); err != nil {
		return nil, fmt.Errorf("select agents for routing: %w", err)
	}
	var snap routing.Snapshot
	for _, a := range agents {
		snap.Agents = append(snap.Agents, routing.Agent{ID: a.ID, State: a.State, Since: a.Since})
	}
	if cl != nil {
		snap.OwnerID = cl.OwnerID
	}
	d := routing.Decide(snap)
	return &media.Route{Agents: d.Agents, MissedReason: d.MissedReason, Client: cl, RingFor: d.RingFor}, nil
}

// LoadTrunks lists every enabled trunk of every organisation with its
// secret, its lines and its organisation's country, for the gateway.
func (s *CallStore) LoadTrunks(ctx context.Context) ([]media.TrunkConfig, error) {
	var rows []struct {
		trunkRow
		Country string `db:"default_country"`
	}
	const q = `SELECT ` + trunkColumns + `, t.password, o.default_country
		FROM trunks t JOIN organisations o ON o.id = t.org_id WHERE t.enabled ORDER BY t.org_id, t.id`
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, fmt.Errorf("load trunks: %w", err)
	}
	var lines []*warmline.Line
	if err := s.db.SelectContext(ctx, &lines, `SELECT `+lineColumns+` FROM lines l
		JOIN trunks t ON t.org_id = l.org_id AND t.id = l.trunk_id WHERE t.enabled ORDER BY l.id`); err != nil {
		return nil, fmt.Errorf("load lines: %w", err)
	}
	out := make([]media.TrunkConfig, len(rows))
	byID := map[warmline.TrunkID]*media.TrunkConfig{}
	for i, r := range rows {
		out[i] = media.TrunkConfig{Trunk: *r.trunk(), DefaultCountry: r.Country}
		byID[r.ID] = &out[i]
	}
	for _, l := range lines {
		if t := byID[*l.TrunkID]; t != nil {
			t.Lines = append(t.Lines, *l)
		}
	}
	return out, nil
}
