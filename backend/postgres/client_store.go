package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// ClientStore implements warmline.ClientService.
type ClientStore struct {
	db    *DB
	stmts *stmts // UpdateClient's, the live hub's busiest write
}

// NewClientStore returns a ClientStore on db.
func NewClientStore(db *DB) *ClientStore { return &ClientStore{db: db, stmts: newStmts(db)} }

var _ warmline.ClientService = (*ClientStore)(nil)

// clientVisible is the condition for client row c to be visible to the
// caller, with $1 = organisation, $2 = user, $3 = role: agents see only their
// own clients when the organisation says so.
const clientVisible = `($3 <> 'agent' OR c.owner_id = $2 OR NOT (SELECT agents_own_only FROM organisations WHERE id = $1))`

const clientColumns = `c.id, c.org_id, c.name, c.company, c.phones, c.email, c.channel, c.owner_id, c.stage_id,
	c.stage_entered_at, c.first_contact_at, c.last_contact_at, c.contacts, c.stage_contacts, c.attempts, c.notes,
	c.cooling_soon_at, c.cools_at, c.created_at, c.updated_at, c.next_action_at, c.handed_off,
	CASE WHEN c.cools_at IS NULL THEN 'none' WHEN c.cools_at <= now() THEN 'cooled'
		WHEN c.cooling_soon_at <= now() THEN 'soon' ELSE 'ok' END AS cooling_state`

// clientSelect reads live clients visible to the caller ($1-$3 as in clientVisible).
const clientSelect = `SELECT ` + clientColumns + ` FROM clients c
	WHERE c.org_id = $1 AND c.deleted_at IS NULL AND ` + clientVisible

// FindClient returns one client visible to the caller.
func (s *ClientStore) FindClient(ctx context.Context, id warmline.ClientID) (*warmline.Client, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	return findClient(ctx, s.db, a, id, false)
}

func findClient(ctx context.Context, q sqlx.QueryerContext, a warmline.Actor, id warmline.ClientID, lock bool) (*warmline.Client, error) {
	query := clientSelect + ` AND c.id = $4`
	if lock {
		query += ` FOR UPDATE OF c`
	}
	var c warmline.Client
	err := sqlx.GetContext(ctx, q, &c, query, a.OrgID, a.UserID, a.Role, id)
	if err := notFound(err, fmt.Sprintf("Client %d not found.", id), "select client"); err != nil {
		return nil, err
	}
	return &c, nil
}

