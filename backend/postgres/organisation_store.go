package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/password"
	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// OrganisationStore implements warmline.OrganisationService.
type OrganisationStore struct{ db *DB }

// NewOrganisationStore returns an OrganisationStore on db.
func NewOrganisationStore(db *DB) *OrganisationStore { return &OrganisationStore{db: db} }

var _ warmline.OrganisationService = (*OrganisationStore)(nil)

const orgColumns = `id, name, default_country, time_zone, agents_own_only, created_at,
	auto_answer_seconds, wrap_up_seconds,
	NOT EXISTS (SELECT 1 FROM trunks t WHERE t.org_id = organisations.id AND t.enabled) AS demo_line`

// SignUp creates an organisation, its default funnel and its first admin in
// one transaction.
func (s *OrganisationStore) SignUp(ctx context.Context, in warmline.SignUp) (*warmline.Organisation, *warmline.User, error) {
	var err error
	if in.OrgName, err = warmline.CleanText(in.OrgName, "org_name", true, 200); err != nil {
		return nil, nil, err
	}
	if in.Name, err = warmline.CleanText(in.Name, "name", true, 200); err != nil {
		return nil, nil, err
	}
	if in.Email, err = warmline.CleanEmail(in.Email, "email", true); err != nil {
		return nil, nil, err
	}
	if err := password.Validate(in.Password, "password"); err != nil {
		return nil, nil, err
	}
	if in.Locale == "" {
		in.Locale = "ru"
	} else if !warmline.ValidLocale(in.Locale) {
		return nil, nil, warmline.FieldErrorf(warmline.EINVALID, "locale", "Locale must be ru or en.")
	}
	if in.Country == "" {
		in.Country = "RU"
	} else if !phone.ValidCountry(in.Country) {
		return nil, nil, warmline.FieldErrorf(warmline.EINVALID, "default_country", "%q is not a country code such as RU or GB.", in.Country)
	}
	if in.TimeZone == "" {
		in.TimeZone = "Europe/Moscow"
	} else if !warmline.ValidTimeZone(in.TimeZone) {
		return nil, nil, warmline.FieldErrorf(warmline.EINVALID, "time_zone", "%q is not a time zone such as Europe/Moscow.", in.TimeZone)
	}
	hash, err := password.Hash(in.Password)
	if err != nil {
		return nil, nil, err
	}

	var org warmline.Organisation
	var user warmline.User
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		const qo = `INSERT INTO organisations (name, default_country, time_zone) VALUES ($1, $2, $3) RETURNING ` + orgColumns
		if err := tx.GetContext(ctx, &org, qo, in.OrgName, in.Country, in.TimeZone); err != nil {
			return fmt.Errorf("insert organisation: %w", err)
		}
		if err := insertStages(ctx, tx, org.ID, warmline.DefaultFunnel(in.Locale)); err != nil {
			return err
		}
		const qu = `INSERT INTO users (org_id, email, name, role, password_hash, locale, time_zone)
			VALUES ($1, $2, $3, 'admin', $4, $5, $6) RETURNING ` + userColumns
		if err := tx.GetContext(ctx, &user, qu, org.ID, in.Email, in.Name, hash, in.Locale, in.TimeZone); err != nil {
			if warmline.ErrorCode(dbError(err)) == warmline.ECONFLICT {
				return warmline.FieldErrorf(warmline.ECONFLICT, "email", "An account with this e-mail already exists; log in instead.")
			}
			return fmt.Errorf("insert admin: %w", err)
		}
		_, err := appendEvent(ctx, tx, org.ID, warmline.EventUserCreated, &user)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &org, &user, nil
}

// insertStages appends stages to an organisation's funnel in order.
func insertStages(ctx context.Context, tx *sqlx.Tx, org warmline.OrgID, stages []warmline.Stage) error {
	const q = `INSERT INTO stages (org_id, name, position, kind, cooling_period, cooling_unit, cooling_soon, contact_limit)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	for i, st := range stages {
		if st.CoolingUnit == "" {
			st.CoolingUnit = warmline.CoolingWorkingDays
		}
		if _, err := tx.ExecContext(ctx, q, org, st.Name, i+1, st.Kind, st.CoolingPeriod, st.CoolingUnit, st.CoolingSoon, st.ContactLimit); err != nil {
			return fmt.Errorf("insert stage %q: %w", st.Name, err)
		}
	}
	return nil
}

// FindOrganisation returns the caller's organisation.
func (s *OrganisationStore) FindOrganisation(ctx context.Context) (*warmline.Organisation, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	var org warmline.Organisation
	err = s.db.GetContext(ctx, &org, `SELECT `+orgColumns+` FROM organisations WHERE id = $1`, a.OrgID)
	if err := notFound(err, "Organisation not found.", "select organisation"); err != nil {
		return nil, err
	}
	return &org, nil
}

// UpdateOrganisation changes the caller's organisation's settings (admins only).
func (s *OrganisationStore) UpdateOrganisation(ctx context.Context, u warmline.OrganisationUpdate) (*warmline.Organisation, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleAdmin); err != nil {
		return nil, err
	}
	if u.Name != nil {
		n, err := warmline.CleanText(*u.Name, "name", true, 200)
		if err != nil {
			return nil, err
		}
		u.Name = &n
	}
	if u.DefaultCountry != nil && !phone.ValidCountry(*u.DefaultCountry) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "default_country", "%q is not a country code such as RU or GB.", *u.DefaultCountry)
	}
	if u.TimeZone != nil && !warmline.ValidTimeZone(*u.TimeZone) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "time_zone", "%q is not a time zone such as Europe/Moscow.", *u.TimeZone)
	}
	if u.AutoAnswerSeconds != nil && (*u.AutoAnswerSeconds < 0 || *u.AutoAnswerSeconds > 60) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "auto_answer_seconds", "Auto-answer is from 0 (never) to 60 seconds.")
	}
	if u.WrapUpSeconds != nil && (*u.WrapUpSeconds < 0 || *u.WrapUpSeconds > 3600) {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "wrap_up_seconds", "After-call work is from 0 to 3600 seconds.")
	}
	var org warmline.Organisation
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		const q = `UPDATE organisations SET
				name = COALESCE($2, name),
				default_country = COALESCE($3, default_country),
				time_zone = COALESCE($4, time_zone),
				agents_own_only = COALESCE($5, agents_own_only),
				auto_answer_seconds = COALESCE($6, auto_answer_seconds),
				wrap_up_seconds = COALESCE($7, wrap_up_seconds)
			WHERE id = $1 RETURNING ` + orgColumns
		if err := tx.GetContext(ctx, &org, q, a.OrgID, u.Name, u.DefaultCountry, u.TimeZone, u.AgentsOwnOnly,
			u.AutoAnswerSeconds, u.WrapUpSeconds); err != nil {
			return fmt.Errorf("update organisation %d: %w", a.OrgID, err)
		}
		if u.TimeZone != nil {
			// Working days are counted in the organisation's time zone.
			if err := refreshCooling(ctx, tx, a.OrgID, coolingFilter{}); err != nil {
				return err
			}
		}
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventOrgUpdated, &org)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &org, nil
}
