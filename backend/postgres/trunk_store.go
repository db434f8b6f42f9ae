package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// TrunkStore implements warmline.TrunkService: the organisation's SIP
// trunks and lines (DIDs), for admins. A trunk's password is written,
// never read back: the API's Trunk has no password field, HasPassword
// says whether one is set.
type TrunkStore struct{ db *DB }

// NewTrunkStore returns a TrunkStore on db.
func NewTrunkStore(db *DB) *TrunkStore { return &TrunkStore{db: db} }

var _ warmline.TrunkService = (*TrunkStore)(nil)

// trunkColumns read a trunk without its password (t is the trunk).
const trunkColumns = `t.id, t.org_id, t.name, t.host, t.port, t.transport, t.auth_mode, t.username,
	t.register_expires, t.outbound_proxy, t.caller_id, t.codecs, t.allowed_sources, t.enabled,
	t.created_at, t.updated_at, t.password <> '' AS has_password`

// trunkRow scans a trunk: the arrays need pq's types, and the password
// is read only where the gateway needs it (LoadTrunks).
type trunkRow struct {
	warmline.Trunk
	HasPassword    bool           `db:"has_password"`
	Codecs         pq.StringArray `db:"codecs"`
	AllowedSources pq.StringArray `db:"allowed_sources"`
}

func (r *trunkRow) trunk() *warmline.Trunk {
	t := r.Trunk
	t.HasPassword = r.HasPassword
	t.Codecs, t.AllowedSources = []string(r.Codecs), []string(r.AllowedSources)
	if t.AllowedSources == nil {
		t.AllowedSources = []string{}
	}
	return &t
}

const lineColumns = `l.id, l.org_id, l.number, l.name, l.channel_id, l.trunk_id, l.created_at`

// FindTrunks lists the organisation's trunks (admins only), by name.
func (s *TrunkStore) FindTrunks(ctx context.Context) ([]*warmline.Trunk, error) {
	a, err := adminActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []trunkRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+trunkColumns+` FROM trunks t WHERE t.org_id = $1 ORDER BY lower(t.name), t.id`, a.OrgID); err != nil {
		return nil, fmt.Errorf("select trunks: %w", err)
	}
	out := make([]*warmline.Trunk, len(rows))
	for i := range rows {
		out[i] = rows[i].trunk()
	}
	return out, nil
}

// FindTrunk returns one of the organisation's trunks (admins only).
func (s *TrunkStore) FindTrunk(ctx context.Context, id warmline.TrunkID) (*warmline.Trunk, error) {
	a, err := adminActor(ctx)
	if err != nil {
		return nil, err
	}
	return findTrunk(ctx, s.db, a.OrgID, id, false)
}

func findTrunk(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID, id warmline.TrunkID, lock bool) (*warmline.Trunk, error) {
	query := `SELECT ` + trunkColumns + `, t.password FROM trunks t WHERE t.org_id = $1 AND t.id = $2`
	if lock {
		query += ` FOR UPDATE`
	}
	var r trunkRow
	err := sqlx.GetContext(ctx, q, &r, query, org, id)
	if err := notFound(err, fmt.Sprintf("Trunk %d not found.", id), "select trunk"); err != nil {
		return nil, err
	}
	return r.trunk(), nil
}

func adminActor(ctx context.Context) (warmline.Actor, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return a, err
	}
	return a, a.Require(warmline.RoleAdmin)
}

// CreateTrunk adds a trunk; zero fields take their defaults (port 5060,
// udp, ip authentication, G.711 both laws, registration every 300 s).
func (s *TrunkStore) CreateTrunk(ctx context.Context, t *warmline.Trunk) (*warmline.Trunk, error) {
	a, err := adminActor(ctx)
	if err != nil {
		return nil, err
	}
	var out *warmline.Trunk
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		in := *t
		if err := checkTrunk(ctx, tx, a.OrgID, &in, ""); err != nil {
			return err
		}
		const q = `INSERT INTO trunks (org_id, name, host, port, transport, auth_mode, username, password, register_expires,
				outbound_proxy, caller_id, codecs, allowed_sources, enabled)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`
		var id warmline.TrunkID
		if err := tx.GetContext(ctx, &id, q, a.OrgID, in.Name, in.Host, in.Port, in.Transport, in.AuthMode, in.Username, in.Password,
			in.RegisterExpires, in.OutboundProxy, in.CallerID, pq.StringArray(in.Codecs), pq.StringArray(in.AllowedSources), in.Enabled); err != nil {
			return trunkError(err, "insert trunk")
		}
		return s.trunkChanged(ctx, tx, a.OrgID, id, &out)
	})
	return out, err
}

