package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/warmline/warmline/backend/demo"
	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// DemoCallInChannel is the LISTEN/NOTIFY channel on which `warmline demo
// call-in`, a process of its own, asks the serving process to place a
// demo inbound call.
const DemoCallInChannel = "warmline_demo_call_in"

// DemoCallIn is one such request.
type DemoCallIn struct {
	OrgID warmline.OrgID `json:"org"`
	From  string         `json:"from"` // E.164; empty: the demo line picks a caller
}

// DemoOrgID returns the id of the demo organisation made by SeedDemo.
func DemoOrgID(ctx context.Context, db *DB) (warmline.OrgID, error) {
	var org warmline.OrgID
	err := db.GetContext(ctx, &org, `SELECT org_id FROM users WHERE email = $1`, demo.Users()[0].Email)
	if err := notFound(err, "There is no demo organisation; run `warmline seed-demo` first.", "find the demo organisation"); err != nil {
		return 0, err
	}
	return org, nil
}

// RequestDemoCallIn checks the request against the organisation (it
// exists; from is a phone number, written in E.164) and publishes it. It
// does not wait for a server to act on it.
func RequestDemoCallIn(ctx context.Context, db *DB, r DemoCallIn) (DemoCallIn, error) {
	country, err := orgCountry(ctx, db, r.OrgID)
	if err != nil {
		return r, warmline.Errorf(warmline.ENOTFOUND, "Organisation %d not found.", r.OrgID)
	}
	if r.From != "" {
		e164, ok := phone.Normalize(r.From, country)
		if !ok {
			return r, warmline.FieldErrorf(warmline.EINVALID, "from", "%q is not a phone number.", r.From)
		}
		r.From = e164
	}
	b, err := json.Marshal(r)
	if err != nil {
		return r, err
	}
	if _, err := db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, DemoCallInChannel, string(b)); err != nil {
		return r, fmt.Errorf("notify %s: %w", DemoCallInChannel, err)
	}
	return r, nil
}

// ListenDemoCallIns calls fn for every demo call-in request until ctx
// ends. It subscribes to l, which must be started after it. A request
// that arrives while no process listens is lost, which is fine for a
// button-like command: the command itself says whether a call appeared.
func ListenDemoCallIns(ctx context.Context, l *Listener, log *slog.Logger, fn func(context.Context, DemoCallIn)) {
	notes := l.Subscribe(DemoCallInChannel, 16)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-notes:
				if n == nil {
					continue // some missed; requests are not caught up on
				}
				var r DemoCallIn
				if err := json.Unmarshal([]byte(n.Extra), &r); err != nil || r.OrgID <= 0 {
					log.Warn("demo call-in: malformed request ignored", "payload", n.Extra)
					continue
				}
				fn(ctx, r)
			}
		}
	}()
}

// LastCallID is the newest call record of org (0 when none), taken
// before a demo call-in so that its call can be told from older ones.
func LastCallID(ctx context.Context, db *DB, org warmline.OrgID) (warmline.CallID, error) {
	var id warmline.CallID
	if err := db.GetContext(ctx, &id, `SELECT COALESCE(max(id), 0) FROM calls WHERE org_id = $1`, org); err != nil {
		return 0, fmt.Errorf("last call of organisation %d: %w", org, err)
	}
	return id, nil
}

// WaitForInboundCall polls for an inbound call record of org newer than
// after, for up to wait; it returns 0 when none appeared (no server is
// listening, or its gateway refused the call).
func WaitForInboundCall(ctx context.Context, db *DB, org warmline.OrgID, after warmline.CallID, wait time.Duration) (warmline.CallID, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		var id warmline.CallID
		const q = `SELECT COALESCE(min(id), 0) FROM calls WHERE org_id = $1 AND id > $2 AND direction = 'inbound'`
		if err := db.GetContext(ctx, &id, q, org, after); err != nil {
			if ctx.Err() != nil {
				return 0, nil
			}
			return 0, fmt.Errorf("look for the demo call: %w", err)
		} else if id != 0 {
			return id, nil
		}
		select {
		case <-ctx.Done():
			return 0, nil
		case <-tick.C:
		}
	}
}
