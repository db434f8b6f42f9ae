package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/warmline"
)

// UpdateClient changes a client's details; the stage changes only through MoveClient.
//
// It is the live hub's busiest write, and on this machine a round trip to
// Postgres is most of its cost (≈ 45 µs of Postgres CPU and 65 µs of ours
// for an empty one, mostly the two wake-ups; BenchmarkUpdateClient). So a
// change of name, company, e-mail, channel or notes takes two: it reads the
// client (readClientSQL), checks and merges the change here, and writes the
// row and its event in one statement that commits by itself
// (updateClientSQL), on condition that the row is still the version it read
// (xmin). When someone changed the client in between, it reads again; after
// a few such misses it takes the row lock instead. A change of phones or
// owner, which needs statements more (the numbers' table, the owner's
// check), always runs in a transaction with the row locked.
//
// updated_at is the database's clock_timestamp() when the client was read,
// and always later than the version it replaces: two writes to one client
// then carry times in the order they commit (each writes over the version
// the one before committed), which browsers rely on to drop stale live updates.
func (s *ClientStore) UpdateClient(ctx context.Context, id warmline.ClientID, in warmline.ClientInput) (*warmline.Client, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if in.StageID != nil {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "stage_id", "Move a client to another stage with POST /clients/%d/move.", id)
	}
	// Prepared before any transaction begins (see stmts).
	var prep [3]*sqlx.Stmt
	for i, q := range []string{readClientSQL, readClientSQL + lockClientClause, updateClientSQL} {
		if prep[i], err = s.stmts.prepared(ctx, q); err != nil {
			return nil, fmt.Errorf("update client %d: %w", id, err)
		}
	}
	if in.Phones == nil && in.OwnerID == nil {
		for range optimisticTries {
			cur, err := readClientToUpdate(ctx, prep[0], a, id)
			if err != nil {
				return nil, err
			}
			w, err := prepareClientUpdate(a, cur, in)
			if err != nil {
				return nil, err
			}
			if err := w.run(ctx, prep[2], a, id); errors.Is(err, errClientChanged) {
				continue
			} else if err != nil {
				return nil, err
			}
			s.db.wakes.wake([]warmline.OrgID{a.OrgID})
			return w.out, nil
		}
	}
	var out *warmline.Client
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := readClientToUpdate(ctx, tx.StmtxContext(ctx, prep[1]), a, id)
		if err != nil {
			return err
		}
		w, err := prepareClientUpdate(a, cur, in)
		if err != nil {
			return err
		}
		// The owner is checked only when it changes: a client of someone
		// since deactivated stays editable.
		if in.OwnerID != nil && w.out.OwnerID != nil {
			if err := checkOwner(ctx, tx, a.OrgID, *w.out.OwnerID); err != nil {
				return err
			}
		}
		if err := w.run(ctx, tx.StmtxContext(ctx, prep[2]), a, id); err != nil {
			return err // the row is locked: never errClientChanged
		}
		if in.Phones != nil {
			if err := setPhones(ctx, tx, a.OrgID, id, w.out.Phones); err != nil {
				return err
			}
		}
		wakeAfterCommit(tx, a.OrgID)
		out = w.out
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// optimisticTries is how many times UpdateClient writes over the version
// it read before it takes the row lock: a client edited by several people
// at the same moment is rare, and a miss costs two round trips.
const optimisticTries = 3

// errClientChanged: the client is no longer the version read.
var errClientChanged = errors.New("client changed since it was read")

// clientToUpdate is a client read for an update, with what the update
// checks (the organisation's settings, whether the client's stage is live),
// the version read and the time the update will carry.
type clientToUpdate struct {
	warmline.Client
	Country   string    `db:"default_country"`
	OwnOnly   bool      `db:"agents_own_only"`
	StageLive bool      `db:"stage_live"`
	Version   string    `db:"row_version"`
	Now       time.Time `db:"read_at"`
}

// readClientSQL reads a client visible to the caller ($1-$3 as in
// clientVisible, $4 the client) with the organisation's settings, its
// stage's liveness, its row version and the database's clock, in one
// statement. lockClientClause appended locks it.
const readClientSQL = `SELECT ` + clientColumns + `, o.default_country, o.agents_own_only,
		EXISTS (SELECT 1 FROM stages s WHERE s.org_id = c.org_id AND s.id = c.stage_id AND s.deleted_at IS NULL) AS stage_live,
		c.xmin::text AS row_version, clock_timestamp() AS read_at
	FROM clients c JOIN organisations o ON o.id = c.org_id
	WHERE c.org_id = $1 AND c.deleted_at IS NULL AND ($3 <> 'agent' OR c.owner_id = $2 OR NOT o.agents_own_only) AND c.id = $4`

