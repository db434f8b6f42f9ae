package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// maxStoredErrors bounds the error report kept for one import.
const maxStoredErrors = 1000

// staleImport is how long a running import may go without a heartbeat
// before it is considered dead (its process was killed).
const staleImport = 2 * time.Minute

// ImportStore implements warmline.ImportService: imports run in the
// background and report progress in their row.
type ImportStore struct {
	db  *DB
	log *slog.Logger
	// progressEvery is how many rows pass between progress updates.
	progressEvery int
}

// NewImportStore returns an ImportStore on db.
func NewImportStore(db *DB, log *slog.Logger) *ImportStore {
	return &ImportStore{db: db, log: log, progressEvery: 200}
}

var _ warmline.ImportService = (*ImportStore)(nil)

const importColumns = `id, file_name, mode, status, total_rows, processed, created, skipped, errors, message, created_at, finished_at`

// FindImport returns an import of the caller's organisation. A running
// import whose worker stopped beating is reported, and recorded, as failed.
func (s *ImportStore) FindImport(ctx context.Context, id int64) (*warmline.Import, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	const qs = `UPDATE imports SET status = 'failed', finished_at = now(),
			message = 'The import was interrupted (the server stopped); nothing of it was saved. Start it again.'
		WHERE org_id = $1 AND id = $2 AND status = 'running' AND updated_at < now() - $3::interval`
	if _, err := s.db.ExecContext(ctx, qs, a.OrgID, id, interval(staleImport)); err != nil {
		return nil, fmt.Errorf("expire import %d: %w", id, err)
	}
	var im warmline.Import
	err = s.db.GetContext(ctx, &im, `SELECT `+importColumns+` FROM imports WHERE org_id = $1 AND id = $2`, a.OrgID, id)
	if err := notFound(err, fmt.Sprintf("Import %d not found.", id), "select import"); err != nil {
		return nil, err
	}
	return &im, nil
}

// StartImport records the import and runs it in the background. rows are
// the file's well-formed lines; parseErrors the lines the CSV reader
// already rejected. With all_or_nothing, any error means nothing is written.
func (s *ImportStore) StartImport(ctx context.Context, fileName, mode string, rows []warmline.ImportRow, parseErrors []warmline.ImportError) (*warmline.Import, error) {
	a, err := warmline.MustActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(warmline.RoleSupervisor); err != nil {
		return nil, err
	}
	if mode != warmline.ImportAllOrNothing && mode != warmline.ImportSkipBadRows {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "mode", "Mode must be all_or_nothing or skip_bad_rows.")
	}
	if len(rows) == 0 && len(parseErrors) == 0 {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "file", "The file has no data rows.")
	}
	if len(fileName) > 200 {
		fileName = fileName[:200]
	}
	var im warmline.Import
	const q = `INSERT INTO imports (org_id, created_by, file_name, mode, status, total_rows, errors)
		VALUES ($1, $2, $3, $4, 'running', $5, $6) RETURNING ` + importColumns
	if err := s.db.GetContext(ctx, &im, q, a.OrgID, a.UserID, fileName, mode, len(rows)+len(parseErrors), capErrors(parseErrors)); err != nil {
		return nil, fmt.Errorf("insert import: %w", err)
	}
	// The import outlives the request that started it, but keeps its actor.
	bg := warmline.WithActor(context.WithoutCancel(ctx), a)
	go s.run(bg, im.ID, mode, rows, parseErrors)
	return &im, nil
}