// FindClients returns a page of the clients visible to the caller.
func (s *ClientStore) FindClients(ctx context.Context, f warmline.ClientFilter) (*warmline.ClientPage, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	country, err := orgCountry(ctx, s.db, a.OrgID)
	if err != nil {
		return nil, err
	}
	where, args, err := clientWhere(a, f, country)
	if err != nil {
		return nil, err
	}
	order, err := clientOrder(f)
	if err != nil {
		return nil, err
	}
	page := &warmline.ClientPage{Items: []*warmline.Client{}, Page: f.Page, PerPage: f.PerPage}
	// One snapshot for the total, the page and the last event, so that a
	// live view can tell which events its page already holds.
	err = s.db.inSnapshot(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &page.Total, `SELECT count(*) FROM clients c WHERE `+where, args...); err != nil {
			return fmt.Errorf("count clients: %w", err)
		}
		q := fmt.Sprintf(`SELECT %s FROM clients c WHERE %s ORDER BY %s LIMIT %d OFFSET %d`,
			clientColumns, where, order, f.PerPage, (f.Page-1)*f.PerPage)
		if err := tx.SelectContext(ctx, &page.Items, q, args...); err != nil {
			return fmt.Errorf("select clients: %w", err)
		}
		page.EventSeq, err = latestSeq(ctx, tx, a.OrgID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// ClientsForExport streams every client matching f (ignoring paging) to fn, in list order.
func (s *ClientStore) ClientsForExport(ctx context.Context, f warmline.ClientFilter, fn func(*warmline.Client) error) error {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return err
	}
	country, err := orgCountry(ctx, s.db, a.OrgID)
	if err != nil {
		return err
	}
	where, args, err := clientWhere(a, f, country)
	if err != nil {
		return err
	}
	order, err := clientOrder(f)
	if err != nil {
		return err
	}
	rows, err := s.db.QueryxContext(ctx, fmt.Sprintf(`SELECT %s FROM clients c WHERE %s ORDER BY %s`, clientColumns, where, order), args...)
	if err != nil {
		return fmt.Errorf("select clients for export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c warmline.Client
		if err := rows.StructScan(&c); err != nil {
			return fmt.Errorf("scan client for export: %w", err)
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

func orgCountry(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID) (string, error) {
	var country string
	if err := sqlx.GetContext(ctx, q, &country, `SELECT default_country FROM organisations WHERE id = $1`, org); err != nil {
		return "", fmt.Errorf("select country of organisation %d: %w", org, err)
	}
	return country, nil
}

// clientWhere builds the WHERE clause of a client list. Values always travel
// as parameters; only fixed SQL text is concatenated.
func clientWhere(a warmline.Actor, f warmline.ClientFilter, country string) (string, []any, error) {
	args := []any{a.OrgID, a.UserID, a.Role}
	conds := []string{`c.org_id = $1`, `c.deleted_at IS NULL`, clientVisible}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if len([]rune(q)) > 200 {
			return "", nil, warmline.FieldErrorf(warmline.EINVALID, "q", "The search text is too long.")
		}
		alts := []string{`lower(c.name || ' ' || c.company || ' ' || c.email) LIKE ` + arg("%"+escapeLike(strings.ToLower(q))+"%")}
		if looksLikePhone(q) {
			digits := phone.Digits(q)
			if e164, ok := phone.Normalize(q, country); ok && len(digits) >= 10 {
				// A whole number, typed in any format: an exact match on the
				// GIN-indexed phones array, combinable with the text index.
				b, _ := json.Marshal([]string{e164})
				alts = append(alts, `c.phones @> `+arg(string(b))+`::jsonb`)
			} else if len(digits) >= 3 {
				// Part of a number: a substring of any number's digits.
				alts = append(alts, `c.phone_digits LIKE `+arg("%"+digits+"%"))
				// "8 901 23..." or "0 20 79..." start with a trunk prefix that the stored digits lack.
				if len(digits) >= 4 && (digits[0] == '8' || digits[0] == '0') {
					alts = append(alts, `c.phone_digits LIKE `+arg("% "+digits[1:]+"%"))
				}
			}
		}
		conds = append(conds, "("+strings.Join(alts, " OR ")+")")
	}
	if f.StageID != 0 {
		conds = append(conds, `c.stage_id = `+arg(f.StageID))
	}
	if f.OwnerID != nil {
		if *f.OwnerID == 0 {
			conds = append(conds, `c.owner_id IS NULL`)
		} else {
			conds = append(conds, `c.owner_id = `+arg(*f.OwnerID))
		}
	}
	if f.Channel != "" {
		conds = append(conds, `c.channel = `+arg(f.Channel))
	}
	switch f.Cooling {
	case "":
	case warmline.CoolingNone:
		conds = append(conds, `c.cools_at IS NULL`)
	case warmline.CoolingCooled:
		conds = append(conds, `c.cools_at <= now()`)
	case warmline.CoolingSoonSt:
		conds = append(conds, `c.cools_at > now() AND c.cooling_soon_at <= now()`)
	case warmline.CoolingOK:
		conds = append(conds, `c.cooling_soon_at > now()`)
	default:
		return "", nil, warmline.FieldErrorf(warmline.EINVALID, "cooling", "Cooling must be none, ok, soon or cooled.")
	}
	return strings.Join(conds, " AND "), args, nil
}

func clientOrder(f warmline.ClientFilter) (string, error) {
	col := f.Sort
	if col == "" {
		col = "created_at"
	}
	valid := false
	for _, s := range warmline.ClientSorts {
		valid = valid || s == col
	}
	if !valid {
		return "", warmline.FieldErrorf(warmline.EINVALID, "sort", "Cannot sort by %q; use one of %s.", col, strings.Join(warmline.ClientSorts, ", "))
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	nulls := ""
	switch col {
	case "name", "company":
		col = "lower(c." + col + ")"
	case "last_contact_at", "cools_at":
		// Never-contacted and non-cooling clients go last either way.
		col, nulls = "c."+col, " NULLS LAST"
	default:
		col = "c." + col
	}
	// The id breaks ties so that pages never overlap; it is the last column
	// of the list indexes, so the index still gives the order.
	return col + " " + dir + nulls + ", c.id " + dir, nil
}

func looksLikePhone(q string) bool {
	for _, r := range q {
		if !strings.ContainsRune("0123456789+-() .", r) {
			return false
		}
	}
	return true
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindChannels lists the source channels of the caller's visible clients with their counts, largest first.
func (s *ClientStore) FindChannels(ctx context.Context) ([]warmline.ChannelCount, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	out := []warmline.ChannelCount{}
	const q = `SELECT c.channel AS name, count(*) AS clients FROM clients c
		WHERE c.org_id = $1 AND c.deleted_at IS NULL AND c.channel <> '' AND ` + clientVisible + `
		GROUP BY c.channel ORDER BY count(*) DESC, c.channel`
	if err := s.db.SelectContext(ctx, &out, q, a.OrgID, a.UserID, a.Role); err != nil {
		return nil, fmt.Errorf("select channels: %w", err)
	}
	return out, nil
}
