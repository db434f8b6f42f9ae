package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/warmline/warmline/backend/notify"
	"github.com/warmline/warmline/backend/warmline"
)

// The e-mail half of the DeliveryWorker: events of organisations with SMTP
// settings become e-mails (plan alerts to supervisors and admins, zombie
// hand-offs to the stage's hand-off e-mail or else the organisation's
// hand-off address), which are then sent with the same claim, lease and
// backoff as webhooks.

// enqueueEmails turns the events after each organisation's e-mail cursor
// into e-mails and moves the cursor, set-based over every organisation.
// The texts are in each recipient's language.
func (w *DeliveryWorker) enqueueEmails(ctx context.Context) (int, error) {
	const q = `
		WITH orgs AS (
			SELECT es.org_id, es.cursor_seq, es.handoff_address,
			       LEAST(es.cursor_seq + $1, (SELECT COALESCE(max(e.seq), 0) FROM events e WHERE e.org_id = es.org_id)) AS upto
			FROM email_settings es
			FOR UPDATE OF es SKIP LOCKED
		), evs AS (
			-- A hand-off goes where its stage's rule said (the rule action's
			-- after.email, recorded when it happened), else to the
			-- organisation's hand-off address.
			SELECT o.org_id, COALESCE(NULLIF(e.data->'after'->>'email', ''), o.handoff_address) AS handoff_to, e.seq, e.type, e.data
			FROM orgs o JOIN events e ON e.org_id = o.org_id AND e.seq > o.cursor_seq AND e.seq <= o.upto
			WHERE e.type = 'plan.alert' OR (e.type = 'rule.action' AND e.data->>'action' = 'handoff')
		), mails AS (
			SELECT ev.org_id, ev.seq, 'plan_alert' AS kind, u.email AS recipient,
			       CASE u.locale WHEN 'ru' THEN 'Отставание от плана: ' ELSE 'Behind plan: ' END || COALESCE(ag.name, '') AS subject,
			       COALESCE(ev.data->>'reason', '') || E'\n\n' ||
			       CASE u.locale WHEN 'ru' THEN format('Показатель: %s. Цель: %s, по темпу сейчас: %s, факт: %s, отставание: %s.',
			                                            ev.data->>'metric', ev.data->>'target', ev.data->>'expected', ev.data->>'actual', ev.data->>'lag')
			                     ELSE format('Metric: %s. Target: %s, expected by now: %s, actual: %s, behind by: %s.',
			                                 ev.data->>'metric', ev.data->>'target', ev.data->>'expected', ev.data->>'actual', ev.data->>'lag') END AS body
			FROM evs ev
			JOIN users u ON u.org_id = ev.org_id AND u.active AND u.role IN ('supervisor', 'admin')
			LEFT JOIN users ag ON ag.org_id = ev.org_id AND ag.id = (ev.data->>'agent_id')::bigint
			WHERE ev.type = 'plan.alert'
			UNION ALL
			SELECT ev.org_id, ev.seq, 'handoff', ev.handoff_to,
			       'Warmline: ' || c.name,
			       format(E'Name / Имя: %s\nCompany / Компания: %s\nPhones / Телефоны: %s\nE-mail: %s\nChannel / Канал: %s\n%s\n%s',
			              c.name, c.company, (SELECT string_agg(p, ', ') FROM jsonb_array_elements_text(c.phones) AS p),
			              c.email, c.channel,
			              CASE WHEN COALESCE(ev.data->'after'->>'channel', '') <> ''
			                   THEN 'Hand-off channel / Канал передачи: ' || (ev.data->'after'->>'channel') || E'\n' ELSE '' END,
			              COALESCE(ev.data->>'reason', ''))
			FROM evs ev
			JOIN clients c ON c.org_id = ev.org_id AND c.id = (ev.data->>'client_id')::bigint
			WHERE ev.type = 'rule.action' AND ev.handoff_to <> ''
		), ins AS (
			INSERT INTO email_messages (org_id, event_seq, kind, recipient, subject, body)
			SELECT org_id, seq, kind, recipient, left(subject, 300), left(body, 20000) FROM mails
			ON CONFLICT (org_id, event_seq, recipient) DO NOTHING
			RETURNING 1
		), moved AS (
			UPDATE email_settings es SET cursor_seq = o.upto FROM orgs o WHERE es.org_id = o.org_id AND o.upto > o.cursor_seq
			RETURNING 1
		)
		SELECT (SELECT count(*) FROM ins) + 0 * (SELECT count(*) FROM moved)`
	var n int
	if err := w.db.GetContext(ctx, &n, q, enqueueBatch); err != nil {
		return 0, fmt.Errorf("enqueue e-mails: %w", err)
	}
	return n, nil
}

