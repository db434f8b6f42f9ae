// Package migrations holds the SQL migrations, applied in file-name order by
// goose (`warmline migrate`, or at `warmline serve` start). They are append-only:
// never edit a file that has been released; add a new one.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