// UpdateTrunk replaces a trunk's settings with t's; an empty password
// keeps the stored one (the browser never has it to send back).
func (s *TrunkStore) UpdateTrunk(ctx context.Context, t *warmline.Trunk) (*warmline.Trunk, error) {
	a, err := adminActor(ctx)
	if err != nil {
		return nil, err
	}
	var out *warmline.Trunk
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := findTrunk(ctx, tx, a.OrgID, t.ID, true)
		if err != nil {
			return err
		}
		in := *t
		if err := checkTrunk(ctx, tx, a.OrgID, &in, cur.Password); err != nil {
			return err
		}
		const q = `UPDATE trunks SET name = $3, host = $4, port = $5, transport = $6, auth_mode = $7, username = $8,
				password = $9, register_expires = $10, outbound_proxy = $11, caller_id = $12, codecs = $13,
				allowed_sources = $14, enabled = $15, updated_at = now()
			WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, t.ID, in.Name, in.Host, in.Port, in.Transport, in.AuthMode, in.Username, in.Password,
			in.RegisterExpires, in.OutboundProxy, in.CallerID, pq.StringArray(in.Codecs), pq.StringArray(in.AllowedSources), in.Enabled); err != nil {
			return trunkError(err, "update trunk")
		}
		return s.trunkChanged(ctx, tx, a.OrgID, t.ID, &out)
	})
	return out, err
}

// DeleteTrunk removes a trunk; its lines stay, without a trunk, and its
// calls keep their records.
func (s *TrunkStore) DeleteTrunk(ctx context.Context, id warmline.TrunkID) error {
	a, err := adminActor(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM trunks WHERE org_id = $1 AND id = $2`, a.OrgID, id)
		if err != nil {
			return fmt.Errorf("delete trunk %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return warmline.Errorf(warmline.ENOTFOUND, "Trunk %d not found.", id)
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventTrunkChanged, map[string]any{"id": id})
		return err
	})
}

// trunkChanged reads the written trunk into out and announces it.
func (s *TrunkStore) trunkChanged(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, id warmline.TrunkID, out **warmline.Trunk) error {
	t, err := findTrunk(ctx, tx, org, id, false)
	if err != nil {
		return err
	}
	t.Password = "" // never leaves the store through the API
	*out = t
	_, err = appendEvent(ctx, tx, org, warmline.EventTrunkChanged, map[string]any{"id": id})
	return err
}

func trunkError(err error, action string) error {
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" && pe.Constraint == "trunks_org_name_key" {
		return warmline.FieldErrorf(warmline.ECONFLICT, "name", "A trunk with this name already exists.")
	}
	return fmt.Errorf("%s: %w", action, dbError(err))
}

