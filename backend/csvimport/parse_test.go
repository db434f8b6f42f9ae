package csvimport

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/warmline/warmline/backend/warmline"
)

// win1251 encodes s as Russian Excel saves it.
func win1251(t testing.TB, s string) string {
	t.Helper()
	b, err := charmap.Windows1251.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encode %q as windows-1251: %v", s, err)
	}
	return b
}

var basicMapping = map[string]string{"ФИО": "name", "Телефон": "phone", "Email": "email"}

func TestParseReadsRows(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		mapping map[string]string
		rows    []warmline.ImportRow
		errs    []warmline.ImportError
	}{
		{
			name:    "a comma-separated UTF-8 file reads every row",
			file:    "ФИО,Телефон,Email\nИрина Смирнова,+7 901 234-56-78,irina@example.ru\nСергей Кузнецов,8 495 123 45 67,\n",
			mapping: basicMapping,
			rows: []warmline.ImportRow{
				{Line: 2, Name: "Ирина Смирнова", Phones: []string{"+7 901 234-56-78"}, Email: "irina@example.ru"},
				{Line: 3, Name: "Сергей Кузнецов", Phones: []string{"8 495 123 45 67"}},
			},
		},
		{
			name:    "a UTF-8 byte-order mark does not stick to the first header",
			file:    "\uFEFFФИО,Телефон,Email\r\nИрина Смирнова,89012345678,\r\n",
			mapping: basicMapping,
			rows:    []warmline.ImportRow{{Line: 2, Name: "Ирина Смирнова", Phones: []string{"89012345678"}}},
		},
		{
			name:    "a Windows-1251 file from Russian Excel reads as Cyrillic",
			file:    win1251(t, "ФИО;Компания;Телефон\r\nЁлкина Анна;ООО «Ромашка»;8 (901) 234-56-78\r\n"),
			mapping: map[string]string{"ФИО": "name", "Компания": "company", "Телефон": "phone"},
			rows:    []warmline.ImportRow{{Line: 2, Name: "Ёлкина Анна", Company: "ООО «Ромашка»", Phones: []string{"8 (901) 234-56-78"}}},
		},
		{
			name:    "a semicolon-separated file keeps commas inside values",
			file:    "ФИО;Телефон;Примечание\nИванов, Иван;+79012345678;Перезвонить, после обеда\n",
			mapping: map[string]string{"ФИО": "name", "Телефон": "phone", "Примечание": "notes"},
			rows:    []warmline.ImportRow{{Line: 2, Name: "Иванов, Иван", Phones: []string{"+79012345678"}, Notes: "Перезвонить, после обеда"}},
		},
		{
			name:    "a tab-separated file reads its columns",
			file:    "Name\tPhone\tSource\nJohn Smith\t+44 20 7946 0123\tWebsite\n",
			mapping: map[string]string{"Name": "name", "Phone": "phone", "Source": "channel"},
			rows:    []warmline.ImportRow{{Line: 2, Name: "John Smith", Phones: []string{"+44 20 7946 0123"}, Channel: "Website"}},
		},
		{
			name: "a quoted field with newlines is one row and later lines keep their numbers",
			file: "ФИО,Примечание\n" +
				"Ирина,\"Первая строка\nвторая строка\nтретья\"\n" +
				"Сергей,коротко\n" +
				",без имени\n",
			mapping: map[string]string{"ФИО": "name", "Примечание": "notes"},
			rows: []warmline.ImportRow{
				{Line: 2, Name: "Ирина", Notes: "Первая строка\nвторая строка\nтретья"},
				{Line: 5, Name: "Сергей", Notes: "коротко"},
			},
			errs: []warmline.ImportError{{Line: 6, Field: "name", Error: "The name is empty."}},
		},
		{
			name:    "blank lines and rows of bare delimiters are skipped silently",
			file:    "\nФИО;Телефон\n\nИрина;1\n;\n  ;  \nСергей;2\n;;\n",
			mapping: map[string]string{"ФИО": "name", "Телефон": "phone"},
			rows: []warmline.ImportRow{
				{Line: 4, Name: "Ирина", Phones: []string{"1"}},
				{Line: 7, Name: "Сергей", Phones: []string{"2"}},
			},
		},
		{
			name:    "phones split on commas, semicolons and slashes within a cell",
			file:    "ФИО;Телефон;Телефон 2\nИрина;\"+7 901 111-11-11, 8 495 222-22-22 / 333\";+7 902 000 00 00;\n",
			mapping: map[string]string{"ФИО": "name", "Телефон": "phone", "Телефон 2": "phone"},
			rows:    []warmline.ImportRow{{Line: 2, Name: "Ирина", Phones: []string{"+7 901 111-11-11", "8 495 222-22-22", "333", "+7 902 000 00 00"}}},
		},
		{
			name:    "surname, given name and patronymic columns join into the name",
			file:    "Фамилия,Имя,Отчество,Почта\nСмирнова,Ирина,Викторовна,\nКузнецов,Сергей,,\n",
			mapping: map[string]string{"Фамилия": "name", "Имя": "name", "Отчество": "name", "Почта": "email"},
			rows: []warmline.ImportRow{
				{Line: 2, Name: "Смирнова Ирина Викторовна"},
				{Line: 3, Name: "Кузнецов Сергей"},
			},
		},
		{
			name:    "ignored and unmapped columns are left out",
			file:    "ФИО,ИНН,Город\nИрина,7701234567,Москва\n",
			mapping: map[string]string{"ФИО": "name", "ИНН": ""},
			rows:    []warmline.ImportRow{{Line: 2, Name: "Ирина"}},
		},
		{
			name:    "values are trimmed and an export's apostrophe guard is removed",
			file:    "name,company,phones\n  '=Ирина  , '-Рога и копыта , +79012345678\n",
			mapping: map[string]string{"name": "name", "company": "company", "phones": "phone"},
			rows:    []warmline.ImportRow{{Line: 2, Name: "=Ирина", Company: "-Рога и копыта", Phones: []string{"+79012345678"}}},
		},
		{
			name:    "a Macintosh file with carriage returns only counts its lines",
			file:    "ФИО;Телефон\rИрина;1\r\rСергей;2\r",
			mapping: map[string]string{"ФИО": "name", "Телефон": "phone"},
			rows: []warmline.ImportRow{
				{Line: 2, Name: "Ирина", Phones: []string{"1"}},
				{Line: 4, Name: "Сергей", Phones: []string{"2"}},
			},
		},
		{
			name:    "an Excel sep= line chooses the delimiter and counts as a line",
			file:    "sep=;\r\nФИО;Комментарий\r\nИрина;a,b,c\r\n",
			mapping: map[string]string{"ФИО": "name", "Комментарий": "notes"},
			rows:    []warmline.ImportRow{{Line: 3, Name: "Ирина", Notes: "a,b,c"}},
		},
		{
			name:    "a bare quote inside an unquoted field is kept as text",
			file:    "ФИО;Компания\nИрина;ООО \"Ромашка\"\n",
			mapping: map[string]string{"ФИО": "name", "Компания": "company"},
			rows:    []warmline.ImportRow{{Line: 2, Name: "Ирина", Company: "ООО \"Ромашка\""}},
		},
		{
			name:    "empty trailing fields beyond the header are tolerated",
			file:    "ФИО;Телефон\nИрина;1;;\n",
			mapping: map[string]string{"ФИО": "name", "Телефон": "phone"},
			rows:    []warmline.ImportRow{{Line: 2, Name: "Ирина", Phones: []string{"1"}}},
		},
		{
			name:    "several e-mail columns take the first non-empty one",
			file:    "Имя;Рабочий e-mail;Личный e-mail\nИрина;;irina@mail.ru\n",
			mapping: map[string]string{"Имя": "name", "Рабочий e-mail": "email", "Личный e-mail": "email"},
			rows:    []warmline.ImportRow{{Line: 2, Name: "Ирина", Email: "irina@mail.ru"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := Parse(strings.NewReader(tt.file), tt.mapping, Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(rows, tt.rows) {
				t.Errorf("rows:\n got %+v\nwant %+v", rows, tt.rows)
			}
			if !reflect.DeepEqual(errs, tt.errs) {
				t.Errorf("errors:\n got %+v\nwant %+v", errs, tt.errs)
			}
		})
	}
}

func TestParseReportsBadRows(t *testing.T) {
	long := func(n int) string { return strings.Repeat("я", n) }
	tests := []struct {
		name      string
		file      string
		mapping   map[string]string
		goodLines []int
		errs      []warmline.ImportError // Error is matched as a substring
	}{
		{
			name:      "a row with too few fields is reported with its line",
			file:      "ФИО;Телефон;Email\nИрина;1;a@b.ru\nСергей;2\nОльга;3;\n",
			mapping:   basicMapping,
			goodLines: []int{2, 4},
			errs:      []warmline.ImportError{{Line: 3, Error: "Expected 3 fields as in the header, found 2."}},
		},
		{
			name:      "a row with extra non-empty fields is reported",
			file:      "ФИО;Телефон\nИрина;1;лишнее\n",
			mapping:   map[string]string{"ФИО": "name"},
			goodLines: nil,
			errs:      []warmline.ImportError{{Line: 2, Error: "found 3"}},
		},
		{
			name:      "an unclosed quote is reported at the line it starts on",
			file:      "ФИО;Телефон;Email\nИрина;1;\nСергей;\"2;\nОльга;3;\nПётр;4;\n",
			mapping:   basicMapping,
			goodLines: []int{2},
			errs:      []warmline.ImportError{{Line: 3, Error: "runs on to line 5"}},
		},
		{
			name:      "an e-mail that is not an e-mail is reported with its value",
			file:      "ФИО,Email\nИрина,irina at mail.ru\nСергей,sergey@mail.ru\n",
			mapping:   map[string]string{"ФИО": "name", "Email": "email"},
			goodLines: []int{3},
			errs:      []warmline.ImportError{{Line: 2, Field: "email", Error: "Not an e-mail address.", Value: "irina at mail.ru"}},
		},
		{
			name:      "a name longer than 200 characters is reported, counted in characters",
			file:      "ФИО\n" + long(201) + "\n" + long(200) + "\n",
			mapping:   map[string]string{"ФИО": "name"},
			goodLines: []int{3},
			errs:      []warmline.ImportError{{Line: 2, Field: "name", Error: "201 characters; at most 200", Value: long(100) + "…"}},
		},
		{
			name:    "a company longer than 200 characters is reported",
			file:    "ФИО,Компания\nИрина," + long(201) + "\n",
			mapping: map[string]string{"ФИО": "name", "Компания": "company"},
			errs:    []warmline.ImportError{{Line: 2, Field: "company", Error: "at most 200"}},
		},
		{
			name:    "a channel longer than 100 characters is reported",
			file:    "ФИО,Источник\nИрина," + long(101) + "\n",
			mapping: map[string]string{"ФИО": "name", "Источник": "channel"},
			errs:    []warmline.ImportError{{Line: 2, Field: "channel", Error: "at most 100"}},
		},
		{
			name:    "notes longer than 20000 characters are reported",
			file:    "ФИО,Примечание\nИрина," + long(20001) + "\n",
			mapping: map[string]string{"ФИО": "name", "Примечание": "notes"},
			errs:    []warmline.ImportError{{Line: 2, Field: "notes", Error: "at most 20000"}},
		},
		{
			name:    "an e-mail longer than 254 characters is reported",
			file:    "ФИО,Email\nИрина," + strings.Repeat("a", 250) + "@b.ru\n",
			mapping: map[string]string{"ФИО": "name", "Email": "email"},
			errs:    []warmline.ImportError{{Line: 2, Field: "email", Error: "at most 254"}},
		},
		{
			name:    "a phone longer than 40 characters is reported",
			file:    "ФИО,Телефон\nИрина," + strings.Repeat("1", 41) + "\n",
			mapping: map[string]string{"ФИО": "name", "Телефон": "phone"},
			errs:    []warmline.ImportError{{Line: 2, Field: "phone", Error: "longer than 40"}},
		},
		{
			name:      "an empty name is reported even when other fields are filled",
			file:      "ФИО,Телефон\n,+79012345678\n\"  \",1\nИрина,2\n",
			mapping:   map[string]string{"ФИО": "name", "Телефон": "phone"},
			goodLines: []int{4},
			errs: []warmline.ImportError{
				{Line: 2, Field: "name", Error: "The name is empty."},
				{Line: 3, Field: "name", Error: "The name is empty."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := Parse(strings.NewReader(tt.file), tt.mapping, Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var lines []int
			for _, r := range rows {
				lines = append(lines, r.Line)
			}
			if !reflect.DeepEqual(lines, tt.goodLines) {
				t.Errorf("good lines = %v, want %v", lines, tt.goodLines)
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors = %+v, want %d like %+v", errs, len(tt.errs), tt.errs)
			}
			for i, want := range tt.errs {
				got := errs[i]
				if got.Line != want.Line || got.Field != want.Field || !strings.Contains(got.Error, want.Error) ||
					(want.Value != "" && got.Value != want.Value) {
					t.Errorf("error %d = %+v, want %+v", i, got, want)
				}
			}
		})
	}
}

func TestParseRejectsFiles(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		mapping map[string]string
		limits  Limits
		code    string
		message string
	}{
		{name: "an unknown target field is named", file: "ФИО,ИНН\nИрина,1\n",
			mapping: map[string]string{"ФИО": "name", "ИНН": "inn"}, code: warmline.EINVALID, message: `"inn", which is not a field`},
		{name: "a mapping without a name column is refused", file: "ФИО,Телефон\nИрина,1\n",
			mapping: map[string]string{"Телефон": "phone"}, code: warmline.EINVALID, message: "Map a column to the client's name"},
		{name: "a mapped header missing from the file is refused", file: "ФИО,Телефон\nИрина,1\n",
			mapping: map[string]string{"ФИО": "name", "Почта": "email"}, code: warmline.EINVALID, message: `Column "Почта" is not in the file`},
		{name: "an empty file is refused", file: "",
			mapping: basicMapping, code: warmline.EINVALID, message: "empty"},
		{name: "a file of blank lines has no header", file: "\n\r\n  \n",
			mapping: basicMapping, code: warmline.EINVALID, message: "no header"},
		{name: "a binary file is refused", file: "ФИО\x00\x01\x02",
			mapping: basicMapping, code: warmline.EINVALID, message: "binary"},
		{name: "an Excel workbook is refused with advice", file: "PK\x03\x04rest-of-zip",
			mapping: basicMapping, code: warmline.EINVALID, message: "Save As"},
		{name: "a UTF-16 file is refused with advice", file: "\xFF\xFEa\x00",
			mapping: basicMapping, code: warmline.EINVALID, message: "UTF-16"},
		{name: "a file over the byte limit is too large", file: "ФИО\n" + strings.Repeat("Ирина\n", 100),
			mapping: map[string]string{"ФИО": "name"}, limits: Limits{MaxBytes: 500}, code: warmline.ETOOLARGE, message: "larger than 500 bytes"},
		{name: "a file over the row limit is too large", file: "ФИО\n" + strings.Repeat("Ирина\n", 11),
			mapping: map[string]string{"ФИО": "name"}, limits: Limits{MaxRows: 10}, code: warmline.ETOOLARGE, message: "more than 10 data rows"},
		{name: "a huge field is too large", file: "ФИО,Примечание\nИрина,\"" + strings.Repeat("x", 5000) + "\"\n",
			mapping: map[string]string{"ФИО": "name"}, limits: Limits{MaxFieldBytes: 4096}, code: warmline.ETOOLARGE, message: "Line 2 has a field longer than 4 KiB"},
		{name: "a line of 20 MiB of commas is refused before it is read", file: "ФИО\n" + strings.Repeat(",", 20<<20-10),
			mapping: map[string]string{"ФИО": "name"}, code: warmline.ETOOLARGE, message: "Line 2 has more than 2000 fields"},
		{name: "an unclosed quote that swallows the file is too large", file: "ФИО\n\"Ирина\n" + strings.Repeat("Сергей\n", 10000),
			mapping: map[string]string{"ФИО": "name"}, code: warmline.ETOOLARGE, message: "a quote may be left open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := Parse(strings.NewReader(tt.file), tt.mapping, tt.limits)
			if err == nil {
				t.Fatalf("Parse = %d rows, %v, nil; want a %s error", len(rows), errs, tt.code)
			}
			if code := warmline.ErrorCode(err); code != tt.code {
				t.Errorf("code = %q, want %q (%v)", code, tt.code, err)
			}
			if msg := warmline.ErrorMessage(err); !strings.Contains(msg, tt.message) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.message)
			}
			if rows != nil || errs != nil {
				t.Errorf("a refused file returned %d rows and %d errors", len(rows), len(errs))
			}
		})
	}
}