// claimedEmail is an e-mail taken by this worker, with its organisation's SMTP server.
type claimedEmail struct {
	ID        int64          `db:"id"`
	OrgID     warmline.OrgID `db:"org_id"`
	Recipient string         `db:"recipient"`
	Subject   string         `db:"subject"`
	Body      string         `db:"body"`
	Attempts  int            `db:"attempts"`
	smtpRow
}

// claimEmails takes due e-mails like claimWebhooks takes deliveries.
func (w *DeliveryWorker) claimEmails(ctx context.Context, limit int) ([]*claimedEmail, error) {
	const q = `
		WITH claimed AS (
			UPDATE email_messages m SET attempts = m.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
			WHERE m.id IN (
				SELECT id FROM email_messages WHERE status = 'pending' AND next_attempt_at <= now()
				ORDER BY next_attempt_at, id LIMIT $1
				FOR UPDATE SKIP LOCKED)
			RETURNING m.id, m.org_id, m.recipient, m.subject, m.body, m.attempts
		)
		SELECT c.*, es.host, es.port, es.security, es.username, es.password, es.from_address
		FROM claimed c JOIN email_settings es ON es.org_id = c.org_id`
	var out []*claimedEmail
	if err := w.db.SelectContext(ctx, &out, q, limit, (w.smtpTimeout() + 30*time.Second).Milliseconds()); err != nil {
		return nil, fmt.Errorf("claim e-mails: %w", err)
	}
	return out, nil
}

func (w *DeliveryWorker) smtpTimeout() time.Duration { return 2 * w.cfg.Timeout }

// deliverEmails sends every due e-mail, one at a time (SMTP servers throttle
// parallel senders), and records each result.
func (w *DeliveryWorker) deliverEmails(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		batch, err := w.claimEmails(ctx, w.cfg.Concurrency)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		for _, m := range batch {
			srv := m.smtp()
			srv.RootCAs, srv.Policy, srv.Timeout = w.cfg.SMTPRoots, w.cfg.Policy, w.smtpTimeout()
			err := notify.Send(ctx, *srv, notify.Mail{To: []string{m.Recipient}, Subject: m.Subject, Body: m.Body})
			if err := w.recordEmail(context.WithoutCancel(ctx), m, err); err != nil {
				return sent, err
			}
			sent++
		}
	}
	return sent, nil
}

// recordEmail writes a result: sent, failed for good, or pending again after the backoff.
func (w *DeliveryWorker) recordEmail(ctx context.Context, m *claimedEmail, sendErr error) error {
	status, retryIn, msg := "sent", time.Duration(0), ""
	if sendErr != nil {
		msg = sendErr.Error()
		var ok bool
		if retryIn, ok = w.cfg.Backoff(m.Attempts); ok {
			status = "pending"
		} else {
			status = "failed"
		}
		w.log.Info("e-mail failed", "email", m.ID, "org", m.OrgID, "attempt", m.Attempts, "error", msg)
	}
	const q = `UPDATE email_messages SET status = $3, next_attempt_at = now() + $4 * interval '1 millisecond', last_error = $5,
			sent_at = CASE WHEN $3 = 'sent' THEN now() END
		WHERE id = $1 AND attempts = $2`
	if _, err := w.db.ExecContext(ctx, q, m.ID, m.Attempts, status, retryIn.Milliseconds(), truncate(msg, 500)); err != nil {
		return fmt.Errorf("record e-mail %d: %w", m.ID, err)
	}
	return nil
}