// hostname is a DNS name: dot-separated labels of letters, digits and
// hyphens, none starting or ending with a hyphen (RFC 1123).
var hostname = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$`)

func validHost(h string) bool {
	return len(h) <= 253 && (net.ParseIP(h) != nil || hostname.MatchString(h))
}

// checkTrunk validates t, fills defaults and normalises it in place;
// stored is the trunk's current password (kept when t has none).
func checkTrunk(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, t *warmline.Trunk, stored string) error {
	var err error
	if t.Name, err = warmline.CleanText(t.Name, "name", true, 100); err != nil {
		return err
	}
	t.Host = strings.TrimSpace(t.Host)
	if !validHost(t.Host) {
		return warmline.FieldErrorf(warmline.EINVALID, "host", "The host must be a domain name or an IP address, such as sip.example.com.")
	}
	if t.Port == 0 {
		t.Port = 5060
	} else if t.Port < 1 || t.Port > 65535 {
		return warmline.FieldErrorf(warmline.EINVALID, "port", "The port must be from 1 to 65535.")
	}
	switch t.Transport {
	case "":
		t.Transport = "udp"
	case "udp", "tcp":
	default:
		return warmline.FieldErrorf(warmline.EINVALID, "transport", "The transport must be udp or tcp.")
	}
	if t.Username, err = warmline.CleanText(t.Username, "username", false, 200); err != nil {
		return err
	}
	if len(t.Password) > 200 {
		return warmline.FieldErrorf(warmline.EINVALID, "password", "The password may be at most 200 characters.")
	}
	if t.Password == "" {
		t.Password = stored
	}
	switch t.AuthMode {
	case "":
		t.AuthMode = "ip"
	case "ip":
	case "register":
		if t.Username == "" {
			return warmline.FieldErrorf(warmline.EINVALID, "username", "Registration needs the username the provider gave you.")
		}
		if t.Password == "" {
			return warmline.FieldErrorf(warmline.EINVALID, "password", "Registration needs the password the provider gave you.")
		}
	default:
		return warmline.FieldErrorf(warmline.EINVALID, "auth_mode", "Authentication is register (username and password) or ip (the provider knows our address).")
	}
	if t.RegisterExpires == 0 {
		t.RegisterExpires = 300
	} else if t.RegisterExpires < 60 || t.RegisterExpires > 86400 {
		return warmline.FieldErrorf(warmline.EINVALID, "register_expires", "Registration must be renewed every 60 to 86400 seconds.")
	}
	t.OutboundProxy = strings.TrimSpace(t.OutboundProxy)
	if t.OutboundProxy != "" {
		host, port := t.OutboundProxy, ""
		if h, p, err := net.SplitHostPort(t.OutboundProxy); err == nil {
			host, port = h, p
		}
		n, perr := strconv.Atoi(port)
		if !validHost(host) || (port != "" && (perr != nil || n < 1 || n > 65535)) || len(t.OutboundProxy) > 300 {
			return warmline.FieldErrorf(warmline.EINVALID, "outbound_proxy", "The outbound proxy must be host or host:port, such as proxy.example.com:5060.")
		}
	}
	if t.CallerID = strings.TrimSpace(t.CallerID); t.CallerID != "" {
		country, err := orgCountry(ctx, tx, org)
		if err != nil {
			return err
		}
		e164, ok := phone.Normalize(t.CallerID, country)
		if !ok {
			return warmline.FieldErrorf(warmline.EINVALID, "caller_id", "%q is not a phone number.", t.CallerID)
		}
		t.CallerID = e164
	}
	if t.Codecs == nil {
		t.Codecs = []string{"PCMU", "PCMA"}
	}
	t.Codecs, t.AllowedSources = slices.Clone(t.Codecs), slices.Clone(t.AllowedSources) // normalised below, not in the caller's slices
	if len(t.Codecs) == 0 {
		return warmline.FieldErrorf(warmline.EINVALID, "codecs", "Choose at least one codec.")
	}
	seen := map[string]bool{}
	for i, c := range t.Codecs {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c != "PCMU" && c != "PCMA" {
			return warmline.FieldErrorf(warmline.EINVALID, "codecs", "Codec %q is not supported; the gateway passes G.711 through (PCMU, PCMA).", t.Codecs[i])
		}
		if seen[c] {
			return warmline.FieldErrorf(warmline.EINVALID, "codecs", "Codec %s is listed twice.", c)
		}
		seen[c], t.Codecs[i] = true, c
	}
	if t.AllowedSources == nil {
		t.AllowedSources = []string{}
	}
	if len(t.AllowedSources) > 100 {
		return warmline.FieldErrorf(warmline.EINVALID, "allowed_sources", "At most 100 allowed sources.")
	}
	for i, src := range t.AllowedSources {
		src = strings.TrimSpace(src)
		if ip := net.ParseIP(src); ip != nil {
			t.AllowedSources[i] = ip.String()
		} else if _, n, err := net.ParseCIDR(src); err == nil {
			t.AllowedSources[i] = n.String()
		} else {
			return warmline.FieldErrorf(warmline.EINVALID, "allowed_sources", "%q is not an IP address or a CIDR range such as 203.0.113.0/24.", src)
		}
	}
	return nil
}

// FindLines lists the organisation's lines (supervisors and admins), by number.
func (s *TrunkStore) FindLines(ctx context.Context) ([]*warmline.Line, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, err
	}
	out := []*warmline.Line{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+lineColumns+` FROM lines l WHERE l.org_id = $1 ORDER BY l.number`, a.OrgID); err != nil {
		return nil, fmt.Errorf("select lines: %w", err)
	}
	return out, nil
}

// FindLine returns one of the organisation's lines.
func (s *TrunkStore) FindLine(ctx context.Context, id int64) (*warmline.Line, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, err
	}
	var l warmline.Line
	err = s.db.GetContext(ctx, &l, `SELECT `+lineColumns+` FROM lines l WHERE l.org_id = $1 AND l.id = $2`, a.OrgID, id)
	if err := notFound(err, fmt.Sprintf("Line %d not found.", id), "select line"); err != nil {
		return nil, err
	}
	return &l, nil
}

// CreateLine adds a phone number to the organisation.
func (s *TrunkStore) CreateLine(ctx context.Context, l *warmline.Line) (*warmline.Line, error) {
	a, err := adminActor(ctx)
	if err != nil {
		return nil, err
	}
	var out warmline.Line
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		in := *l
		if err := checkLine(ctx, tx, a.OrgID, &in); err != nil {
			return err
		}
		const q = `INSERT INTO lines (org_id, number, name, channel_id, trunk_id) VALUES ($1, $2, $3, $4, $5)
			RETURNING id, org_id, number, name, channel_id, trunk_id, created_at`
		if err := tx.GetContext(ctx, &out, q, a.OrgID, in.Number, in.Name, in.ChannelID, in.TrunkID); err != nil {
			return lineError(err, "insert line")
		}
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventTrunkChanged, map[string]any{"id": lineTrunk(&out)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateLine replaces a line's number, name, channel and trunk with l's.
func (s *TrunkStore) UpdateLine(ctx context.Context, l *warmline.Line) (*warmline.Line, error) {
	a, err := adminActor(ctx)
	if err != nil {
		return nil, err
	}
	var out warmline.Line
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var exists bool
		if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM lines WHERE org_id = $1 AND id = $2 FOR UPDATE)`, a.OrgID, l.ID); err != nil {
			return fmt.Errorf("lock line %d: %w", l.ID, err)
		} else if !exists {
			return warmline.Errorf(warmline.ENOTFOUND, "Line %d not found.", l.ID)
		}
		in := *l
		if err := checkLine(ctx, tx, a.OrgID, &in); err != nil {
			return err
		}
		const q = `UPDATE lines SET number = $3, name = $4, channel_id = $5, trunk_id = $6 WHERE org_id = $1 AND id = $2
			RETURNING id, org_id, number, name, channel_id, trunk_id, created_at`
		if err := tx.GetContext(ctx, &out, q, a.OrgID, l.ID, in.Number, in.Name, in.ChannelID, in.TrunkID); err != nil {
			return lineError(err, "update line")
		}
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventTrunkChanged, map[string]any{"id": lineTrunk(&out)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteLine removes a phone number; calls to it keep their records.
func (s *TrunkStore) DeleteLine(ctx context.Context, id int64) error {
	a, err := adminActor(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var gone warmline.Line
		err := tx.GetContext(ctx, &gone, `DELETE FROM lines l WHERE l.org_id = $1 AND l.id = $2 RETURNING `+lineColumns, a.OrgID, id)
		if err := notFound(err, fmt.Sprintf("Line %d not found.", id), "delete line"); err != nil {
			return err
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventTrunkChanged, map[string]any{"id": lineTrunk(&gone)})
		return err
	})
}

