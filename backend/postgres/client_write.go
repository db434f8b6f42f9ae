package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// clientValues is a validated client ready to be written.
type clientValues struct {
	Name, Company, Email, Channel, Notes string
	Phones                               warmline.Phones
	OwnerID                              *warmline.UserID
	StageID                              warmline.StageID
}

// cleanClient validates in over cur (nil on create) and normalises phones
// to E.164 with the organisation's default country.
func cleanClient(in warmline.ClientInput, cur *warmline.Client, country string) (clientValues, error) {
	var v clientValues
	if cur != nil {
		v = clientValues{Name: cur.Name, Company: cur.Company, Email: cur.Email, Channel: cur.Channel,
			Notes: cur.Notes, Phones: cur.Phones, OwnerID: cur.OwnerID, StageID: cur.StageID}
	}
	var err error
	if in.Name != nil || cur == nil {
		if v.Name, err = warmline.CleanText(deref(in.Name), "name", true, 200); err != nil {
			return v, err
		}
	}
	if in.Company != nil {
		if v.Company, err = warmline.CleanText(*in.Company, "company", false, 200); err != nil {
			return v, err
		}
	}
	if in.Email != nil {
		if v.Email, err = warmline.CleanEmail(*in.Email, "email", false); err != nil {
			return v, err
		}
	}
	if in.Channel != nil {
		if v.Channel, err = warmline.CleanText(*in.Channel, "channel", false, 100); err != nil {
			return v, err
		}
	}
	if in.Notes != nil {
		if v.Notes, err = warmline.CleanText(*in.Notes, "notes", false, 20000); err != nil {
			return v, err
		}
	}
	if in.Phones != nil {
		if v.Phones, err = normalizePhones(*in.Phones, country); err != nil {
			return v, err
		}
	}
	if in.OwnerID != nil {
		v.OwnerID = in.OwnerID
		if *in.OwnerID == 0 {
			v.OwnerID = nil
		}
	}
	if in.StageID != nil {
		v.StageID = *in.StageID
	}
	return v, nil
}

