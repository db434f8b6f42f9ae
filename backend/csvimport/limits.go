package csvimport

// Limits bound what Parse accepts; a zero field takes its default.
// Exceeding any of them makes Parse fail with ETOOLARGE.
type Limits struct {
	// MaxBytes bounds the size of the file as uploaded (default 20 MiB).
	MaxBytes int64
	// MaxRows bounds the number of non-blank data lines (default 100 000).
	MaxRows int
	// MaxFieldBytes bounds one field, decoded to UTF-8 and counted as
	// written, quotes included (default 80 000). A field this long is almost always an unclosed quote that
	// swallowed the rest of the file. The default leaves room for the
	// longest value a client may hold (notes, 20 000 characters) in any
	// script: Cyrillic takes two bytes a character, some scripts four.
	MaxFieldBytes int
}

// Default limits.
const (
	DefaultMaxBytes      = 20 << 20
	DefaultMaxRows       = 100_000
	DefaultMaxFieldBytes = 4 * maxNotes
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxFieldBytes <= 0 {
		l.MaxFieldBytes = DefaultMaxFieldBytes
	}
	return l
}