// run validates and writes the rows, then records the outcome.
func (s *ImportStore) run(ctx context.Context, id int64, mode string, rows []warmline.ImportRow, errs []warmline.ImportError) {
	created, skipped, errs, err := s.importRows(ctx, id, mode, rows, errs)
	status, msg := warmline.ImportDone, ""
	switch {
	case err != nil && warmline.ErrorCode(err) != warmline.EINTERNAL:
		status, msg = warmline.ImportFailed, warmline.ErrorMessage(err)
	case err != nil:
		s.log.Error("import failed", "import", id, "err", err)
		status, msg = warmline.ImportFailed, "The import failed because of a server error; nothing was saved."
	case len(errs) > maxStoredErrors:
		msg = fmt.Sprintf("%d lines had errors; the first %d are listed.", len(errs), maxStoredErrors)
	}
	a, _ := warmline.ActorFrom(ctx)
	const q = `UPDATE imports SET status = $3, processed = total_rows, created = $4, skipped = $5, errors = $6,
			message = $7, finished_at = now(), updated_at = now()
		WHERE org_id = $1 AND id = $2`
	if _, err := s.db.ExecContext(ctx, q, a.OrgID, id, status, created, skipped, capErrors(errs), msg); err != nil {
		s.log.Error("record import outcome", "import", id, "err", err)
	}
}

func capErrors(errs []warmline.ImportError) warmline.ImportErrors {
	if len(errs) > maxStoredErrors {
		errs = errs[:maxStoredErrors]
	}
	return warmline.ImportErrors(errs)
}

// ambiguousUser marks a user name that more than one user has.
const ambiguousUser = warmline.UserID(-1)

// importRefs resolves what rows name by text: stages by name, owners by e-mail.
type importRefs struct {
	country string
	stages  map[string]warmline.StageID
	users   map[string]warmline.UserID
}

func loadImportRefs(ctx context.Context, db *DB, org warmline.OrgID) (*importRefs, error) {
	r := &importRefs{stages: map[string]warmline.StageID{}, users: map[string]warmline.UserID{}}
	var err error
	if r.country, err = orgCountry(ctx, db, org); err != nil {
		return nil, err
	}
	var stages []struct {
		ID   warmline.StageID `db:"id"`
		Name string           `db:"name"`
	}
	if err := db.SelectContext(ctx, &stages, `SELECT id, name FROM stages WHERE org_id = $1 AND deleted_at IS NULL`, org); err != nil {
		return nil, fmt.Errorf("select stages for import: %w", err)
	}
	for _, st := range stages {
		r.stages[strings.ToLower(st.Name)] = st.ID
	}
	var users []struct {
		ID    warmline.UserID `db:"id"`
		Email string          `db:"email"`
		Name  string          `db:"name"`
	}
	if err := db.SelectContext(ctx, &users, `SELECT id, email, name FROM users WHERE org_id = $1 AND active`, org); err != nil {
		return nil, fmt.Errorf("select users for import: %w", err)
	}
	// CRMs export the owner as an e-mail or as a person's name; a name two
	// users share resolves to neither (ambiguousUser).
	for _, u := range users {
		r.users[u.Email] = u.ID
		name := strings.ToLower(strings.TrimSpace(u.Name))
		if _, dup := r.users[name]; dup {
			r.users[name] = ambiguousUser
		} else {
			r.users[name] = u.ID
		}
	}
	return r, nil
}

