package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/notify"
	"github.com/warmline/warmline/backend/warmline"
)

// WebhookStore manages the caller's organisation's webhook endpoints and
// their delivery log (admins only). Deliveries themselves are made by the
// DeliveryWorker.
type WebhookStore struct {
	db     *DB
	policy notify.Policy
}

// NewWebhookStore returns a WebhookStore on db that accepts URLs allowed by policy.
func NewWebhookStore(db *DB, policy notify.Policy) *WebhookStore {
	return &WebhookStore{db: db, policy: policy}
}

// webhookRow is a webhooks row; the array needs pq to scan.
type webhookRow struct {
	warmline.Webhook
	Types pq.StringArray `db:"event_types"`
}

func (r *webhookRow) webhook() *warmline.Webhook {
	w := r.Webhook
	w.EventTypes = []string(r.Types)
	if w.EventTypes == nil {
		w.EventTypes = []string{}
	}
	return &w
}

// The secret is never selected here: it leaves the database only for the worker.
const webhookColumns = `id, org_id, url, description, event_types, enabled, created_at, updated_at`

func (s *WebhookStore) admin(ctx context.Context) (warmline.Actor, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return a, err
	}
	return a, a.Require(warmline.RoleAdmin)
}

// FindWebhooks lists the organisation's endpoints, oldest first.
func (s *WebhookStore) FindWebhooks(ctx context.Context) ([]*warmline.Webhook, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*webhookRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+webhookColumns+` FROM webhooks WHERE org_id = $1 ORDER BY id`, a.OrgID); err != nil {
		return nil, fmt.Errorf("select webhooks: %w", err)
	}
	out := make([]*warmline.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.webhook()
	}
	return out, nil
}

func findWebhook(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID, id int64, lock bool) (*warmline.Webhook, error) {
	query := `SELECT ` + webhookColumns + ` FROM webhooks WHERE org_id = $1 AND id = $2`
	if lock {
		query += ` FOR UPDATE`
	}
	var r webhookRow
	err := sqlx.GetContext(ctx, q, &r, query, org, id)
	if err := notFound(err, fmt.Sprintf("Webhook %d not found.", id), "select webhook"); err != nil {
		return nil, err
	}
	return r.webhook(), nil
}

// FindWebhook returns one endpoint.
func (s *WebhookStore) FindWebhook(ctx context.Context, id int64) (*warmline.Webhook, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	return findWebhook(ctx, s.db, a.OrgID, id, false)
}

// validateWebhook applies in to cur (nil when creating) and checks the result.
func (s *WebhookStore) validateWebhook(in warmline.WebhookInput, cur *warmline.Webhook) (warmline.Webhook, error) {
	w := warmline.Webhook{Enabled: true, EventTypes: []string{}}
	if cur != nil {
		w = *cur
	}
	if in.URL != nil {
		u, err := notify.CheckURL(*in.URL, s.policy)
		if err != nil {
			return w, warmline.FieldErrorf(warmline.EINVALID, "url", "%s.", destinationReason(err))
		}
		w.URL = u.String()
	} else if cur == nil {
		return w, warmline.FieldErrorf(warmline.EINVALID, "url", "The URL is required.")
	}
	if len(w.URL) > 2000 {
		return w, warmline.FieldErrorf(warmline.EINVALID, "url", "The URL is longer than 2000 characters.")
	}
	if in.Description != nil {
		d, err := warmline.CleanText(*in.Description, "description", false, 200)
		if err != nil {
			return w, err
		}
		w.Description = d
	}
	if in.EventTypes != nil {
		types := []string{}
		for _, t := range *in.EventTypes {
			if !slices.Contains(warmline.EventTypes, t) {
				return w, warmline.FieldErrorf(warmline.EINVALID, "event_types", "%q is not an event type.", t)
			}
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
		w.EventTypes = types
	}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
	}
	return w, nil
}