func normalizePhones(raw []string, country string) (warmline.Phones, error) {
	if len(raw) > 10 {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "phones", "A client may have at most 10 phone numbers.")
	}
	out := warmline.Phones{}
	seen := map[string]bool{}
	for _, r := range raw {
		if strings.TrimSpace(r) == "" {
			continue
		}
		e, ok := phone.Normalize(r, country)
		if !ok {
			return nil, warmline.FieldErrorf(warmline.EINVALID, "phones", "%q is not a phone number.", r)
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

func phoneDigits(phones warmline.Phones) string {
	var b strings.Builder
	for _, p := range phones {
		for _, d := range phone.SearchDigits(p) {
			b.WriteString(" " + d)
		}
	}
	return b.String() + " "
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// checkRefs checks that the owner is an active user and the stage a live
// stage of the organisation, naming the field at fault.
func checkRefs(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, v clientValues) error {
	if v.OwnerID != nil {
		if err := checkOwner(ctx, tx, org, *v.OwnerID); err != nil {
			return err
		}
	}
	var ok bool
	const q = `SELECT EXISTS (SELECT 1 FROM stages WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL)`
	if err := tx.GetContext(ctx, &ok, q, org, v.StageID); err != nil {
		return fmt.Errorf("check stage: %w", err)
	} else if !ok {
		return warmline.FieldErrorf(warmline.EINVALID, "stage_id", "Stage %d not found.", v.StageID)
	}
	return nil
}

// checkOwner checks that a client's owner is an active user of the organisation.
func checkOwner(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, owner warmline.UserID) error {
	var ok bool
	const q = `SELECT EXISTS (SELECT 1 FROM users WHERE org_id = $1 AND id = $2 AND active)`
	if err := tx.GetContext(ctx, &ok, q, org, owner); err != nil {
		return fmt.Errorf("check owner: %w", err)
	} else if !ok {
		return warmline.FieldErrorf(warmline.EINVALID, "owner_id", "User %d is not an active user of your organisation.", owner)
	}
	return nil
}

// firstOpenStage is where new clients start by default.
func firstOpenStage(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID) (warmline.StageID, error) {
	var id warmline.StageID
	const qs = `SELECT id FROM stages WHERE org_id = $1 AND deleted_at IS NULL AND kind = 'open' ORDER BY position LIMIT 1`
	if err := sqlx.GetContext(ctx, q, &id, qs, org); err != nil {
		return 0, fmt.Errorf("find first open stage: %w", err)
	}
	return id, nil
}

// setPhones makes client_phones hold exactly the client's numbers. A number
// that belongs to another live client of the organisation is a conflict
// naming that client.
func setPhones(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, id warmline.ClientID, phones warmline.Phones) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM client_phones WHERE org_id = $1 AND client_id = $2`, org, id); err != nil {
		return fmt.Errorf("clear phones of client %d: %w", id, err)
	}
	for _, p := range phones {
		var owner struct {
			ID   warmline.ClientID `db:"id"`
			Name string            `db:"name"`
		}
		const qo = `SELECT c.id, c.name FROM client_phones p JOIN clients c ON c.org_id = p.org_id AND c.id = p.client_id
			WHERE p.org_id = $1 AND p.phone = $2`
		err := tx.GetContext(ctx, &owner, qo, org, p)
		if err == nil {
			return warmline.FieldErrorf(warmline.ECONFLICT, "phones", "%s already belongs to client %q (#%d).", p, owner.Name, owner.ID)
		} else if err := notFound(err, "", "find owner of phone"); warmline.ErrorCode(err) != warmline.ENOTFOUND {
			return err
		}
		// A concurrent insert of the same number still fails here, on the primary key.
		const qi = `INSERT INTO client_phones (org_id, phone, client_id) VALUES ($1, $2, $3)`
		if _, err := tx.ExecContext(ctx, qi, org, p, id); err != nil {
			return fmt.Errorf("insert phone of client %d: %w", id, dbError(err))
		}
	}
	return nil
}

// CreateClient adds a client. Agents own the clients they create unless
// they name another owner.
func (s *ClientStore) CreateClient(ctx context.Context, in warmline.ClientInput) (*warmline.Client, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	var out *warmline.Client
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		id, err := createClient(ctx, tx, a, in, "created")
		if err != nil {
			return err
		}
		if out, err = findClient(ctx, tx, a, id, false); err != nil {
			return err
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventClientCreated, out)
		return err
	})
	return out, err
}

// createClient validates and inserts one client with its phones, first
// transition and cooling deadlines, in tx. It writes no event: a single
// create writes one per client, an import one for the batch.
func createClient(ctx context.Context, tx *sqlx.Tx, a warmline.Actor, in warmline.ClientInput, reason string) (warmline.ClientID, error) {
	var org struct {
		Country string `db:"default_country"`
		OwnOnly bool   `db:"agents_own_only"`
	}
	if err := tx.GetContext(ctx, &org, `SELECT default_country, agents_own_only FROM organisations WHERE id = $1`, a.OrgID); err != nil {
		return 0, fmt.Errorf("select organisation settings: %w", err)
	}
	v, err := cleanClient(in, nil, org.Country)
	if err != nil {
		return 0, err
	}
	if a.Role == warmline.RoleAgent && !a.System {
		if v.OwnerID == nil && in.OwnerID == nil {
			v.OwnerID = actorID(a)
		} else if org.OwnOnly && (v.OwnerID == nil || *v.OwnerID != a.UserID) {
			return 0, warmline.FieldErrorf(warmline.EFORBIDDEN, "owner_id", "Agents of this organisation may only create clients they own.")
		}
	}
	if v.StageID == 0 {
		if v.StageID, err = firstOpenStage(ctx, tx, a.OrgID); err != nil {
			return 0, err
		}
	}
	if err := checkRefs(ctx, tx, a.OrgID, v); err != nil {
		return 0, err
	}
	var id warmline.ClientID
	const q = `INSERT INTO clients (org_id, name, company, phones, phone_digits, email, channel, owner_id, stage_id, notes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`
	if err := tx.GetContext(ctx, &id, q, a.OrgID, v.Name, v.Company, v.Phones, phoneDigits(v.Phones), v.Email, v.Channel, v.OwnerID, v.StageID, v.Notes); err != nil {
		return 0, fmt.Errorf("insert client: %w", dbError(err))
	}
	if err := setPhones(ctx, tx, a.OrgID, id, v.Phones); err != nil {
		return 0, err
	}
	const qt = `INSERT INTO stage_transitions (org_id, client_id, from_stage_id, to_stage_id, actor_id, reason) VALUES ($1, $2, NULL, $3, $4, $5)`
	if _, err := tx.ExecContext(ctx, qt, a.OrgID, id, v.StageID, actorID(a), reason); err != nil {
		return 0, fmt.Errorf("record first stage of client %d: %w", id, err)
	}
	return id, refreshCooling(ctx, tx, a.OrgID, coolingFilter{clients: []warmline.ClientID{id}})
}

// DeleteClient soft-deletes a client (supervisors and admins). Its numbers
// are released so that a new client may take them; its history stays.
func (s *ClientStore) DeleteClient(ctx context.Context, id warmline.ClientID) error {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := findClient(ctx, tx, a, id, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET deleted_at = now(), updated_at = clock_timestamp() WHERE org_id = $1 AND id = $2`, a.OrgID, id); err != nil {
			return fmt.Errorf("delete client %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM client_phones WHERE org_id = $1 AND client_id = $2`, a.OrgID, id); err != nil {
			return fmt.Errorf("release phones of client %d: %w", id, err)
		}
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventClientDeleted, map[string]any{"id": id})
		return err
	})
}

