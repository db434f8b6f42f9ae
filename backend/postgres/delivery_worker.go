package postgres

import (
	"context"
	"crypto/x509"
	"log/slog"
	"time"

	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/notify"
)

// DeliveryConfig tunes a DeliveryWorker; zero values take the defaults.
type DeliveryConfig struct {
	// Listener is the process's LISTEN connection: the worker subscribes
	// to the events channel when created. Nil: only the poll wakes it.
	Listener *Listener
	// Policy says where webhooks and SMTP servers may be (the SSRF guard).
	Policy notify.Policy
	// Timeout bounds one webhook request. Default 10 s.
	Timeout time.Duration
	// Backoff is the wait after the n-th failed attempt, false when none
	// is left. Default notify.Backoff (10 s, 30 s, 2 min ... about a day).
	Backoff func(attempt int) (time.Duration, bool)
	// Concurrency is how many requests are sent at once. Default 8.
	Concurrency int
	// PollEvery: retries fall due without a notification, and a lost
	// notification delays a delivery by at most this much. Default 2 s.
	PollEvery time.Duration
	// MinGap is the least time between two passes woken by commits: the
	// commits of events that arrive meanwhile are taken by one pass.
	// Default 200 ms.
	MinGap time.Duration
	// Keep is how long finished deliveries stay in the log. Default 30 days.
	Keep time.Duration
	// SMTPRoots verifies SMTP servers' certificates; nil: the system's.
	SMTPRoots *x509.CertPool
}

func (c *DeliveryConfig) defaults() {
	if c.Timeout == 0 {
		c.Timeout = notify.DefaultTimeout
	}
	if c.Backoff == nil {
		c.Backoff = notify.Backoff
	}
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	if c.PollEvery == 0 {
		c.PollEvery = 2 * time.Second
	}
	if c.MinGap == 0 {
		c.MinGap = 200 * time.Millisecond
	}
	if c.Keep == 0 {
		c.Keep = 30 * 24 * time.Hour
	}
}

// DeliveryWorker delivers the events outbox to webhooks and turns events
// into e-mails (plan alerts, hand-offs), with retries. Run one per process:
// rows are claimed with FOR UPDATE SKIP LOCKED, so processes share the work
// without sending anything twice at once.
type DeliveryWorker struct {
	db     *DB
	cfg    DeliveryConfig
	notify <-chan *pq.Notification
	poster *notify.Poster
	log    *slog.Logger

	afterPass func() // tests count passes
}

// NewDeliveryWorker returns a worker on db.
func NewDeliveryWorker(db *DB, cfg DeliveryConfig, log *slog.Logger) *DeliveryWorker {
	cfg.defaults()
	w := &DeliveryWorker{db: db, cfg: cfg, poster: notify.NewPoster(cfg.Policy, cfg.Timeout), log: log}
	if cfg.Listener != nil {
		w.notify = cfg.Listener.Subscribe(EventsChannel, 64)
	}
	return w
}

// Run works until ctx ends, woken by commits of events (LISTEN) and by a
// poll for retries that fall due.
//
// Every commit of events in every organisation notifies, and a pass is
// four statements whatever it finds, most often nothing (no webhook, no
// SMTP settings). Woken by each commit, the worker ran a pass per commit:
// at a thousand commits a second that was most of a Postgres core spent
// on nothing, taken from the writes themselves. So passes woken by commits
// are at least MinGap apart, and the commits meanwhile are one pass: a
// delivery waits at most MinGap longer, and the cost no longer grows with
// the rate of commits.
func (w *DeliveryWorker) Run(ctx context.Context) {
	poll := time.NewTicker(w.cfg.PollEvery)
	defer poll.Stop()
	lastPrune := time.Time{}
	for {
		if err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("deliveries", "err", err)
		}
		if w.afterPass != nil {
			w.afterPass()
		}
		if time.Since(lastPrune) > time.Hour {
			w.prune(ctx)
			lastPrune = time.Now()
		}
		earliest := time.Now().Add(w.cfg.MinGap)
		select {
		case <-ctx.Done():
			return
		case <-w.notify: // a commit of events (or nil: some missed): look again
		case <-poll.C:
		}
		if !drainUntil(ctx, w.notify, earliest) {
			return
		}
	}
}

// drainUntil waits until t, taking the notifications that arrive meanwhile:
// the pass after it covers their commits, and left in the channel each
// would wake another pass. False when ctx ended.
func drainUntil(ctx context.Context, notify <-chan *pq.Notification, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-notify:
		case <-timer.C:
			return true
		}
	}
}

// RunOnce enqueues what committed since the last pass and sends what is
// due, webhooks and e-mails.
func (w *DeliveryWorker) RunOnce(ctx context.Context) error {
	if _, err := w.enqueueWebhooks(ctx); err != nil {
		return err
	}
	if _, err := w.deliverWebhooks(ctx); err != nil {
		return err
	}
	if _, err := w.enqueueEmails(ctx); err != nil {
		return err
	}
	if _, err := w.deliverEmails(ctx); err != nil {
		return err
	}
	return nil
}

// prune drops finished deliveries and e-mails older than Keep.
func (w *DeliveryWorker) prune(ctx context.Context) {
	for _, q := range []string{
		`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - $1 * interval '1 second'`,
		`DELETE FROM email_messages WHERE status <> 'pending' AND created_at < now() - $1 * interval '1 second'`,
	} {
		if _, err := w.db.ExecContext(ctx, q, int64(w.cfg.Keep.Seconds())); err != nil {
			w.log.Warn("prune deliveries", "err", err)
		}
	}
}