func TestParseAcceptsFilesAtTheLimits(t *testing.T) {
	file := "ФИО\n" + strings.Repeat("Ирина\n", 10)
	rows, errs, err := Parse(strings.NewReader(file), map[string]string{"ФИО": "name"}, Limits{MaxBytes: int64(len(file)), MaxRows: 10})
	if err != nil || len(rows) != 10 || len(errs) != 0 {
		t.Fatalf("Parse at the limits = %d rows, %v, %v; want 10 rows", len(rows), errs, err)
	}
}

func TestParseReadsALargeFileInBoundedTime(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("ФИО;Телефон;Email\n")
	for i := range 100_000 {
		fmt.Fprintf(&b, "Клиент %d;+7901%07d;c%d@example.ru\n", i, i, i)
	}
	rows, errs, err := Parse(&b, basicMapping, Limits{})
	if err != nil || len(rows) != 100_000 || len(errs) != 0 {
		t.Fatalf("Parse = %d rows, %d errors, %v", len(rows), len(errs), err)
	}
	if last := rows[len(rows)-1]; last.Line != 100_001 || last.Name != "Клиент 99999" {
		t.Errorf("last row = %+v", last)
	}
}

func TestABitrix24ExportImportsWithTheSuggestedMapping(t *testing.T) {
	file := win1251(t, "Обращение;Имя;Отчество;Фамилия;Компания;Рабочий телефон;Мобильный телефон;Рабочий e-mail;Источник;Ответственный;Комментарий\r\n"+
		"г-жа;Ирина;Викторовна;Смирнова;ООО \"Ромашка\";+7 (495) 123-45-67;8 901 234 56 78;i.smirnova@romashka.ru;Сайт;;\"Просила перезвонить\r\nпосле 15:00\"\r\n"+
		";Сергей;;Кузнецов;;;+79161234567;;Выставка;;\r\n")
	p, err := Preview(strings.NewReader(file))
	if err != nil {
		t.Fatalf("Preview: %v", err)
	}
	want := map[string]string{"Обращение": "", "Имя": "name", "Отчество": "name", "Фамилия": "name", "Компания": "company",
		"Рабочий телефон": "phone", "Мобильный телефон": "phone", "Рабочий e-mail": "email", "Источник": "channel",
		"Ответственный": "owner_email", "Комментарий": "notes"}
	if p.Encoding != EncodingWindows1251 || p.Delimiter != ";" || !reflect.DeepEqual(p.SuggestedMapping, want) {
		t.Errorf("preview = %s %q %v", p.Encoding, p.Delimiter, p.SuggestedMapping)
	}
	rows, errs, err := Parse(strings.NewReader(file), p.SuggestedMapping, Limits{})
	if err != nil || len(errs) != 0 {
		t.Fatalf("Parse = %v, %v", errs, err)
	}
	wantRows := []warmline.ImportRow{
		{Line: 2, Name: "Ирина Викторовна Смирнова", Company: "ООО \"Ромашка\"", Phones: []string{"+7 (495) 123-45-67", "8 901 234 56 78"},
			Email: "i.smirnova@romashka.ru", Channel: "Сайт", Notes: "Просила перезвонить\nпосле 15:00"},
		{Line: 4, Name: "Сергей Кузнецов", Phones: []string{"+79161234567"}, Channel: "Выставка"},
	}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, wantRows)
	}
}

func TestAUTF8FileWithAStrayByteStaysUTF8(t *testing.T) {
	file := "ФИО;Телефон\nИрина Смирнова;1\nСергей\xff;2\n"
	rows, errs, err := Parse(strings.NewReader(file), map[string]string{"ФИО": "name", "Телефон": "phone"}, Limits{})
	if err != nil || len(errs) != 0 || len(rows) != 2 {
		t.Fatalf("Parse = %v, %v, %v", rows, errs, err)
	}
	if rows[0].Name != "Ирина Смирнова" || rows[1].Name != "Сергей\uFFFD" {
		t.Errorf("names = %q, %q", rows[0].Name, rows[1].Name)
	}
}