// lineTrunk is the trunk a line change is announced under (0: none).
func lineTrunk(l *warmline.Line) warmline.TrunkID {
	if l.TrunkID == nil {
		return 0
	}
	return *l.TrunkID
}

// checkLine validates and normalises l in place. The database's foreign
// keys on lines name the channel and trunk by id alone, so their
// organisation is checked here, under a share lock that keeps them from
// vanishing before commit.
func checkLine(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, l *warmline.Line) error {
	country, err := orgCountry(ctx, tx, org)
	if err != nil {
		return err
	}
	e164, ok := phone.Normalize(l.Number, country)
	if !ok {
		return warmline.FieldErrorf(warmline.EINVALID, "number", "%q is not a phone number.", l.Number)
	}
	l.Number = e164
	if l.Name, err = warmline.CleanText(l.Name, "name", false, 100); err != nil {
		return err
	}
	for _, ref := range []struct {
		field, table string
		id           *int64
	}{
		{"channel_id", "channels", l.ChannelID},
		{"trunk_id", "trunks", (*int64)(l.TrunkID)},
	} {
		if ref.id == nil {
			continue
		}
		var ok bool
		q := `SELECT EXISTS (SELECT 1 FROM ` + ref.table + ` WHERE org_id = $1 AND id = $2 FOR SHARE)`
		if err := tx.GetContext(ctx, &ok, q, org, *ref.id); err != nil {
			return fmt.Errorf("check %s: %w", ref.field, err)
		}
		if !ok {
			return warmline.FieldErrorf(warmline.EINVALID, ref.field, "There is no %s %d in your organisation.", strings.TrimSuffix(ref.table, "s"), *ref.id)
		}
	}
	return nil
}

func lineError(err error, action string) error {
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" && pe.Constraint == "lines_number_key" {
		// Numbers are unique across the installation: an inbound call to a
		// number must reach exactly one organisation.
		return warmline.FieldErrorf(warmline.ECONFLICT, "number", "This number is already in use.")
	}
	return fmt.Errorf("%s: %w", action, dbError(err))
}