// CreateWebhook adds an endpoint with a fresh secret, returned this once.
// It receives the events committed after it.
func (s *WebhookStore) CreateWebhook(ctx context.Context, in warmline.WebhookInput) (*warmline.Webhook, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.validateWebhook(in, nil)
	if err != nil {
		return nil, err
	}
	secret := notify.NewSecret()
	var out *warmline.Webhook
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		const q = `INSERT INTO webhooks (org_id, url, description, event_types, enabled, secret) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`
		if err := tx.GetContext(ctx, &id, q, a.OrgID, w.URL, w.Description, pq.StringArray(w.EventTypes), w.Enabled, secret); err != nil {
			return fmt.Errorf("insert webhook: %w", dbError(err))
		}
		seq, err := appendEvent(ctx, tx, a.OrgID, warmline.EventWebhookChanged, map[string]any{"id": id, "deleted": false})
		if err != nil {
			return err
		}
		// Deliver what commits after this event, not the organisation's past.
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET cursor_seq = $3 WHERE org_id = $1 AND id = $2`, a.OrgID, id, seq); err != nil {
			return fmt.Errorf("set webhook cursor: %w", err)
		}
		out, err = findWebhook(ctx, tx, a.OrgID, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Secret = secret
	return out, nil
}

// UpdateWebhook changes an endpoint. Turning it back on starts from the
// events committed after this change: what happened while it was off is
// not replayed.
func (s *WebhookStore) UpdateWebhook(ctx context.Context, id int64, in warmline.WebhookInput) (*warmline.Webhook, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	var out *warmline.Webhook
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := findWebhook(ctx, tx, a.OrgID, id, true)
		if err != nil {
			return err
		}
		w, err := s.validateWebhook(in, cur)
		if err != nil {
			return err
		}
		seq, err := appendEvent(ctx, tx, a.OrgID, warmline.EventWebhookChanged, map[string]any{"id": id, "deleted": false})
		if err != nil {
			return err
		}
		const q = `UPDATE webhooks SET url = $3, description = $4, event_types = $5, enabled = $6, updated_at = now(),
				cursor_seq = CASE WHEN $6 AND NOT enabled THEN $7 ELSE cursor_seq END
			WHERE org_id = $1 AND id = $2`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, id, w.URL, w.Description, pq.StringArray(w.EventTypes), w.Enabled, seq); err != nil {
			return fmt.Errorf("update webhook %d: %w", id, dbError(err))
		}
		out, err = findWebhook(ctx, tx, a.OrgID, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteWebhook removes an endpoint and its delivery log.
func (s *WebhookStore) DeleteWebhook(ctx context.Context, id int64) error {
	a, err := s.admin(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE org_id = $1 AND id = $2`, a.OrgID, id)
		if err != nil {
			return fmt.Errorf("delete webhook %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return warmline.Errorf(warmline.ENOTFOUND, "Webhook %d not found.", id)
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventWebhookChanged, map[string]any{"id": id, "deleted": true})
		return err
	})
}

// Deliveries are bookkeeping of the outbox's consumer, like a browser's
// last sequence: they write no events (an event per attempt would itself
// be delivered, without end).

const deliveryColumns = `id, webhook_id, event_seq, event_type, status, attempts,
	CASE WHEN status = 'pending' THEN next_attempt_at END AS next_attempt_at,
	last_attempt_at, last_status, last_error, last_response, last_latency_ms, delivered_at, created_at`

// FindDeliveries returns an endpoint's latest deliveries, newest first.
func (s *WebhookStore) FindDeliveries(ctx context.Context, webhookID int64, limit int) ([]*warmline.WebhookDelivery, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := findWebhook(ctx, s.db, a.OrgID, webhookID, false); err != nil {
		return nil, err
	}
	out := []*warmline.WebhookDelivery{}
	const q = `SELECT ` + deliveryColumns + ` FROM webhook_deliveries WHERE org_id = $1 AND webhook_id = $2 ORDER BY id DESC LIMIT $3`
	if err := s.db.SelectContext(ctx, &out, q, a.OrgID, webhookID, limit); err != nil {
		return nil, fmt.Errorf("select deliveries of webhook %d: %w", webhookID, err)
	}
	return out, nil
}

// ResendDelivery queues a delivery again, now, with a fresh retry schedule,
// whatever its state (a receiver may have lost what it acknowledged).
func (s *WebhookStore) ResendDelivery(ctx context.Context, webhookID, deliveryID int64) (*warmline.WebhookDelivery, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	var d warmline.WebhookDelivery
	const q = `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now()
		WHERE org_id = $1 AND webhook_id = $2 AND id = $3 RETURNING ` + deliveryColumns
	err = s.db.GetContext(ctx, &d, q, a.OrgID, webhookID, deliveryID)
	if err := notFound(err, fmt.Sprintf("Delivery %d of webhook %d not found.", deliveryID, webhookID), "resend delivery"); err != nil {
		return nil, err
	}
	return &d, nil
}

// SendTestEvent queues a "webhook.test" event for one endpoint, whatever
// its filter and even when it is disabled: it checks the URL and the
// receiver's signature check.
func (s *WebhookStore) SendTestEvent(ctx context.Context, webhookID int64) (*warmline.WebhookDelivery, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := findWebhook(ctx, s.db, a.OrgID, webhookID, false); err != nil {
		return nil, err
	}
	var d warmline.WebhookDelivery
	const q = `INSERT INTO webhook_deliveries (org_id, webhook_id, event_type, test_payload)
		VALUES ($1, $2, $3, jsonb_build_object('message', 'Test event from Warmline', 'webhook_id', $2::bigint))
		RETURNING ` + deliveryColumns
	if err := s.db.GetContext(ctx, &d, q, a.OrgID, webhookID, warmline.WebhookTestEvent); err != nil {
		return nil, fmt.Errorf("insert test delivery for webhook %d: %w", webhookID, err)
	}
	return &d, nil
}

// destinationReason words a refused webhook URL for its owner: "The URL must use https".
func destinationReason(err error) string {
	s := strings.TrimPrefix(err.Error(), notify.ErrDestination.Error()+": ")
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