const lockClientClause = `
	FOR UPDATE OF c`

// readClientToUpdate runs readClientSQL (with or without the lock).
func readClientToUpdate(ctx context.Context, st *sqlx.Stmt, a warmline.Actor, id warmline.ClientID) (*clientToUpdate, error) {
	var c clientToUpdate
	err := st.GetContext(ctx, &c, a.OrgID, a.UserID, a.Role, id)
	if err := notFound(err, fmt.Sprintf("Client %d not found.", id), "read client"); err != nil {
		return nil, err
	}
	return &c, nil
}

// clientUpdate is a checked change of a client: the row as it will be and
// everything updateClientSQL writes.
type clientUpdate struct {
	out     *warmline.Client
	digits  *string // the phones' search digits; nil: the phones are unchanged
	version string
	event   []byte
}

// prepareClientUpdate checks in against cur and builds the new row and
// its event.
func prepareClientUpdate(a warmline.Actor, cur *clientToUpdate, in warmline.ClientInput) (*clientUpdate, error) {
	v, err := cleanClient(in, &cur.Client, cur.Country)
	if err != nil {
		return nil, err
	}
	if in.OwnerID != nil && a.Role == warmline.RoleAgent && cur.OwnOnly {
		return nil, warmline.FieldErrorf(warmline.EFORBIDDEN, "owner_id", "Agents of this organisation may not reassign clients.")
	}
	if !cur.StageLive {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "stage_id", "Stage %d not found.", cur.StageID)
	}
	w := &clientUpdate{version: cur.Version}
	// The search digits of phones left as they were are left too: parsing
	// every phone again cost a notes edit ~25 µs.
	if in.Phones != nil {
		d := phoneDigits(v.Phones)
		w.digits = &d
	}
	out := cur.Client
	out.Name, out.Company, out.Email, out.Channel, out.Notes = v.Name, v.Company, v.Email, v.Channel, v.Notes
	out.Phones, out.OwnerID = v.Phones, v.OwnerID
	out.UpdatedAt = cur.Now.Truncate(time.Microsecond) // what timestamptz keeps
	if !out.UpdatedAt.After(cur.UpdatedAt) {
		out.UpdatedAt = cur.UpdatedAt.Add(time.Microsecond)
	}
	w.out = &out
	if w.event, err = json.Marshal(&out); err != nil {
		return nil, fmt.Errorf("encode %s event: %w", warmline.EventClientUpdated, err)
	}
	return w, nil
}

// updateClientSQL writes a client's details ($3-$11; $6, the phones' search
// digits, null when the phones are unchanged) over the version read ($12)
// and appends its event ($13, $14) as appendEventSQL does, in one
// statement. No row: the client is no longer that version.
const updateClientSQL = `
	WITH u AS (
		UPDATE clients c SET name = $3, company = $4, phones = $5, phone_digits = COALESCE($6, c.phone_digits), email = $7, channel = $8,
			owner_id = $9, notes = $10, updated_at = $11
		WHERE c.org_id = $1 AND c.id = $2 AND c.xmin = $12::xid
		RETURNING c.org_id
	), next AS (
		UPDATE event_counters k SET last_seq = k.last_seq + 1 FROM u WHERE k.org_id = u.org_id RETURNING k.last_seq
	)
	INSERT INTO events (org_id, seq, type, data) SELECT $1, last_seq, $13, $14 FROM next RETURNING seq`

// run writes w with updateClientSQL: errClientChanged when the client is
// no longer the version read.
func (w *clientUpdate) run(ctx context.Context, st *sqlx.Stmt, a warmline.Actor, id warmline.ClientID) error {
	o := w.out
	var seq int64 // the event's; unused, but the statement answers a row only when it wrote
	err := st.GetContext(ctx, &seq, a.OrgID, id, o.Name, o.Company, o.Phones, w.digits, o.Email, o.Channel, o.OwnerID, o.Notes,
		o.UpdatedAt, w.version, warmline.EventClientUpdated, string(w.event))
	if errors.Is(err, sql.ErrNoRows) {
		return errClientChanged
	}
	if err != nil {
		return fmt.Errorf("update client %d: %w", id, dbError(err))
	}
	return nil
}