// importRows checks every row against the organisation (phones, stage and
// owner names, duplicates in the file and in the database), then writes the
// good ones in one transaction, so an import is never half-saved.
func (s *ImportStore) importRows(ctx context.Context, id int64, mode string, rows []warmline.ImportRow, errs []warmline.ImportError) (created, skipped int, _ []warmline.ImportError, _ error) {
	a, _ := warmline.ActorFrom(ctx)
	total := len(rows) + len(errs)
	refs, err := loadImportRefs(ctx, s.db, a.OrgID)
	if err != nil {
		return 0, 0, errs, err
	}
	var good []warmline.ClientInput
	var goodLines []int
	seen := map[string]int{} // phone → line that has it
	for _, r := range rows {
		in, rowErr := refs.clientInput(r, seen)
		if rowErr != nil {
			errs = append(errs, *rowErr)
			continue
		}
		good = append(good, in)
		goodLines = append(goodLines, r.Line)
	}
	if mode == warmline.ImportAllOrNothing && len(errs) > 0 {
		return 0, total, sortErrors(errs), warmline.Errorf(warmline.EINVALID,
			"%d lines have errors, so nothing was imported (all-or-nothing). Fix them, or import with 'skip bad rows'.", len(errs))
	}
	checked := len(errs) // rows already settled by validation
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var ids []warmline.ClientID
		for i, in := range good {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			cid, err := createClient(ctx, tx, a, in, "imported")
			if code := warmline.ErrorCode(err); code == warmline.EINTERNAL {
				return err
			} else if err != nil {
				// A duplicate already in the database, or a bad reference: this row only.
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_row`); rerr != nil {
					return fmt.Errorf("rollback row: %w", rerr)
				}
				errs = append(errs, warmline.ImportError{Line: goodLines[i], Field: importField(warmline.ErrorField(err)), Error: warmline.ErrorMessage(err)})
				if mode == warmline.ImportAllOrNothing {
					return warmline.Errorf(warmline.EINVALID, "Line %d: %s Nothing was imported (all-or-nothing).", goodLines[i], warmline.ErrorMessage(err))
				}
			} else {
				created++
				ids = append(ids, cid)
			}
			if (i+1)%s.progressEvery == 0 {
				s.progress(ctx, a.OrgID, id, checked+i+1)
			}
		}
		// The rules see the new clients now, not at the next sweep.
		if len(ids) > 0 {
			if _, err := evaluate(ctx, tx, engineNow(), scope{org: a.OrgID, clients: ids}); err != nil {
				return err
			}
		}
		_, err := appendEvent(ctx, tx, a.OrgID, warmline.EventClientsImported, map[string]any{"import_id": id, "created": created})
		return err
	})
	if err != nil {
		return 0, total, sortErrors(errs), err
	}
	return created, total - created, sortErrors(errs), nil
}

// progress records how many rows are done; it also is the heartbeat.
func (s *ImportStore) progress(ctx context.Context, org warmline.OrgID, id int64, done int) {
	const q = `UPDATE imports SET processed = LEAST($3, total_rows), updated_at = now() WHERE org_id = $1 AND id = $2`
	if _, err := s.db.ExecContext(ctx, q, org, id, done); err != nil {
		s.log.Warn("record import progress", "import", id, "err", err)
	}
}

// clientInput turns a row into a client, or says why it cannot be one.
func (r *importRefs) clientInput(row warmline.ImportRow, seen map[string]int) (warmline.ClientInput, *warmline.ImportError) {
	fail := func(field, value, format string, args ...any) (warmline.ClientInput, *warmline.ImportError) {
		return warmline.ClientInput{}, &warmline.ImportError{Line: row.Line, Field: field, Value: value, Error: fmt.Sprintf(format, args...)}
	}
	var phones []string
	for _, p := range row.Phones {
		e, ok := phone.Normalize(p, r.country)
		if !ok {
			return fail("phone", p, "Not a phone number.")
		}
		if line, dup := seen[e]; dup {
			return fail("phone", p, "Duplicate of line %d.", line)
		}
		phones = append(phones, e)
	}
	in := warmline.ClientInput{Name: &row.Name, Company: &row.Company, Phones: &phones, Email: &row.Email,
		Channel: &row.Channel, Notes: &row.Notes}
	if row.Stage != "" {
		id, ok := r.stages[strings.ToLower(strings.TrimSpace(row.Stage))]
		if !ok {
			return fail("stage", row.Stage, "No stage with this name.")
		}
		in.StageID = &id
	}
	if row.OwnerEmail != "" {
		id, ok := r.users[strings.ToLower(strings.TrimSpace(row.OwnerEmail))]
		if !ok {
			return fail("owner_email", row.OwnerEmail, "No active user with this e-mail or name.")
		} else if id == ambiguousUser {
			return fail("owner_email", row.OwnerEmail, "Several users have this name; give the owner's e-mail.")
		}
		in.OwnerID = &id
	} else {
		none := warmline.UserID(0)
		in.OwnerID = &none
	}
	for _, e := range phones {
		seen[e] = row.Line
	}
	return in, nil
}

// importField names a client field as the import's columns do.
func importField(f string) string {
	switch f {
	case "phones":
		return "phone"
	case "owner_id":
		return "owner_email"
	case "stage_id":
		return "stage"
	}
	return f
}

// sortErrors orders the report by line, as the file reads.
func sortErrors(errs []warmline.ImportError) []warmline.ImportError {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return errs
}