// MoveClient puts a client in another stage, recording who moved it and
// why. Moving to the stage it is in changes nothing.
func (s *ClientStore) MoveClient(ctx context.Context, id warmline.ClientID, to warmline.StageID, reason string) (*warmline.Client, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if reason, err = warmline.CleanText(reason, "reason", false, 500); err != nil {
		return nil, err
	}
	if to == 0 {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "stage_id", "Choose the stage to move the client to.")
	}
	var out *warmline.Client
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		out, err = moveClientTx(ctx, tx, a, id, to, reason)
		return err
	})
	return out, err
}

// moveClientTx moves a client in tx (see MoveClient) and runs the rules
// engine on it: a move restarts its cooling and closes what no longer applies.
func moveClientTx(ctx context.Context, tx *sqlx.Tx, a warmline.Actor, id warmline.ClientID, to warmline.StageID, reason string) (*warmline.Client, error) {
	cur, err := findClient(ctx, tx, a, id, true)
	if err != nil {
		return nil, err
	}
	if cur.StageID == to {
		return cur, nil
	}
	if err := checkRefs(ctx, tx, a.OrgID, clientValues{StageID: to}); err != nil {
		return nil, err
	}
	const q = `UPDATE clients SET stage_id = $3, stage_entered_at = now(), stage_contacts = 0, updated_at = clock_timestamp()
		WHERE org_id = $1 AND id = $2`
	if _, err := tx.ExecContext(ctx, q, a.OrgID, id, to); err != nil {
		return nil, fmt.Errorf("move client %d: %w", id, err)
	}
	const qt = `INSERT INTO stage_transitions (org_id, client_id, from_stage_id, to_stage_id, actor_id, reason) VALUES ($1, $2, $3, $4, $5, $6)`
	if _, err := tx.ExecContext(ctx, qt, a.OrgID, id, cur.StageID, to, actorID(a), reason); err != nil {
		return nil, fmt.Errorf("record move of client %d: %w", id, err)
	}
	if err := refreshCooling(ctx, tx, a.OrgID, coolingFilter{clients: []warmline.ClientID{id}}); err != nil {
		return nil, err
	}
	out, err := findClient(ctx, tx, a, id, false)
	if err != nil {
		return nil, err
	}
	if _, err = appendEvent(ctx, tx, a.OrgID, warmline.EventClientMoved, map[string]any{
		"client": out, "from_stage_id": cur.StageID, "to_stage_id": to, "reason": reason}); err != nil {
		return nil, err
	}
	_, err = evaluate(ctx, tx, time.Now(), scope{org: a.OrgID, clients: []warmline.ClientID{id}})
	return out, err
}

// FindTransitions returns a visible client's stage history, oldest first.
func (s *ClientStore) FindTransitions(ctx context.Context, id warmline.ClientID) ([]*warmline.Transition, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := findClient(ctx, s.db, a, id, false); err != nil {
		return nil, err
	}
	out := []*warmline.Transition{}
	const q = `SELECT t.id, t.client_id, t.from_stage_id, t.to_stage_id, t.actor_id, t.reason, t.created_at,
			COALESCE(fs.name, '') AS from_stage_name, COALESCE(ts.name, '') AS to_stage_name, COALESCE(u.name, '') AS actor_name
		FROM stage_transitions t
		LEFT JOIN stages fs ON fs.org_id = t.org_id AND fs.id = t.from_stage_id
		LEFT JOIN stages ts ON ts.org_id = t.org_id AND ts.id = t.to_stage_id
		LEFT JOIN users u ON u.org_id = t.org_id AND u.id = t.actor_id
		WHERE t.org_id = $1 AND t.client_id = $2 ORDER BY t.created_at, t.id`
	if err := s.db.SelectContext(ctx, &out, q, a.OrgID, id); err != nil {
		return nil, fmt.Errorf("select transitions of client %d: %w", id, err)
	}
	return out, nil
}
