package csvimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// recordReader reads the non-blank records of decoded CSV text with the
// physical line each one starts on.
type recordReader struct {
	cr *csv.Reader
}

func newRecordReader(text []byte, delim rune) *recordReader {
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = delim
	// Hand-made files put quotes inside unquoted fields (ООО "Ромашка");
	// lazy quotes keep them as text instead of rejecting the line.
	cr.LazyQuotes = true
	// Field counts are checked per row, so that one bad line is reported
	// and the rest of the file is still read.
	cr.FieldsPerRecord = -1
	return &recordReader{cr: cr}
}

// next returns the next record that has a non-blank field, the line it
// starts on and the line it ends on. It returns io.EOF at the
// end and a *csv.ParseError for a malformed record, after which reading may
// go on.
func (r *recordReader) next() (rec []string, line, endLine int, err error) {
	for {
		rec, err = r.cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) || errors.Is(err, io.EOF) {
				return nil, 0, 0, err
			}
			// Reading from memory fails only on a bug; treat it as the end.
			return nil, 0, 0, io.EOF
		}
		if isBlank(rec) {
			continue
		}
		line, _ = r.cr.FieldPos(0)
		last := len(rec) - 1
		endLine, _ = r.cr.FieldPos(last)
		// The reader has turned quoted "\r\n" into "\n", so this counts
		// the physical lines a quoted last field runs over. A quote left
		// open to the end of the file takes the file's last newline too.
		endLine += strings.Count(strings.TrimRight(rec[last], "\n"), "\n")
		return rec, line, endLine, nil
	}
}

// isBlank reports whether every field of rec is empty or spaces: a blank
// line, or a row of bare delimiters that spreadsheets leave at the end.
func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
