package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/password"
	"github.com/warmline/warmline/backend/warmline"
)

// Throttling of failed logins: an account locks after AccountFailures in
// the window, an IP address after IPFailures (many accounts from one place).
const (
	ThrottleWindow  = 15 * time.Minute
	AccountFailures = 5
	IPFailures      = 30
)

// SessionStore logs users in and out and resolves session tokens.
type SessionStore struct {
	db  *DB
	ttl time.Duration
}

// NewSessionStore returns a SessionStore whose sessions last ttl since last use.
func NewSessionStore(db *DB, ttl time.Duration) *SessionStore {
	return &SessionStore{db: db, ttl: ttl}
}

// Login checks the e-mail and password and opens a session, returning its
// token. oldToken, the session the browser had (if any), is ended, so a
// login always rotates the session.
func (s *SessionStore) Login(ctx context.Context, email, pw, ip, oldToken string) (*warmline.User, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil, "", warmline.FieldErrorf(warmline.EINVALID, "email", "Enter your e-mail.")
	}
	if pw == "" {
		return nil, "", warmline.FieldErrorf(warmline.EINVALID, "password", "Enter your password.")
	}
	if err := s.checkThrottle(ctx, email, ip); err != nil {
		return nil, "", err
	}
	var row struct {
		warmline.User
		Hash string `db:"password_hash"`
	}
	const q = `SELECT ` + userColumns + `, password_hash FROM users WHERE email = $1`
	err := s.db.GetContext(ctx, &row, q, email)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("select user for login: %w", err)
	}
	// Check runs even for unknown accounts so their timing does not tell them apart.
	if !password.Check(pw, row.Hash) || !row.Active {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO login_failures (email, ip) VALUES ($1, $2)`, email, ip); err != nil {
			return nil, "", fmt.Errorf("record failed login: %w", err)
		}
		return nil, "", warmline.Errorf(warmline.EUNAUTHORIZED, "Wrong e-mail or password.")
	}
	token, err := s.open(ctx, row.User, oldToken)
	if err != nil {
		return nil, "", err
	}
	return &row.User, token, nil
}

func (s *SessionStore) checkThrottle(ctx context.Context, email, ip string) error {
	var c struct {
		Account  int        `db:"account"`
		IP       int        `db:"ip"`
		Earliest *time.Time `db:"earliest"`
	}
	const q = `SELECT
			count(*) FILTER (WHERE email = $1) AS account,
			count(*) FILTER (WHERE ip = $2) AS ip,
			min(created_at) AS earliest
		FROM login_failures WHERE (email = $1 OR ip = $2) AND created_at > now() - $3::interval`
	if err := s.db.GetContext(ctx, &c, q, email, ip, fmt.Sprintf("%d seconds", int(ThrottleWindow.Seconds()))); err != nil {
		return fmt.Errorf("count failed logins: %w", err)
	}
	if c.Account < AccountFailures && c.IP < IPFailures {
		return nil
	}
	wait := ThrottleWindow
	if c.Earliest != nil {
		wait = time.Until(c.Earliest.Add(ThrottleWindow))
	}
	minutes := int(math.Ceil(wait.Minutes()))
	if minutes < 1 {
		minutes = 1
	}
	return warmline.Errorf(warmline.ETOOMANY, "Too many failed logins. Try again in %d min.", minutes)
}

// open creates a session for u and returns its token.
func (s *SessionStore) open(ctx context.Context, u warmline.User, oldToken string) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if oldToken != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(oldToken)); err != nil {
				return fmt.Errorf("end old session: %w", err)
			}
		}
		const q = `INSERT INTO sessions (token_hash, user_id, org_id, expires_at) VALUES ($1, $2, $3, now() + $4::interval)`
		if _, err := tx.ExecContext(ctx, q, hashToken(token), u.ID, u.OrgID, interval(s.ttl)); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		// Expired sessions and old failures are swept here, where logins happen anyway.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < now()`); err != nil {
			return fmt.Errorf("sweep sessions: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE created_at < now() - interval '1 day'`)
		return err
	})
	return token, err
}

// OpenFor creates a session for a user that was just created or re-authenticated (sign-up, password change).
func (s *SessionStore) OpenFor(ctx context.Context, u *warmline.User, oldToken string) (string, error) {
	return s.open(ctx, *u, oldToken)
}

// Authenticate resolves a session token to its user, extending the session
// (at most once a minute, to keep reads cheap). It returns EUNAUTHORIZED for
// an unknown, expired or deactivated session.
func (s *SessionStore) Authenticate(ctx context.Context, token string) (*warmline.User, error) {
	if token == "" || len(token) > 100 {
		return nil, warmline.Errorf(warmline.EUNAUTHORIZED, "Please log in.")
	}
	var row struct {
		warmline.User
		LastSeen time.Time `db:"last_seen_at"`
	}
	const q = `SELECT u.id, u.org_id, u.email, u.name, u.role, u.locale, u.time_zone, u.active, u.created_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active`
	err := s.db.GetContext(ctx, &row, q, hashToken(token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warmline.Errorf(warmline.EUNAUTHORIZED, "Your session has ended; please log in again.")
	} else if err != nil {
		return nil, fmt.Errorf("select session: %w", err)
	}
	if time.Since(row.LastSeen) > time.Minute {
		const qu = `UPDATE sessions SET last_seen_at = now(), expires_at = now() + $2::interval WHERE token_hash = $1`
		if _, err := s.db.ExecContext(ctx, qu, hashToken(token), interval(s.ttl)); err != nil {
			return nil, fmt.Errorf("extend session: %w", err)
		}
	}
	return &row.User, nil
}

// LiveSessions reports which of tokens are sessions Authenticate would
// still accept, and extends those last extended over a minute ago, as
// Authenticate does: an open tab keeps its session. The live hub asks it
// for all its connections at once; one Authenticate per connection every
// 30 s was 333 queries a second at 10 000 connections.
func (s *SessionStore) LiveSessions(ctx context.Context, tokens []string) (map[string]bool, error) {
	live := make(map[string]bool, len(tokens))
	for chunk := range slices.Chunk(tokens, 1000) {
		byHash := make(map[string]string, len(chunk))
		hashes := make(pq.ByteaArray, 0, len(chunk))
		for _, t := range chunk {
			if t == "" || len(t) > 100 {
				continue
			}
			h := hashToken(t)
			byHash[string(h)] = t
			hashes = append(hashes, h)
		}
		var found [][]byte
		if err := s.db.SelectContext(ctx, &found, liveSessionsSQL, hashes, interval(s.ttl)); err != nil {
			return nil, fmt.Errorf("check %d sessions: %w", len(hashes), err)
		}
		for _, h := range found {
			live[byHash[string(h)]] = true
		}
	}
	return live, nil
}

// liveSessionsSQL: the sessions among $1 (token hashes) that are valid, as
// in Authenticate, extended by $2 when last seen over a minute ago.
const liveSessionsSQL = `
	WITH live AS (
		SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id
		WHERE s.token_hash = ANY($1) AND s.expires_at > now() AND u.active
	), extended AS (
		UPDATE sessions s SET last_seen_at = now(), expires_at = now() + $2::interval
		FROM live WHERE s.token_hash = live.token_hash AND s.last_seen_at < now() - interval '1 minute'
	)
	SELECT token_hash FROM live`

// Logout ends the session with token.
func (s *SessionStore) Logout(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func interval(d time.Duration) string { return fmt.Sprintf("%d seconds", int64(d.Seconds())) }
