package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/warmline/warmline/backend/notify"
	"github.com/warmline/warmline/backend/warmline"
)

// The webhook half of the DeliveryWorker: events become deliveries
// (enqueueWebhooks), due deliveries are claimed, sent and recorded
// (deliverWebhooks). Both are set-based over every organisation and safe
// with several processes.

// enqueueBatch bounds how many events of one endpoint one pass turns into
// deliveries, so a large backlog is worked through in steps.
const enqueueBatch = 1000

// enqueueWebhooks turns the events after each enabled endpoint's cursor
// into deliveries (those its filter accepts) and moves the cursor. Each
// endpoint row is locked for the statement; another process skips it.
func (w *DeliveryWorker) enqueueWebhooks(ctx context.Context) (int, error) {
	const q = `
		WITH eps AS (
			SELECT wh.id, wh.org_id, wh.cursor_seq, wh.event_types,
			       LEAST(wh.cursor_seq + $1, (SELECT COALESCE(max(e.seq), 0) FROM events e WHERE e.org_id = wh.org_id)) AS upto
			FROM webhooks wh WHERE wh.enabled
			FOR UPDATE OF wh SKIP LOCKED
		), ins AS (
			INSERT INTO webhook_deliveries (org_id, webhook_id, event_seq, event_type)
			SELECT eps.org_id, eps.id, e.seq, e.type
			FROM eps JOIN events e ON e.org_id = eps.org_id AND e.seq > eps.cursor_seq AND e.seq <= eps.upto
			WHERE cardinality(eps.event_types) = 0 OR e.type = ANY (eps.event_types)
			ON CONFLICT (webhook_id, event_seq) DO NOTHING
			RETURNING 1
		), moved AS (
			UPDATE webhooks wh SET cursor_seq = eps.upto FROM eps WHERE wh.id = eps.id AND eps.upto > eps.cursor_seq
			RETURNING 1
		)
		SELECT (SELECT count(*) FROM ins) + 0 * (SELECT count(*) FROM moved)`
	var n int
	if err := w.db.GetContext(ctx, &n, q, enqueueBatch); err != nil {
		return 0, fmt.Errorf("enqueue webhook deliveries: %w", err)
	}
	return n, nil
}

// claimedDelivery is a delivery taken by this worker, with what sending needs.
type claimedDelivery struct {
	ID          int64            `db:"id"`
	OrgID       warmline.OrgID   `db:"org_id"`
	EventSeq    *int64           `db:"event_seq"`
	EventType   string           `db:"event_type"`
	TestPayload *json.RawMessage `db:"test_payload"`
	Attempts    int              `db:"attempts"`
	URL         string           `db:"url"`
	Secret      string           `db:"secret"`
	Data        *json.RawMessage `db:"data"`
	CreatedAt   time.Time        `db:"created_at"`
}

// claimWebhooks takes up to limit due deliveries: it counts the attempt and
// moves next_attempt_at a lease into the future before anything is sent,
// so no other worker takes them meanwhile. A worker that dies mid-send
// leaves them to be retried when the lease ends.
func (w *DeliveryWorker) claimWebhooks(ctx context.Context, limit int) ([]*claimedDelivery, error) {
	const q = `
		WITH claimed AS (
			UPDATE webhook_deliveries d
			SET attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + $2 * interval '1 millisecond'
			WHERE d.id IN (
				SELECT d2.id FROM webhook_deliveries d2 JOIN webhooks wh ON wh.id = d2.webhook_id
				WHERE d2.status = 'pending' AND d2.next_attempt_at <= now() AND (wh.enabled OR d2.event_seq IS NULL)
				ORDER BY d2.next_attempt_at, d2.id LIMIT $1
				FOR UPDATE OF d2 SKIP LOCKED)
			RETURNING d.id, d.org_id, d.webhook_id, d.event_seq, d.event_type, d.test_payload, d.attempts, d.created_at
		)
		SELECT c.id, c.org_id, c.event_seq, c.event_type, c.test_payload, c.attempts, wh.url, wh.secret, e.data,
		       COALESCE(e.created_at, c.created_at) AS created_at
		FROM claimed c
		JOIN webhooks wh ON wh.id = c.webhook_id
		LEFT JOIN events e ON e.org_id = c.org_id AND e.seq = c.event_seq`
	var out []*claimedDelivery
	if err := w.db.SelectContext(ctx, &out, q, limit, w.lease().Milliseconds()); err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return out, nil
}

// lease is how long a claimed delivery is left alone: the request timeout
// plus a margin.
func (w *DeliveryWorker) lease() time.Duration { return w.poster.Timeout() + 30*time.Second }

// payload is the JSON body of a claimed delivery.
func (d *claimedDelivery) payload() ([]byte, string) {
	p := warmline.WebhookPayload{Type: d.EventType, CreatedAt: d.CreatedAt.UTC()}
	switch {
	case d.EventSeq != nil:
		p.ID = strconv.FormatInt(int64(d.OrgID), 10) + "-" + strconv.FormatInt(*d.EventSeq, 10)
		p.Seq = *d.EventSeq
		p.Data = json.RawMessage("{}")
		if d.Data != nil {
			p.Data = *d.Data
		}
	default:
		p.ID = strconv.FormatInt(int64(d.OrgID), 10) + "-test-" + strconv.FormatInt(d.ID, 10)
		p.Data = *d.TestPayload
	}
	b, _ := json.Marshal(p) // only raw JSON and plain fields: cannot fail
	return b, p.ID
}

// deliverWebhooks sends every due delivery, a few at a time, and records
// each result; it returns how many were sent.
func (w *DeliveryWorker) deliverWebhooks(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		batch, err := w.claimWebhooks(ctx, w.cfg.Concurrency)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(batch))
		for _, d := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body, id := d.payload()
				res := w.poster.Post(ctx, notify.Delivery{URL: d.URL, Secret: d.Secret, EventID: id, EventType: d.EventType, Body: body}, time.Now())
				if err := w.recordWebhook(context.WithoutCancel(ctx), d, res); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return sent, err
		}
		sent += len(batch)
	}
	return sent, nil
}

// recordWebhook writes a result: delivered, failed for good, or pending
// again after the backoff. It only touches the row if this worker's claim
// is still the latest (attempts unchanged), so a late answer cannot
// overwrite a resend.
func (w *DeliveryWorker) recordWebhook(ctx context.Context, d *claimedDelivery, r notify.Result) error {
	status, retryIn := warmline.DeliveryDelivered, time.Duration(0)
	if !r.OK {
		var ok bool
		if retryIn, ok = w.cfg.Backoff(d.Attempts); ok {
			status = warmline.DeliveryPending
		} else {
			status = warmline.DeliveryFailed
		}
		w.log.Info("webhook delivery failed", "delivery", d.ID, "org", d.OrgID, "attempt", d.Attempts, "status", r.Status, "error", r.Error)
	}
	var code *int
	if r.Status != 0 {
		code = &r.Status
	}
	const q = `UPDATE webhook_deliveries SET status = $3,
			next_attempt_at = now() + $4 * interval '1 millisecond',
			last_status = $5, last_error = $6, last_response = $7, last_latency_ms = $8,
			delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
		WHERE id = $1 AND attempts = $2`
	_, err := w.db.ExecContext(ctx, q, d.ID, d.Attempts, status, retryIn.Milliseconds(), code,
		truncate(r.Error, 500), truncate(r.Excerpt, 500), r.Latency.Milliseconds())
	if err != nil {
		return fmt.Errorf("record webhook delivery %d: %w", d.ID, err)
	}
	return nil
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
