package csvimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/warmline/warmline/backend/warmline"
)

// Parse reads a whole CSV file, maps its columns to client fields by
// header name and returns a row for every good data line, and an error for
// every bad one (at most one per line: the first problem found). Lines are
// numbered as a spreadsheet shows them, the header being line 1; a record
// whose quoted field spans lines has the number of the line it starts on.
// Blank lines are skipped.
//
// mapping maps header names (as Preview returns them) to Fields or "" to
// ignore a column. Several columns may map to a field: phones are all kept,
// names are joined with spaces ("Фамилия", "Имя", "Отчество"), notes with
// newlines, and any other field takes the first non-empty value.
//
// err is a *warmline.Error (EINVALID or ETOOLARGE) when the mapping is
// wrong or the file cannot be read as a whole: not CSV, no header, over
// limits. Errors reading r are returned wrapped.
func Parse(r io.Reader, mapping map[string]string, limits Limits) (rows []warmline.ImportRow, errs []warmline.ImportError, err error) {
	limits = limits.withDefaults()
	raw, err := io.ReadAll(io.LimitReader(r, limits.MaxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read csv: %w", err)
	}
	if int64(len(raw)) > limits.MaxBytes {
		return nil, nil, warmline.FieldErrorf(warmline.ETOOLARGE, "file", "The file is larger than %s.", formatBytes(limits.MaxBytes))
	}
	text, _, delim, err := sniff(raw, false, limits.MaxFieldBytes)
	if err != nil {
		return nil, nil, err
	}

	rr := newRecordReader(text, delim)
	header, headerLine, err := readHeader(rr, limits)
	if err != nil {
		return nil, nil, err
	}
	cols, err := mapColumns(header, mapping)
	if err != nil {
		return nil, nil, err
	}

	var n int
	for {
		rec, line, endLine, err := rr.next()
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return rows, errs, nil
		case errors.As(err, &pe):
			// Lazy quotes make this rare; report the line and read on.
			n++
			errs = append(errs, warmline.ImportError{Line: max(pe.StartLine, headerLine+1), Error: "The line is not valid CSV: " + pe.Err.Error() + "."})
			continue
		}
		if n++; n > limits.MaxRows {
			return nil, nil, warmline.FieldErrorf(warmline.ETOOLARGE, "file", "The file has more than %d data rows; split it into smaller files.", limits.MaxRows)
		}
		if err := checkFieldSizes(rec, line, limits); err != nil {
			return nil, nil, err
		}
		row, ierr := buildRow(rec, cols, line, endLine)
		if ierr != nil {
			errs = append(errs, *ierr)
			continue
		}
		rows = append(rows, row)
	}
}

// readHeader returns the first non-blank record, trimmed, and its line.
func readHeader(rr *recordReader, limits Limits) ([]string, int, error) {
	for {
		rec, line, _, err := rr.next()
		if errors.Is(err, io.EOF) {
			return nil, 0, warmline.FieldErrorf(warmline.EINVALID, "file", "The file has no header line.")
		} else if err != nil {
			continue
		}
		if err := checkFieldSizes(rec, line, limits); err != nil {
			return nil, 0, err
		}
		return trimAll(rec), line, nil
	}
}

// checkFieldSizes checks a record's fields as read; sniff has checked them
// as written, which bounds them already, but this keeps Parse's promise
// independent of that.
func checkFieldSizes(rec []string, line int, limits Limits) error {
	for _, f := range rec {
		if len(f) > limits.MaxFieldBytes {
			return fieldTooLong(line, limits.MaxFieldBytes)
		}
	}
	return nil
}

func fieldTooLong(line, max int) error {
	return warmline.FieldErrorf(warmline.ETOOLARGE, "file",
		"Line %d has a field longer than %s; a quote may be left open.", line, formatBytes(int64(max)))
}

