package csvimport

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/warmline/warmline/backend/warmline"
)

// Encodings a file is read as.
const (
	EncodingUTF8        = "utf-8"
	EncodingWindows1251 = "windows-1251"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decode returns b as UTF-8 text and the encoding it was read as. A file
// with a UTF-8 byte-order mark is UTF-8; so is one that is valid UTF-8, or
// nearly so (a stray bad byte in an otherwise UTF-8 file). Anything else is
// read as Windows-1251, in which every byte is a character: Cyrillic text
// in Windows-1251 is practically never valid UTF-8, so the test is safe.
func decode(b []byte) ([]byte, string, error) {
	if err := checkText(b); err != nil {
		return nil, "", err
	}
	if bytes.HasPrefix(b, utf8BOM) {
		return validUTF8(b[len(utf8BOM):]), EncodingUTF8, nil
	}
	if mostlyUTF8(b) {
		return validUTF8(b), EncodingUTF8, nil
	}
	// The Windows-1251 decoder maps every byte (the one unassigned byte,
	// 0x98, becomes U+FFFD) and cannot fail.
	out, err := charmap.Windows1251.NewDecoder().Bytes(b)
	if err != nil {
		return nil, "", warmline.FieldErrorf(warmline.EINVALID, "file", "The file is neither UTF-8 nor Windows-1251 text.")
	}
	return out, EncodingWindows1251, nil
}

// validUTF8 replaces the bad bytes of b, copying it only when it has some.
func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

// mostlyUTF8 reports whether b is UTF-8 with at most one bad byte in ten
// multi-byte characters.
func mostlyUTF8(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	var multi, bad int
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			bad++
		case size > 1:
			multi++
		}
		b = b[size:]
	}
	return bad*10 <= multi
}

// checkText rejects files that are not text at all, naming what they look
// like when that helps the user save the right thing.
func checkText(b []byte) error {
	fail := func(msg string) error { return warmline.FieldErrorf(warmline.EINVALID, "file", "%s", msg) }
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return fail("This is an Excel workbook (.xlsx) or another archive, not CSV. In Excel use File → Save As → CSV UTF-8 and upload that file.")
	case bytes.HasPrefix(b, []byte("\xD0\xCF\x11\xE0")):
		return fail("This is an old Excel workbook (.xls), not CSV. In Excel use File → Save As → CSV UTF-8 and upload that file.")
	case bytes.HasPrefix(b, []byte("\xFF\xFE")), bytes.HasPrefix(b, []byte("\xFE\xFF")):
		return fail("The file is saved as UTF-16 (\"Unicode text\"). Save it as CSV UTF-8 and upload it again.")
	case bytes.HasPrefix(b, []byte("%PDF")):
		return fail("This is a PDF document, not CSV.")
	case bytes.IndexByte(b, 0) >= 0:
		return fail("The file is binary, not CSV text.")
	}
	return nil
}

// normalizeNewlines turns the lone carriage returns of "CSV (Macintosh)"
// files into newlines; encoding/csv only ends lines at "\n".
func normalizeNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\n') < 0 && bytes.IndexByte(b, '\r') >= 0 {
		return bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
	}
	return b
}
