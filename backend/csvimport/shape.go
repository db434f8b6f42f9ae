package csvimport

// maxFields bounds the fields of one record. encoding/csv spends some 80
// bytes of bookkeeping per field while it reads a record, so a single line
// of 20 MiB of commas would cost gigabytes before the record could be
// looked at; measure counts fields first, in one pass and no memory.
const maxFields = 2000

// shape is what measure finds in a text: its widest record and its
// longest field, each with the line its record starts on.
type shape struct {
	widest, widestLine   int
	longest, longestLine int // bytes as written, quotes included
}

// measure reads text exactly as encoding/csv does with LazyQuotes, without
// keeping anything: a field is quoted when its first byte is a quote; in a
// quoted field "" is a quote, a quote followed by the delimiter, a line end
// or the end of the text closes the field, and any other quote is text, as
// is every quote in an unquoted field. Blank lines, which encoding/csv
// skips, count as records of one empty field. FuzzMeasure holds it to
// encoding/csv.
func measure(text []byte, delim byte) shape {
	var s shape
	fields, fieldLen, line, recLine := 1, 0, 1, 1
	quoted, fieldStart := false, true
	endField := func() {
		if fieldLen > s.longest {
			s.longest, s.longestLine = fieldLen, recLine
		}
		fieldLen = 0
	}
	endRecord := func() {
		endField()
		if fields > s.widest {
			s.widest, s.widestLine = fields, recLine
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if quoted {
			fieldLen++
			switch {
			case c == '\n':
				line++
			case c == '"' && i+1 < len(text) && text[i+1] == '"':
				i++
				fieldLen++
			case c == '"' && closesQuote(text[i+1:], delim):
				quoted = false
			}
			continue
		}
		switch {
		case c == delim:
			endField()
			fields++
			fieldStart = true
		case c == '\n':
			endRecord()
			line++
			fields, fieldStart, recLine = 1, true, line
		case c == '"' && fieldStart:
			quoted, fieldStart = true, false
			fieldLen++
		default:
			fieldStart = false
			fieldLen++
		}
	}
	endRecord()
	return s
}

// closesQuote reports whether a quote in a quoted field followed by rest
// ends the field: the delimiter, a line end ("\n", or "\r\n", which
// encoding/csv reads as "\n") or the end of the text.
func closesQuote(rest []byte, delim byte) bool {
	switch {
	case len(rest) == 0, rest[0] == delim, rest[0] == '\n':
		return true
	case rest[0] == '\r':
		return len(rest) == 1 || rest[1] == '\n'
	}
	return false
}
