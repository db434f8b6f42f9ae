package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/rules"
	"github.com/warmline/warmline/backend/warmline"
)

// engineNow is the clock of the engine's incremental runs (a call ended, a
// contact logged); tests pin it.
var engineNow = time.Now

// callContact is what counting an ended call for its client needs.
type callContact struct {
	ClientID   warmline.ClientID `db:"client_id"`
	AgentID    *warmline.UserID  `db:"agent_id"`
	Direction  string            `db:"direction"`
	Outcome    *string           `db:"outcome"`
	AnsweredAt *time.Time        `db:"answered_at"`
	EndedAt    *time.Time        `db:"ended_at"`
	MinSeconds int               `db:"contact_min_seconds"`
	Objective  bool              `db:"objective_funnel"`
	WrapUp     int               `db:"wrap_up_seconds"`
	StageID    warmline.StageID  `db:"stage_id"`
	StageKind  string            `db:"kind"`
	Contacts   int               `db:"contacts"`
}

// lockCallContact reads an ended call for counting it and locks its
// client's row (nil, nil for a call without a live client). endCall takes
// it before writing the call's event, because every transaction that
// touches a client takes the client's row before the organisation's event
// counter (a new call's row takes a share lock on its client, then the
// counter for call.ringing): an ending call that held the counter while
// waiting for its client deadlocked with calls to the same client
// starting (TestCallStore_CallsStartWhileOthersEnd).
func lockCallContact(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, id warmline.CallID) (*callContact, error) {
	if err := ensurePrepared(ctx, tx); err != nil {
		return nil, err
	}
	k := &callContact{}
	if err := tx.GetContext(ctx, k, callForContact.run(org, id)); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("select call %d for its contact: %w", id, err)
	}
	return k, nil
}

// recordCallContact counts an ended call for its client (k, from
// lockCallContact), in the call's transaction (CallStore.EndCall): an
// answered call of at least the organisation's contact_min_seconds is a
// contact, any other an attempt; an inbound missed call raises a callback.
// A new client's first contact waits for the after-call outcome, and the
// objective funnel's default (rejected) applies once the wrap-up time
// passes. Then the client's rules are evaluated. Recording a call twice
// counts it once; a call without a client (k nil) counts for nobody.
func recordCallContact(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, id warmline.CallID, k *callContact) error {
	if k == nil {
		return nil
	}
	var talk float64
	if k.AnsweredAt != nil && k.EndedAt != nil {
		talk = k.EndedAt.Sub(*k.AnsweredAt).Seconds()
	}
	answered := k.Outcome != nil && *k.Outcome == string(warmline.OutcomeAnswered)
	contact := rules.IsContact(answered, talk, k.MinSeconds)
	counted := "attempt"
	if contact {
		counted = "contact"
	}
	var contactID int64
	if err := tx.GetContext(ctx, &contactID, insertCallContact.run(org, k.ClientID, counted, id, k.AgentID, k.EndedAt)); errors.Is(err, sql.ErrNoRows) {
		return nil // already recorded
	} else if err != nil {
		return fmt.Errorf("record contact of call %d: %w", id, err)
	}
	if err := countContact(ctx, tx, org, k.ClientID, contact, *k.EndedAt); err != nil {
		return err
	}
	now := engineNow()
	if contact && k.Contacts == 0 && k.Objective && k.StageKind == string(warmline.StageOpen) {
		due := k.EndedAt.Add(time.Duration(k.WrapUp) * time.Second)
		if _, err := tx.ExecContext(ctx, awaitOutcome.run(org, id, k.ClientID, k.StageID, due)); err != nil {
			return fmt.Errorf("await outcome of call %d: %w", id, err)
		}
	}
	sc := scope{org: org, clients: []warmline.ClientID{k.ClientID}}
	if k.Direction == string(warmline.CallInbound) && k.Outcome != nil && *k.Outcome == string(warmline.OutcomeMissed) {
		if _, err := tx.ExecContext(ctx, missedCallback.run(append(sc.args(now), id)...)); err != nil {
			return fmt.Errorf("callback for missed call %d: %w", id, err)
		}
	}
	_, err := evaluate(ctx, tx, now, sc)
	return err
}