// mapColumns returns the field of each column of header, checking mapping.
func mapColumns(header []string, mapping map[string]string) ([]string, error) {
	inFile := make(map[string]bool, len(header))
	for _, h := range header {
		inFile[h] = true
	}
	// Sorted keys give the same error for the same mapping every time.
	byHeader := make(map[string]string, len(mapping))
	keys := make([]string, 0, len(mapping))
	for k := range mapping {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h, f := strings.TrimSpace(k), strings.TrimSpace(mapping[k])
		if f == "" {
			continue
		}
		if !validField(f) {
			return nil, warmline.FieldErrorf(warmline.EINVALID, "mapping",
				"Column %q is mapped to %q, which is not a field; use one of %s.", k, f, strings.Join(Fields, ", "))
		}
		if !inFile[h] {
			return nil, warmline.FieldErrorf(warmline.EINVALID, "mapping", "Column %q is not in the file.", k)
		}
		byHeader[h] = f
	}
	cols := make([]string, len(header))
	hasName := false
	for i, h := range header {
		cols[i] = byHeader[h]
		hasName = hasName || cols[i] == FieldName
	}
	if !hasName {
		return nil, warmline.FieldErrorf(warmline.EINVALID, "mapping", "Map a column to the client's name.")
	}
	return cols, nil
}

// buildRow maps one record, or says what is wrong with it.
func buildRow(rec, cols []string, line, endLine int) (warmline.ImportRow, *warmline.ImportError) {
	row := warmline.ImportRow{Line: line}
	fail := func(field, value, format string, args ...any) (warmline.ImportRow, *warmline.ImportError) {
		return warmline.ImportRow{}, &warmline.ImportError{Line: line, Field: field, Error: fmt.Sprintf(format, args...), Value: clip(value)}
	}
	if len(rec) < len(cols) || (len(rec) > len(cols) && !isBlank(rec[len(cols):])) {
		msg := fmt.Sprintf("Expected %d fields as in the header, found %d.", len(cols), len(rec))
		if endLine > line {
			msg += fmt.Sprintf(" The record runs on to line %d; a quote may be left open.", endLine)
		}
		return fail("", "", "%s", msg)
	}
	var names, notes []string
	for i, f := range cols {
		v := cleanCell(rec[i])
		if f == "" || v == "" {
			continue
		}
		switch f {
		case FieldName:
			names = append(names, v)
		case FieldNotes:
			notes = append(notes, v)
		case FieldPhone:
			for _, p := range splitPhones(v) {
				if utf8.RuneCountInString(p) > maxPhone {
					return fail(FieldPhone, p, "The phone is longer than %d characters.", maxPhone)
				}
				row.Phones = append(row.Phones, p)
			}
		case FieldCompany:
			setFirst(&row.Company, v)
		case FieldEmail:
			setFirst(&row.Email, v)
		case FieldChannel:
			setFirst(&row.Channel, v)
		case FieldOwnerEmail:
			setFirst(&row.OwnerEmail, v)
		case FieldStage:
			setFirst(&row.Stage, v)
		}
	}
	row.Name = strings.Join(names, " ")
	row.Notes = strings.Join(notes, "\n")

	if row.Name == "" {
		return fail(FieldName, "", "The name is empty.")
	}
	for _, c := range []struct {
		field, value string
		max          int
	}{
		{FieldName, row.Name, maxName},
		{FieldCompany, row.Company, maxCompany},
		{FieldEmail, row.Email, maxEmail},
		{FieldChannel, row.Channel, maxChannel},
		{FieldOwnerEmail, row.OwnerEmail, maxEmail},
		{FieldStage, row.Stage, maxStage},
		{FieldNotes, row.Notes, maxNotes},
	} {
		if n := utf8.RuneCountInString(c.value); n > c.max {
			return fail(c.field, c.value, "The value has %d characters; at most %d are allowed.", n, c.max)
		}
	}
	if row.Email != "" && !warmline.ValidEmail(strings.ToLower(row.Email)) {
		return fail(FieldEmail, row.Email, "Not an e-mail address.")
	}
	// The owner may be an e-mail or a person's name (Bitrix24 and amoCRM
	// export "Ответственный" as a name); the import store resolves both.
	return row, nil
}

// cleanCell trims a value and undoes the formula guard of the export (see
// guardCell), so that an exported file imports back unchanged.
func cleanCell(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte(formulaStarts, s[1]) >= 0 {
		s = s[1:]
	}
	return s
}

// splitPhones splits a cell that holds several phones ("8 901 …, 8 495 …").
func splitPhones(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '/' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func setFirst(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// clip shortens a value quoted in an error report.
func clip(s string) string {
	const max = 100
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
