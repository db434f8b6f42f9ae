package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/password"
	"github.com/warmline/warmline/backend/warmline"
)

// UserStore implements warmline.UserService.
type UserStore struct{ db *DB }

// NewUserStore returns a UserStore on db.
func NewUserStore(db *DB) *UserStore { return &UserStore{db: db} }

var _ warmline.UserService = (*UserStore)(nil)

const userColumns = `id, org_id, email, name, role, locale, time_zone, active, created_at`

// FindUsers lists the organisation's users, active first, by name.
func (s *UserStore) FindUsers(ctx context.Context) ([]*warmline.User, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	users := []*warmline.User{}
	const q = `SELECT ` + userColumns + ` FROM users WHERE org_id = $1 ORDER BY active DESC, name, id`
	if err := s.db.SelectContext(ctx, &users, q, a.OrgID); err != nil {
		return nil, fmt.Errorf("select users: %w", err)
	}
	return users, nil
}

// FindUser returns one user of the organisation.
func (s *UserStore) FindUser(ctx context.Context, id warmline.UserID) (*warmline.User, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	var u warmline.User
	err = s.db.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE org_id = $1 AND id = $2`, a.OrgID, id)
	if err := notFound(err, fmt.Sprintf("User %d not found.", id), "select user"); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateUser adds a user to the organisation (admins only).
func (s *UserStore) CreateUser(ctx context.Context, in warmline.NewUser) (*warmline.User, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleAdmin); err != nil {
		return nil, err
	}
	if in.Email, err = warmline.CleanEmail(in.Email, "email", true); err != nil {
		return nil, err
	}
	if in.Name, err = warmline.CleanText(in.Name, "name", true, 200); err != nil {
		return nil, err
	}
	if !in.Role.Valid() {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "role", "Role must be agent, supervisor or admin.")
	}
	if err := password.Validate(in.Password, "password"); err != nil {
		return nil, err
	}
	if in.Locale == "" {
		in.Locale = "ru"
	} else if !warmline.ValidLocale(in.Locale) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "locale", "Locale must be ru or en.")
	}
	if in.TimeZone != "" && !warmline.ValidTimeZone(in.TimeZone) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "time_zone", "%q is not a time zone such as Europe/Moscow.", in.TimeZone)
	}
	hash, err := password.Hash(in.Password)
	if err != nil {
		return nil, err
	}
	var u warmline.User
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		const q = `INSERT INTO users (org_id, email, name, role, password_hash, locale, time_zone)
			VALUES ($1, $2, $3, $4, $5, $6, COALESCE(NULLIF($7, ''), (SELECT time_zone FROM organisations WHERE id = $1)))
			RETURNING ` + userColumns
		if err := tx.GetContext(ctx, &u, q, a.OrgID, in.Email, in.Name, in.Role, hash, in.Locale, in.TimeZone); err != nil {
			if warmline.ErrorCode(dbError(err)) == warmline.ECONFLICT {
				return warmline.FieldErrorf(warmline.ECONFLICT, "email", "A user with this e-mail already exists.")
			}
			return fmt.Errorf("insert user: %w", err)
		}
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventUserCreated, &u)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// UpdateUser changes a user. Admins may change anyone's role and active
// state; any user may change their own name, locale, time zone and password.
// Deactivating a user ends their sessions. The last active admin can be
// neither demoted nor deactivated, so an organisation is never locked out.
func (s *UserStore) UpdateUser(ctx context.Context, id warmline.UserID, in warmline.UserUpdate) (*warmline.User, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if id != a.UserID || in.Role != nil || in.Active != nil {
		if err := a.Require(warmline.RoleAdmin); err != nil {
			return nil, err
		}
	}
	if in.Name != nil {
		n, err := warmline.CleanText(*in.Name, "name", true, 200)
		if err != nil {
			return nil, err
		}
		in.Name = &n
	}
	if in.Role != nil && !in.Role.Valid() {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "role", "Role must be agent, supervisor or admin.")
	}
	if in.Locale != nil && !warmline.ValidLocale(*in.Locale) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "locale", "Locale must be ru or en.")
	}
	if in.TimeZone != nil && !warmline.ValidTimeZone(*in.TimeZone) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "time_zone", "%q is not a time zone such as Europe/Moscow.", *in.TimeZone)
	}
	var hash *string
	if in.Password != nil {
		if err := password.Validate(*in.Password, "password"); err != nil {
			return nil, err
		}
		h, err := password.Hash(*in.Password)
		if err != nil {
			return nil, err
		}
		hash = &h
	}
	var u warmline.User
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		// Lock the organisation's admins first, always in id order, so that
		// two admins demoting each other at once queue instead of deadlocking.
		const ql = `SELECT id FROM users WHERE org_id = $1 AND role = 'admin' AND active ORDER BY id FOR UPDATE`
		var locked []int64
		if err := tx.SelectContext(ctx, &locked, ql, a.OrgID); err != nil {
			return fmt.Errorf("lock admins: %w", err)
		}
		const q = `UPDATE users SET
				name = COALESCE($3, name), role = COALESCE($4, role), active = COALESCE($5, active),
				locale = COALESCE($6, locale), time_zone = COALESCE($7, time_zone),
				password_hash = COALESCE($8, password_hash)
			WHERE org_id = $1 AND id = $2 RETURNING ` + userColumns
		err := tx.GetContext(ctx, &u, q, a.OrgID, id, in.Name, in.Role, in.Active, in.Locale, in.TimeZone, hash)
		if err := notFound(err, fmt.Sprintf("User %d not found.", id), "update user"); err != nil {
			return err
		}
		var admins int
		const qa = `SELECT count(*) FROM users WHERE org_id = $1 AND role = 'admin' AND active`
		if err := tx.GetContext(ctx, &admins, qa, a.OrgID); err != nil {
			return fmt.Errorf("count admins: %w", err)
		}
		if admins == 0 {
			return warmline.FieldErrorf(warmline.ECONFLICT, "role", "This is the last active admin of the organisation; make someone else admin first.")
		}
		if !u.Active || hash != nil {
			// A deactivated user is logged out everywhere; a new password ends other sessions too.
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE org_id = $1 AND user_id = $2`, a.OrgID, id); err != nil {
				return fmt.Errorf("end sessions of user %d: %w", id, err)
			}
		}
		_, err = appendEvent(ctx, tx, a.OrgID, warmline.EventUserUpdated, &u)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}