// The statements of recordCallContact, kept prepared (prepared.go).
var (
	callForContact = prepared(`bigint, bigint`, `SELECT k.client_id, k.agent_id, k.direction, k.outcome, k.answered_at, k.ended_at,
			o.contact_min_seconds, o.objective_funnel, o.wrap_up_seconds, c.stage_id, s.kind, c.contacts
		FROM calls k JOIN organisations o ON o.id = k.org_id
		JOIN clients c ON c.org_id = k.org_id AND c.id = k.client_id AND c.deleted_at IS NULL
		JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
		WHERE k.org_id = $1 AND k.id = $2 AND k.status = 'ended'
		FOR UPDATE OF c`)
	insertCallContact = prepared(`bigint, bigint, text, bigint, bigint, timestamptz`,
		`INSERT INTO contacts (org_id, client_id, kind, counted, call_id, user_id, at) VALUES ($1, $2, 'call', $3, $4, $5, $6)
		ON CONFLICT (org_id, call_id) DO NOTHING RETURNING id`)
	awaitOutcome = prepared(`bigint, bigint, bigint, bigint, timestamptz`,
		`INSERT INTO call_outcomes (org_id, call_id, client_id, stage_id, due_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (org_id, call_id) DO NOTHING`)
	// missedCallback raises a callback for an inbound missed call ($5).
	missedCallback = prepared(scopeParams+`, bigint`, forClients(openItems(`SELECT c.org_id, c.id AS client_id, c.owner_id,
		'missed call ' || to_char(k.created_at AT TIME ZONE o.time_zone, 'YYYY-MM-DD HH24:MI') AS reason,
		k.created_at AS episode_at, true AS actions_done, false AS notify
	FROM calls k JOIN clients c ON c.org_id = k.org_id AND c.id = k.client_id JOIN organisations o ON o.id = k.org_id
	WHERE k.org_id = $2 AND k.id = $5 AND c.deleted_at IS NULL AND `+inScope, warmline.WorkCallback, "")))
)

// countContact adds a contact (or an attempt) at `at` to a client's
// counters, re-times its cooling (as refreshCooling would) and writes
// client.updated, in one statement: every version of a client row costs an
// entry in each of its indexes, and every round trip and plan counts on
// the path of a call that just ended.
func countContact(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, client warmline.ClientID, contact bool, at time.Time) error {
	st := countAttempt
	if contact {
		st = countTouch
	}
	var n int
	var orgs pq.Int64Array
	if err := tx.QueryRowxContext(ctx, st.run(org, client, at)).Scan(&n, &orgs); err != nil {
		return fmt.Errorf("count contact of client %d: %w", client, err)
	}
	wakeAfterCommit(tx, wakeOrgs(orgs)...)
	return nil
}

// countTouch and countAttempt are countContact's statements (prepared:
// the caller runs ensurePrepared).
var (
	countTouch = prepared(`bigint, bigint, timestamptz`, countSQL(`contacts = c.contacts + 1, stage_contacts = c.stage_contacts + 1,
			last_contact_at = GREATEST(c.last_contact_at, $3), first_contact_at = LEAST(c.first_contact_at, $3),
			(cooling_soon_at, cools_at) = (SELECT d.soon_at, d.cools_at FROM wl_deadlines(GREATEST(c.stage_entered_at, c.last_contact_at, $3),
				s.kind, s.cooling_period, s.cooling_unit, s.cooling_soon, s.cooling_soon_percent, o.time_zone,
				k.opens, k.closes, k.holidays) d)`))
	countAttempt = prepared(`bigint, bigint, timestamptz`, countSQL(`attempts = c.attempts + 1`))
)

func countSQL(set string) string {
	return `WITH c AS (UPDATE clients c SET ` + set + `, updated_at = clock_timestamp()
			FROM stages s, organisations o, wl_calendar($1) k
			WHERE c.org_id = $1 AND c.id = $2 AND s.org_id = c.org_id AND s.id = c.stage_id AND o.id = c.org_id
			RETURNING c.*),
		ev AS (SELECT c.org_id, 0 AS ord, '` + warmline.EventClientUpdated + `' AS type, ` + clientJSONAtNow + ` AS data FROM c)` + emitEvents
}

// ContactStore logs manual contacts, lists a client's contacts and takes
// the agent's after-call answer and next-action date.
type ContactStore struct{ db *DB }

