package postgres

import (
	"context"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/notify"
	"github.com/warmline/warmline/backend/warmline"
)

// EmailStore keeps the organisation's SMTP settings (admins only) and sends
// the test e-mail. Notifications are sent by the DeliveryWorker.
type EmailStore struct {
	db     *DB
	policy notify.Policy
	// Roots verifies SMTP servers' certificates; nil: the system's.
	Roots *x509.CertPool
}

// NewEmailStore returns an EmailStore on db; SMTP servers must be allowed by policy.
func NewEmailStore(db *DB, policy notify.Policy) *EmailStore {
	return &EmailStore{db: db, policy: policy}
}

const emailColumns = `host, port, security, username, password <> '' AS has_password, from_address, handoff_address, updated_at`

// FindEmailSettings returns the settings; Configured is false (and the
// fields are suggestions) when the organisation has none.
func (s *EmailStore) FindEmailSettings(ctx context.Context) (*warmline.EmailSettings, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	return findEmailSettings(ctx, s.db, a.OrgID)
}

func findEmailSettings(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID) (*warmline.EmailSettings, error) {
	var es warmline.EmailSettings
	err := sqlx.GetContext(ctx, q, &es, `SELECT `+emailColumns+` FROM email_settings WHERE org_id = $1`, org)
	if errors.Is(err, sql.ErrNoRows) {
		return &warmline.EmailSettings{Port: 587, Security: notify.SecurityStartTLS}, nil
	} else if err != nil {
		return nil, fmt.Errorf("select e-mail settings: %w", err)
	}
	es.Configured = true
	return &es, nil
}

func (s *EmailStore) admin(ctx context.Context) (warmline.Actor, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return a, err
	}
	return a, a.Require(warmline.RoleAdmin)
}

// emailInput is a complete, checked set of settings.
type emailInput struct {
	warmline.EmailSettings
	Password string
	// keepPassword: the input said nothing about the password.
	keepPassword bool
}

