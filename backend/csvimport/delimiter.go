package csvimport

import (
	"errors"
	"io"
)

// delimiters are the separators a file may use, in order of preference
// when they split it equally well.
var delimiters = []rune{',', ';', '\t'}

// sniffRecords is how many records decide the delimiter.
const sniffRecords = 20

// sniffBytes is how much of the text decides the delimiter and encoding
// for Preview and Parse alike.
const sniffBytes = 64 << 10

// sepHint reads the "sep=;" line Excel writes and honours at the top of a
// file. It returns the delimiter and the text with that line blanked, so
// that line numbers stay as the spreadsheet shows them.
func sepHint(text []byte) ([]byte, rune, bool) {
	const prefix = "sep="
	if len(text) < len(prefix)+1 || string(text[:len(prefix)]) != prefix {
		return text, 0, false
	}
	rest := text[len(prefix)+1:]
	if len(rest) > 0 && rest[0] == '\r' {
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0] != '\n' {
		return text, 0, false
	}
	for _, d := range delimiters {
		if rune(text[len(prefix)]) == d {
			return rest, d, true
		}
	}
	return text, 0, false
}

// detectDelimiter chooses the delimiter under which the first records of
// text have the same number of fields as the header line, respecting
// quotes. A delimiter must split the header into at least two fields; ties
// go to the one giving more columns, then to the order of delimiters. A
// file of one column gets a comma. cut says text is the head of a longer
// file, so its last record may be incomplete and is not counted.
func detectDelimiter(text []byte, cut bool) rune {
	best, bestScore, bestWidth := delimiters[0], 0.0, 1
	for _, d := range delimiters {
		width, score := splitScore(text, d, cut)
		if width < 2 {
			continue
		}
		if score > bestScore || (score == bestScore && width > bestWidth) {
			best, bestScore, bestWidth = d, score, width
		}
	}
	return best
}

// splitScore returns the header width under delim and the share of the
// first records (header included) that have exactly that many fields.
func splitScore(text []byte, delim rune, cut bool) (width int, score float64) {
	rr := newRecordReader(text, delim)
	var widths []int
	for len(widths) < sniffRecords+1 {
		rec, _, _, err := rr.next()
		if errors.Is(err, io.EOF) {
			if cut && len(widths) > 1 {
				widths = widths[:len(widths)-1]
			}
			break
		} else if err != nil {
			continue
		}
		widths = append(widths, len(rec))
	}
	if len(widths) > sniffRecords {
		widths = widths[:sniffRecords]
	}
	if len(widths) == 0 {
		return 0, 0
	}
	same := 0
	for _, w := range widths {
		if w == widths[0] {
			same++
		}
	}
	return widths[0], float64(same) / float64(len(widths))
}
