package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/demo"
	"github.com/warmline/warmline/backend/password"
	"github.com/warmline/warmline/backend/warmline"
)

// DemoPassword is the password of every demo user; the demo is for trying
// Warmline on one's own machine, never for a public server.
const DemoPassword = "warmline-demo"

// demoClients is how many clients the demo organisation gets.
const demoClients = 300

// DemoLogins are the demo users, admin first.
func DemoLogins() []warmline.NewUser { return demo.Users() }

// SeedDemo creates the demo organisation — its users, the default funnel
// and a few hundred clients with stage histories — unless it exists. It
// runs in one transaction, so a killed seed leaves nothing half-made, and
// reports whether it created anything.
func SeedDemo(ctx context.Context, db *DB) (bool, error) {
	users := demo.Users()
	var exists bool
	if err := db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)`, users[0].Email); err != nil {
		return false, fmt.Errorf("look for the demo organisation: %w", err)
	}
	if exists {
		return false, nil
	}
	hash, err := password.Hash(DemoPassword)
	if err != nil {
		return false, err
	}
	// The demo's calls fall in office hours of the organisation's time zone.
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		return false, fmt.Errorf("load demo time zone: %w", err)
	}
	now := time.Now().In(moscow)
	clients := demo.Clients(rand.New(rand.NewPCG(2026, 11)), demoClients, now)
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var org warmline.OrgID
		const qo = `INSERT INTO organisations (name, default_country, time_zone) VALUES ('Демо: ООО «Тёплая линия»', 'RU', 'Europe/Moscow') RETURNING id`
		if err := tx.GetContext(ctx, &org, qo); err != nil {
			return fmt.Errorf("insert demo organisation: %w", err)
		}
		if err := insertStages(ctx, tx, org, warmline.DefaultFunnel("ru")); err != nil {
			return err
		}
		var stageIDs []warmline.StageID
		if err := tx.SelectContext(ctx, &stageIDs, `SELECT id FROM stages WHERE org_id = $1 ORDER BY position`, org); err != nil {
			return fmt.Errorf("select demo stages: %w", err)
		}
		userIDs := make([]warmline.UserID, len(users))
		for i, u := range users {
			// One hash for all: they share the password, and hashing five times only slows the first start.
			const qu = `INSERT INTO users (org_id, email, name, role, password_hash, locale, time_zone) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`
			if err := tx.GetContext(ctx, &userIDs[i], qu, org, u.Email, u.Name, u.Role, hash, u.Locale, u.TimeZone); err != nil {
				return fmt.Errorf("insert demo user %s: %w", u.Email, err)
			}
		}
		clientIDs := make([]warmline.ClientID, len(clients))
		for i, c := range clients {
			id, err := insertDemoClient(ctx, tx, org, c, stageIDs, userIDs)
			if err != nil {
				return err
			}
			clientIDs[i] = id
		}
		calls := demo.Calls(rand.New(rand.NewPCG(2026, 12)), clients, now)
		if err := insertDemoCalls(ctx, tx, org, calls, clientIDs, userIDs[2:]); err != nil {
			return err
		}
		if err := refreshCooling(ctx, tx, org, coolingFilter{}); err != nil {
			return err
		}
		_, err := appendEvent(ctx, tx, org, warmline.EventClientsImported, map[string]any{"demo": true, "created": len(clients)})
		return err
	})
	return err == nil, err
}

// insertDemoClient writes one demo client with its phones and history.
func insertDemoClient(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, c demo.Client, stages []warmline.StageID, users []warmline.UserID) (warmline.ClientID, error) {
	var owner *warmline.UserID
	if c.Owner != demo.NoOwner {
		owner = &users[2+c.Owner]
	}
	phones := warmline.Phones(c.Phones)
	var id warmline.ClientID
	const q = `INSERT INTO clients (org_id, name, company, phones, phone_digits, email, channel, owner_id, stage_id,
			stage_entered_at, first_contact_at, last_contact_at, contacts, stage_contacts, attempts, notes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id`
	if err := tx.GetContext(ctx, &id, q, org, c.Name, c.Company, phones, phoneDigits(phones), c.Email, c.Channel, owner,
		stages[c.Stage], c.StageEnteredAt, c.FirstContactAt, c.LastContactAt, c.Contacts, c.StageContacts, c.Attempts, c.Notes, c.CreatedAt); err != nil {
		return 0, fmt.Errorf("insert demo client %q: %w", c.Name, err)
	}
	if err := setPhones(ctx, tx, org, id, phones); err != nil {
		return 0, fmt.Errorf("demo client %q: %w", c.Name, err)
	}
	var from *warmline.StageID
	for _, step := range c.History {
		reason := ""
		if from == nil {
			reason = "created"
		}
		const qt = `INSERT INTO stage_transitions (org_id, client_id, from_stage_id, to_stage_id, actor_id, reason, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`
		if _, err := tx.ExecContext(ctx, qt, org, id, from, stages[step.Stage], owner, reason, step.At); err != nil {
			return 0, fmt.Errorf("insert history of demo client %q: %w", c.Name, err)
		}
		to := stages[step.Stage]
		from = &to
	}
	return id, nil
}

// insertDemoCalls writes the demo's call records in one statement, and the
// demo line they came in on and went out from.
func insertDemoCalls(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, calls []demo.Call, clients []warmline.ClientID, agents []warmline.UserID) error {
	var line int64
	const ql = `INSERT INTO lines (org_id, number, name) VALUES ($1, $2, 'Демо-линия') RETURNING id`
	if err := tx.GetContext(ctx, &line, ql, org, demo.DemoLine); err != nil {
		return fmt.Errorf("insert demo line: %w", err)
	}
	n := len(calls)
	var (
		direction, from, to, outcome, missed = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		client, agent                        = make([]*int64, n), make([]*int64, n)
		created, answered, ended             = make([]time.Time, n), make([]*time.Time, n), make([]time.Time, n)
		side                                 = make([]string, n)
	)
	for i, c := range calls {
		direction[i], from[i], to[i], outcome[i], missed[i] = string(c.Direction), c.From, c.To, string(c.Outcome), string(c.MissedReason)
		if c.Client != demo.NoClient {
			client[i] = ptrTo(int64(clients[c.Client]))
		}
		if c.Agent != demo.NoOwner {
			agent[i] = ptrTo(int64(agents[c.Agent]))
		}
		ring := time.Duration(5+i%20) * time.Second
		created[i] = c.At
		ended[i] = c.At.Add(ring)
		side[i] = string(warmline.HangupSystem)
		if c.Answered {
			answered[i] = ptrTo(c.At.Add(ring))
			ended[i] = c.At.Add(ring + c.Talk)
			side[i] = string([]warmline.HangupSide{warmline.HangupAgent, warmline.HangupClient}[i%2])
		} else if c.Outcome == warmline.OutcomeMissed && c.MissedReason == warmline.MissedAbandoned {
			side[i] = string(warmline.HangupClient)
		}
	}
	const qc = `
		INSERT INTO calls (org_id, line_id, direction, from_number, to_number, client_id, agent_id, status,
			created_at, ringing_at, answered_at, ended_at, outcome, missed_reason, end_reason, hangup_side)
		SELECT $1, $2, d, f, t, cl, ag, 'ended', cr, cr, an, en, oc, NULLIF(mr, ''),
			CASE WHEN an IS NULL THEN oc ELSE 'hangup' END, sd
		FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::timestamptz[],
			$9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[], $13::text[])
			AS u(d, f, t, cl, ag, cr, an, en, oc, mr, sd)`
	if _, err := tx.ExecContext(ctx, qc, org, line, pq.Array(direction), pq.Array(from), pq.Array(to), pq.Array(client), pq.Array(agent),
		pq.Array(created), pq.Array(answered), pq.Array(ended), pq.Array(outcome), pq.Array(missed), pq.Array(side)); err != nil {
		return fmt.Errorf("insert demo calls: %w", err)
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }
