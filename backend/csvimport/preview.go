package csvimport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/warmline/warmline/backend/warmline"
)

// previewRows is how many data rows a preview shows.
const previewRows = 5

// FilePreview is what the import dialog shows before the user maps columns.
type FilePreview struct {
	Encoding  string `json:"encoding"`  // EncodingUTF8 or EncodingWindows1251
	Delimiter string `json:"delimiter"` // ",", ";" or "\t"
	// Headers are the header line's fields, trimmed; mapping keys refer to them.
	Headers []string `json:"headers"`
	// Rows are the first data rows as written in the file.
	Rows [][]string `json:"rows"`
	// SuggestedMapping maps every header to a field or "" (ignore).
	SuggestedMapping map[string]string `json:"suggested_mapping"`
}

// Preview reads no more than the first 64 KiB of r and returns the file's
// encoding, delimiter, header and first rows, with a suggested mapping.
// It fails with EINVALID when that head is not CSV text or has no header,
// and with ETOOLARGE when the header alone does not fit in it.
func Preview(r io.Reader) (*FilePreview, error) {
	head := make([]byte, sniffBytes+1)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("read csv head: %w", err)
	}
	head = head[:n]
	cut := n > sniffBytes // the file goes on past the head
	if cut {
		// Keep whole lines, which also keeps whole characters.
		i := bytes.LastIndexAny(head[:sniffBytes], "\n\r")
		if i < 0 {
			return nil, headerTooLong()
		}
		head = head[:i+1]
	}
	text, enc, delim, err := sniff(head, cut, DefaultMaxFieldBytes)
	if err != nil {
		return nil, err
	}

	rr := newRecordReader(text, delim)
	var recs [][]string
	for len(recs) < 1+previewRows+1 {
		rec, _, _, err := rr.next()
		if errors.Is(err, io.EOF) {
			// A quoted field that runs to the end of a cut head may go
			// on past it: leave its record out.
			if last := len(recs) - 1; cut && last >= 0 && strings.ContainsRune(recs[last][len(recs[last])-1], '\n') {
				if recs = recs[:last]; len(recs) == 0 {
					return nil, headerTooLong()
				}
			}
			break
		} else if err != nil {
			continue // a malformed line does not stop the preview
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "file", "The file has no header line.")
	}
	headers := trimAll(recs[0])
	rows := recs[1:]
	if len(rows) > previewRows {
		rows = rows[:previewRows]
	}
	return &FilePreview{
		Encoding:         enc,
		Delimiter:        string(delim),
		Headers:          headers,
		Rows:             rows,
		SuggestedMapping: SuggestMapping(headers),
	}, nil
}

func headerTooLong() error {
	return warmline.FieldErrorf(warmline.ETOOLARGE, "file", "The header line is longer than %d KiB; is this a CSV file?", sniffBytes>>10)
}

// sniff decodes b, finds its delimiter from its first 64 KiB and checks
// that no record is wider than maxFields or has a field longer than
// maxFieldBytes as written; Preview and Parse both read files through it.
// cut says b is the head of a longer file.
func sniff(b []byte, cut bool, maxFieldBytes int) (text []byte, enc string, delim rune, err error) {
	if len(b) == 0 {
		return nil, "", 0, warmline.FieldErrorf(warmline.EINVALID, "file", "The file is empty.")
	}
	text, enc, err = decode(b)
	if err != nil {
		return nil, "", 0, err
	}
	text = normalizeNewlines(text)
	text, delim, ok := sepHint(text)
	if !ok {
		sample := text
		if len(sample) > sniffBytes {
			sample, cut = sample[:sniffBytes], true
		}
		delim = detectDelimiter(sample, cut)
	}
	// Refuse what would make encoding/csv allocate out of proportion.
	sh := measure(text, byte(delim))
	if sh.widest > maxFields {
		return nil, "", 0, warmline.FieldErrorf(warmline.ETOOLARGE, "file",
			"Line %d has more than %d fields; is this a CSV file?", sh.widestLine, maxFields)
	}
	if sh.longest > maxFieldBytes {
		return nil, "", 0, fieldTooLong(sh.longestLine, maxFieldBytes)
	}
	return text, enc, delim, nil
}

func trimAll(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = strings.TrimSpace(f)
	}
	return out
}