// NewContactStore returns a ContactStore on db.
func NewContactStore(db *DB) *ContactStore { return &ContactStore{db: db} }

// AddContact logs a meeting, e-mail, message or call made outside
// Warmline as a contact of a visible client.
func (s *ContactStore) AddContact(ctx context.Context, client warmline.ClientID, in warmline.ContactInput) (*warmline.Contact, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	switch in.Kind {
	case warmline.ContactMeeting, warmline.ContactEmail, warmline.ContactMessage, warmline.ContactCall:
	default:
		return nil, warmline.FieldErrorf(warmline.EINVALID, "kind", "Kind must be meeting, email, message or call.")
	}
	note, err := warmline.CleanText(in.Note, "note", false, 2000)
	if err != nil {
		return nil, err
	}
	now := engineNow()
	at := now
	if in.At != nil {
		if in.At.After(now.Add(5*time.Minute)) || in.At.Before(now.AddDate(-1, 0, 0)) {
			return nil, warmline.FieldErrorf(warmline.EINVALID, "at", "A contact happens between a year ago and now.")
		}
		at = *in.At
	}
	var out warmline.Contact
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := findClient(ctx, tx, a, client, true); err != nil {
			return err
		}
		var id int64
		const q = `INSERT INTO contacts (org_id, client_id, kind, counted, user_id, note, at) VALUES ($1, $2, $3, 'contact', $4, $5, $6) RETURNING id`
		if err := tx.GetContext(ctx, &id, q, a.OrgID, client, in.Kind, actorID(a), note, at); err != nil {
			return fmt.Errorf("insert contact: %w", dbError(err))
		}
		if err := ensurePrepared(ctx, tx); err != nil {
			return err
		}
		if err := countContact(ctx, tx, a.OrgID, client, true, at); err != nil {
			return err
		}
		if _, err := evaluate(ctx, tx, now, scope{org: a.OrgID, clients: []warmline.ClientID{client}}); err != nil {
			return err
		}
		return tx.GetContext(ctx, &out, contactSelect+` WHERE t.org_id = $1 AND t.id = $2`, a.OrgID, id)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

const contactSelect = `SELECT t.id, t.client_id, t.kind, t.counted, t.call_id, t.user_id, COALESCE(u.name, '') AS user_name,
	t.note, t.at, t.created_at FROM contacts t LEFT JOIN users u ON u.org_id = t.org_id AND u.id = t.user_id`

// FindContacts returns a visible client's contacts and attempts, newest first.
func (s *ContactStore) FindContacts(ctx context.Context, client warmline.ClientID) ([]*warmline.Contact, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := findClient(ctx, s.db, a, client, false); err != nil {
		return nil, err
	}
	out := []*warmline.Contact{}
	if err := s.db.SelectContext(ctx, &out, contactSelect+` WHERE t.org_id = $1 AND t.client_id = $2 ORDER BY t.at DESC, t.id DESC LIMIT 500`, a.OrgID, client); err != nil {
		return nil, fmt.Errorf("select contacts of client %d: %w", client, err)
	}
	return out, nil
}

// SetNextAction sets (or, with nil, clears) when the agent means to act
// next on a visible client; a callback falls due then.
func (s *ContactStore) SetNextAction(ctx context.Context, client warmline.ClientID, at *time.Time) (*warmline.Client, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	var out *warmline.Client
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := findClient(ctx, tx, a, client, true); err != nil {
			return err
		}
		const q = `UPDATE clients SET next_action_at = $3, updated_at = clock_timestamp() WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, client, at); err != nil {
			return fmt.Errorf("set next action of client %d: %w", client, err)
		}
		if _, err := evaluate(ctx, tx, engineNow(), scope{org: a.OrgID, clients: []warmline.ClientID{client}}); err != nil {
			return err
		}
		if out, err = findClient(ctx, tx, a, client, false); err != nil {
			return err
		}
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventClientUpdated, out)
		return err
	})
	return out, err
}

// SetCallOutcome records the after-call answer on a call's client and
// applies it: rejected, keep, advance (the next open stage) or stage
// (stage_id). The call's agent or a supervisor answers, once.
func (s *ContactStore) SetCallOutcome(ctx context.Context, call warmline.CallID, in warmline.AfterCallInput) (*warmline.AfterCall, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if !rules.Outcome(in.Outcome).Valid() {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "outcome", "Outcome must be rejected, keep, advance or stage.")
	}
	if (in.Outcome == string(rules.OutcomeStage)) != (in.StageID != nil) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "stage_id", "Give stage_id with the outcome \"stage\", and only then.")
	}
	out := &warmline.AfterCall{CallID: call, Outcome: in.Outcome}
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var k struct {
			ClientID *warmline.ClientID `db:"client_id"`
			AgentID  *warmline.UserID   `db:"agent_id"`
		}
		err := tx.GetContext(ctx, &k, `SELECT client_id, agent_id FROM calls WHERE org_id = $1 AND id = $2`, a.OrgID, call)
		if err := notFound(err, fmt.Sprintf("Call %d not found.", call), "select call"); err != nil {
			return err
		}
		if k.ClientID == nil {
			return warmline.Errorf(warmline.EINVALID, "Call %d has no client to decide on.", call)
		}
		if !a.Can(warmline.RoleSupervisor) && (k.AgentID == nil || *k.AgentID != a.UserID) {
			return warmline.Errorf(warmline.ENOTFOUND, "Call %d not found.", call)
		}
		cur, err := findClient(ctx, tx, a, *k.ClientID, true)
		if err != nil {
			return err
		}
		var decided bool
		const qd = `SELECT EXISTS (SELECT 1 FROM call_outcomes WHERE org_id = $1 AND call_id = $2 AND decided_at IS NOT NULL)`
		if err := tx.GetContext(ctx, &decided, qd, a.OrgID, call); err != nil {
			return fmt.Errorf("check outcome of call %d: %w", call, err)
		} else if decided {
			return warmline.Errorf(warmline.ECONFLICT, "The outcome of call %d is already decided.", call)
		}
		to, err := outcomeStage(ctx, tx, a.OrgID, cur, rules.Outcome(in.Outcome), in.StageID)
		if err != nil {
			return err
		}
		const qo = `INSERT INTO call_outcomes (org_id, call_id, client_id, stage_id, outcome, to_stage_id, decided_by, decided_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, now())
			ON CONFLICT (org_id, call_id) DO UPDATE SET outcome = $5, to_stage_id = $6, decided_by = $7, decided_at = now()
			RETURNING decided_at`
		if err := tx.GetContext(ctx, &out.DecidedAt, qo, a.OrgID, call, cur.ID, cur.StageID, in.Outcome, to, actorID(a)); err != nil {
			return fmt.Errorf("record outcome of call %d: %w", call, err)
		}
		out.Client = *cur
		if to != nil {
			reason := fmt.Sprintf("after-call: %s (call %d)", in.Outcome, call)
			moved, err := moveClientTx(ctx, tx, a, cur.ID, *to, reason)
			if err != nil {
				return err
			}
			out.Client = *moved
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// outcomeStage is the stage an outcome moves a client to (nil: stays).
func outcomeStage(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, cur *warmline.Client, o rules.Outcome, stage *warmline.StageID) (*warmline.StageID, error) {
	var to warmline.StageID
	var q string
	switch o {
	case rules.OutcomeKeep:
		return nil, nil
	case rules.OutcomeStage:
		if err := checkRefs(ctx, tx, org, clientValues{StageID: *stage}); err != nil {
			return nil, err
		}
		return stage, nil
	case rules.OutcomeRejected:
		q = `SELECT id FROM stages WHERE org_id = $1 AND kind = 'rejected' AND deleted_at IS NULL AND $2::bigint > 0 ORDER BY position LIMIT 1`
	default: // advance
		q = `SELECT n.id FROM stages s JOIN stages n ON n.org_id = s.org_id AND n.deleted_at IS NULL AND n.position > s.position AND n.kind <> 'rejected'
			WHERE s.org_id = $1 AND s.id = $2 ORDER BY n.position LIMIT 1`
	}
	if err := tx.GetContext(ctx, &to, q, org, cur.StageID); errors.Is(err, sql.ErrNoRows) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "outcome", "The funnel has no stage for the outcome %q from here.", o)
	} else if err != nil {
		return nil, fmt.Errorf("find stage for outcome %s: %w", o, err)
	}
	return &to, nil
}

// jsonText encodes v for a jsonb parameter.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