func (s *EmailStore) validate(in warmline.EmailSettingsInput, cur *warmline.EmailSettings) (*emailInput, error) {
	out := &emailInput{EmailSettings: *cur, keepPassword: in.Password == nil}
	var err error
	if in.Host != nil {
		if out.Host, err = warmline.CleanText(*in.Host, "host", true, 253); err != nil {
			return nil, err
		}
		if strings.ContainsAny(out.Host, " /:@") {
			return nil, warmline.FieldErrorf(warmline.EINVALID, "host", "Give the server's name or address only, such as smtp.example.com.")
		}
		if err := notify.CheckHost(out.Host, s.policy); err != nil {
			return nil, warmline.FieldErrorf(warmline.EINVALID, "host", "%s.", destinationReason(err))
		}
	} else if !cur.Configured {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "host", "The SMTP server is required.")
	}
	if in.Port != nil {
		if *in.Port < 1 || *in.Port > 65535 {
			return nil, warmline.FieldErrorf(warmline.EINVALID, "port", "The port must be from 1 to 65535.")
		}
		out.Port = *in.Port
	}
	if in.Security != nil {
		if !slices.Contains(warmline.EmailSecurities, *in.Security) {
			return nil, warmline.FieldErrorf(warmline.EINVALID, "security", "Security must be none, starttls or tls.")
		}
		out.Security = *in.Security
	}
	if in.Username != nil {
		if out.Username, err = warmline.CleanText(*in.Username, "username", false, 254); err != nil {
			return nil, err
		}
	}
	if in.Password != nil {
		if len(*in.Password) > 500 {
			return nil, warmline.FieldErrorf(warmline.EINVALID, "password", "The password is longer than 500 characters.")
		}
		out.Password = *in.Password
	}
	if in.FromAddress != nil {
		if out.FromAddress, err = warmline.CleanEmail(*in.FromAddress, "from_address", true); err != nil {
			return nil, err
		}
	} else if !cur.Configured {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "from_address", "The sender's address is required.")
	}
	if in.HandoffAddress != nil {
		if out.HandoffAddress, err = warmline.CleanEmail(*in.HandoffAddress, "handoff_address", false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetEmailSettings creates or changes the settings. From this change on,
// plan alerts and hand-offs are e-mailed (events before it are not).
func (s *EmailStore) SetEmailSettings(ctx context.Context, in warmline.EmailSettingsInput) (*warmline.EmailSettings, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	var out *warmline.EmailSettings
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM email_settings WHERE org_id = $1 FOR UPDATE`, a.OrgID); err != nil {
			return fmt.Errorf("lock e-mail settings: %w", err)
		}
		cur, err := findEmailSettings(ctx, tx, a.OrgID)
		if err != nil {
			return err
		}
		v, err := s.validate(in, cur)
		if err != nil {
			return err
		}
		seq, err := appendEvent(ctx, tx, a.OrgID, warmline.EventEmailChanged, map[string]any{"configured": true})
		if err != nil {
			return err
		}
		const q = `INSERT INTO email_settings (org_id, host, port, security, username, password, from_address, handoff_address, cursor_seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (org_id) DO UPDATE SET host = EXCLUDED.host, port = EXCLUDED.port, security = EXCLUDED.security,
				username = EXCLUDED.username, password = CASE WHEN $10 THEN email_settings.password ELSE EXCLUDED.password END,
				from_address = EXCLUDED.from_address, handoff_address = EXCLUDED.handoff_address, updated_at = now()`
		if _, err := tx.ExecContext(ctx, q, a.OrgID, v.Host, v.Port, v.Security, v.Username, v.Password, v.FromAddress, v.HandoffAddress, seq, v.keepPassword); err != nil {
			return fmt.Errorf("save e-mail settings: %w", dbError(err))
		}
		out, err = findEmailSettings(ctx, tx, a.OrgID)
		return err
	})
	return out, err
}

// DeleteEmailSettings turns e-mail off; queued e-mails are dropped.
func (s *EmailStore) DeleteEmailSettings(ctx context.Context) error {
	a, err := s.admin(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM email_settings WHERE org_id = $1`, a.OrgID)
		if err != nil {
			return fmt.Errorf("delete e-mail settings: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return warmline.Errorf(warmline.ENOTFOUND, "E-mail is not set up.")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM email_messages WHERE org_id = $1 AND status = 'pending'`, a.OrgID); err != nil {
			return fmt.Errorf("drop queued e-mails: %w", err)
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventEmailChanged, map[string]any{"configured": false})
		return err
	})
}

// smtpRow is an organisation's SMTP server as stored.
type smtpRow struct {
	Host     string `db:"host"`
	Port     int    `db:"port"`
	Security string `db:"security"`
	Username string `db:"username"`
	Password string `db:"password"`
	From     string `db:"from_address"`
}

func (r *smtpRow) smtp() *notify.SMTP {
	return &notify.SMTP{Host: r.Host, Port: r.Port, Security: r.Security, Username: r.Username, Password: r.Password, From: r.From}
}

// smtpOf returns the organisation's SMTP server as notify needs it.
func smtpOf(ctx context.Context, q sqlx.QueryerContext, org warmline.OrgID) (*notify.SMTP, error) {
	var row smtpRow
	const query = `SELECT host, port, security, username, password, from_address FROM email_settings WHERE org_id = $1`
	err := sqlx.GetContext(ctx, q, &row, query, org)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warmline.Errorf(warmline.ECONFLICT, "E-mail is not set up: save the SMTP settings first.")
	} else if err != nil {
		return nil, fmt.Errorf("select SMTP settings: %w", err)
	}
	return row.smtp(), nil
}

// SendTestEmail sends a test e-mail to one address now, through the saved
// settings, and reports what the server said: an SMTP failure is an answer
// for the admin, not an error of the request.
func (s *EmailStore) SendTestEmail(ctx context.Context, in warmline.EmailTest) (*warmline.EmailTestResult, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	to, err := warmline.CleanEmail(in.To, "to", true)
	if err != nil {
		return nil, err
	}
	srv, err := smtpOf(ctx, s.db, a.OrgID)
	if err != nil {
		return nil, err
	}
	srv.Policy, srv.RootCAs = s.policy, s.Roots
	err = notify.Send(ctx, *srv, notify.Mail{
		To:      []string{to},
		Subject: "Warmline: test e-mail / тестовое письмо",
		Body:    "This is a test e-mail from Warmline: the SMTP settings work.\n\nЭто тестовое письмо Warmline: настройки SMTP работают.\n",
	})
	if err != nil {
		return &warmline.EmailTestResult{Sent: false, Error: truncate(err.Error(), 500)}, nil
	}
	return &warmline.EmailTestResult{Sent: true, Error: ""}, nil
}
