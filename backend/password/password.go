// Package password hashes and checks passwords with argon2id (RFC 9106).
package password

import (
	"fmt"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"github.com/warmline/warmline/backend/warmline"
)

// params follow OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): about
// 30 ms per hash here, cheap for a login and costly for an offline guesser.
var params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// MinLength and MaxLength bound a password, in characters.
const (
	MinLength = 10
	MaxLength = 200
)

// Validate checks a new password; field names the JSON field for the error.
func Validate(pw, field string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinLength {
		return warmline.FieldErrorf(warmline.EINVALID, field, "The password must be at least %d characters long.", MinLength)
	} else if n > MaxLength {
		return warmline.FieldErrorf(warmline.EINVALID, field, "The password must be at most %d characters long.", MaxLength)
	}
	return nil
}

// Hash returns the PHC-encoded argon2id hash of pw.
func Hash(pw string) (string, error) {
	h, err := argon2id.CreateHash(pw, params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// Check reports whether pw matches hash. An empty hash is checked against a
// dummy one so that unknown accounts take as long as known ones.
func Check(pw, hash string) bool {
	if hash == "" {
		hash = dummy
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok && hash != dummy
}

var dummy = func() string {
	h, err := argon2id.CreateHash("no account has this password", params)
	if err != nil {
		panic(err)
	}
	return h
}()
