package csvimport

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/warmline/warmline/backend/warmline"
)

// fuzzLimits keep the fuzzer's files small and reach the limits often.
var fuzzLimits = Limits{MaxBytes: 64 << 10, MaxRows: 200, MaxFieldBytes: 2048}

// lineCount is the number of lines of data as a spreadsheet counts them:
// newlines, or carriage returns in a file without any newline.
func lineCount(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if n == 0 {
		n = bytes.Count(data, []byte("\r"))
	}
	return n + 1
}

func fuzzSeeds(f *testing.F) {
	f.Add([]byte("ФИО,Телефон,Email\nИрина Смирнова,+7 901 234-56-78,irina@example.ru\n"))
	f.Add([]byte("\uFEFFФИО;Телефон;Примечание\r\nИрина;\"1, 2 / 3\";\"две\r\nстроки\"\r\n;\r\nСергей;4;\r\n"))
	f.Add([]byte(win1251(f, "ФИО;Компания;Телефон\r\nЁлкина Анна;ООО «Ромашка»;8 (901) 234-56-78\r\n")))
	f.Add([]byte("sep=;\nName;Phone\n\"open quote;1\nx;2\n"))
	f.Add([]byte("a\rb\r\"c\rd\"\r"))
	f.Add([]byte("Name\tPhone\tOwner\n\"John\"\" Smith\"\t+44 20 7946 0123\tbad-email\n"))
	f.Add([]byte("\n\n"))
	f.Add([]byte("name,company,phones\n'=1+1,'-x,\"+79012345678, +74951234567\"\n"))
}

func FuzzPreview(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Preview(bytes.NewReader(data))
		if err != nil {
			checkFileError(t, err)
			return
		}
		if p.Encoding != EncodingUTF8 && p.Encoding != EncodingWindows1251 {
			t.Errorf("encoding %q", p.Encoding)
		}
		if p.Delimiter != "," && p.Delimiter != ";" && p.Delimiter != "\t" {
			t.Errorf("delimiter %q", p.Delimiter)
		}
		if len(p.Headers) == 0 || len(p.Rows) > previewRows {
			t.Errorf("%d headers, %d rows", len(p.Headers), len(p.Rows))
		}
		for _, h := range p.Headers {
			f, ok := p.SuggestedMapping[h]
			if !ok || (f != "" && !validField(f)) {
				t.Errorf("header %q suggested as %q (%v)", h, f, ok)
			}
			if !utf8.ValidString(h) {
				t.Errorf("header %q is not UTF-8", h)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		// Map columns the way the import dialog would: as suggested, and
		// the first column as the name when nothing was.
		mapping := map[string]string{}
		if p, err := Preview(bytes.NewReader(data)); err == nil {
			mapping = p.SuggestedMapping
			hasName := false
			for _, f := range mapping {
				hasName = hasName || f == FieldName
			}
			if !hasName {
				mapping[p.Headers[0]] = FieldName
			}
		}
		rows, errs, err := Parse(bytes.NewReader(data), mapping, fuzzLimits)
		if err != nil {
			checkFileError(t, err)
			if rows != nil || errs != nil {
				t.Errorf("a refused file returned %d rows and %d errors", len(rows), len(errs))
			}
			return
		}
		lines := lineCount(data)
		prev := 1
		for _, r := range rows {
			if r.Line <= prev || r.Line > lines {
				t.Errorf("row line %d after %d in a file of %d lines", r.Line, prev, lines)
			}
			prev = r.Line
			if r.Name == "" || utf8.RuneCountInString(r.Name) > maxName {
				t.Errorf("line %d: name %q passed", r.Line, r.Name)
			}
			for _, ph := range r.Phones {
				if ph == "" || utf8.RuneCountInString(ph) > maxPhone {
					t.Errorf("line %d: phone %q passed", r.Line, ph)
				}
			}
		}
		for _, e := range errs {
			if e.Line < 2 || e.Line > lines {
				t.Errorf("error line %d in a file of %d lines: %+v", e.Line, lines, e)
			}
			if e.Error == "" {
				t.Errorf("line %d: an error without a message", e.Line)
			}
		}
		if len(rows)+len(errs) > fuzzLimits.MaxRows {
			t.Errorf("%d rows and %d errors over a limit of %d rows", len(rows), len(errs), fuzzLimits.MaxRows)
		}
	})
}

// checkFileError fails unless err is a user-facing EINVALID or ETOOLARGE.
func checkFileError(t *testing.T, err error) {
	t.Helper()
	var we *warmline.Error
	if !errors.As(err, &we) || (we.Code != warmline.EINVALID && we.Code != warmline.ETOOLARGE) || we.Message == "" {
		t.Errorf("error %v is not an EINVALID or ETOOLARGE *warmline.Error", err)
	}
}

// FuzzMeasure holds measure to encoding/csv, whose allocations it exists
// to bound: the widest record exactly, the longest field as an upper bound.
func FuzzMeasure(f *testing.F) {
	fuzzSeeds(f)
	f.Add([]byte("a,\"b\"\"c\",\"d\ne\",f\n\"g\"h,i\"\r\n\"j\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range delimiters {
			rr := newRecordReader(data, d)
			rr.cr.ReuseRecord = true
			widest, widestLine, longest := 0, 0, 0
			for {
				rec, err := rr.cr.Read()
				if err != nil {
					break
				}
				if len(rec) > widest {
					widest = len(rec)
					widestLine, _ = rr.cr.FieldPos(0)
				}
				for _, f := range rec {
					longest = max(longest, len(f))
				}
			}
			sh := measure(data, byte(d))
			if widest > 1 && (sh.widest != widest || sh.widestLine != widestLine) {
				t.Errorf("delimiter %q: measure found %d fields at line %d, encoding/csv read %d at line %d", d, sh.widest, sh.widestLine, widest, widestLine)
			}
			if sh.longest < longest {
				t.Errorf("delimiter %q: measure found a longest field of %d bytes, encoding/csv read %d", d, sh.longest, longest)
			}
		}
	})
}
