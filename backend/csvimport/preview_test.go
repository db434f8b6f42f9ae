package csvimport

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/warmline/warmline/backend/warmline"
)

func TestPreviewDetectsTheFormat(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		encoding  string
		delimiter string
		headers   []string
		rows      [][]string
	}{
		{
			name:     "a UTF-8 file with commas",
			file:     "Name,Phone\nJohn Smith,+1 212 555 0100\n",
			encoding: "utf-8", delimiter: ",",
			headers: []string{"Name", "Phone"},
			rows:    [][]string{{"John Smith", "+1 212 555 0100"}},
		},
		{
			name:     "a UTF-8 file with a byte-order mark and semicolons",
			file:     "\uFEFFФИО;Телефон\r\nИрина;8 901 234-56-78\r\n",
			encoding: "utf-8", delimiter: ";",
			headers: []string{"ФИО", "Телефон"},
			rows:    [][]string{{"Ирина", "8 901 234-56-78"}},
		},
		{
			name:     "a Windows-1251 file with semicolons and commas inside values",
			file:     win1251(t, "ФИО;Компания;Телефон\r\nИванов, Иван;ООО «Ромашка», филиал;8 901\r\nПетров, Пётр;АО «Вектор»;8 495\r\n"),
			encoding: "windows-1251", delimiter: ";",
			headers: []string{"ФИО", "Компания", "Телефон"},
			rows:    [][]string{{"Иванов, Иван", "ООО «Ромашка», филиал", "8 901"}, {"Петров, Пётр", "АО «Вектор»", "8 495"}},
		},
		{
			name:     "quoted commas do not make a semicolon file look comma-separated",
			file:     "\"ФИО, полностью\";Телефон\n\"Иванов, Иван\";1\n\"Петров, Пётр\";2\n",
			encoding: "utf-8", delimiter: ";",
			headers: []string{"ФИО, полностью", "Телефон"},
			rows:    [][]string{{"Иванов, Иван", "1"}, {"Петров, Пётр", "2"}},
		},
		{
			name:     "a tab-separated file",
			file:     "Имя\tТелефон\tEmail\nИрина\t1\ta@b.ru\n",
			encoding: "utf-8", delimiter: "\t",
			headers: []string{"Имя", "Телефон", "Email"},
			rows:    [][]string{{"Ирина", "1", "a@b.ru"}},
		},
		{
			name:     "a one-column file gets a comma",
			file:     "ФИО\nИрина\nСергей\n",
			encoding: "utf-8", delimiter: ",",
			headers: []string{"ФИО"},
			rows:    [][]string{{"Ирина"}, {"Сергей"}},
		},
		{
			name:     "only the first five data rows are shown, blank lines skipped",
			file:     "ФИО;Телефон\n\n1;1\n2;2\n;\n3;3\n4;4\n5;5\n6;6\n",
			encoding: "utf-8", delimiter: ";",
			headers: []string{"ФИО", "Телефон"},
			rows:    [][]string{{"1", "1"}, {"2", "2"}, {"3", "3"}, {"4", "4"}, {"5", "5"}},
		},
		{
			name:     "headers are trimmed",
			file:     " ФИО ; Телефон \nИрина;1\n",
			encoding: "utf-8", delimiter: ";",
			headers: []string{"ФИО", "Телефон"},
			rows:    [][]string{{"Ирина", "1"}},
		},
		{
			name:     "a file with only a header has no rows",
			file:     "ФИО;Телефон",
			encoding: "utf-8", delimiter: ";",
			headers: []string{"ФИО", "Телефон"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Preview(strings.NewReader(tt.file))
			if err != nil {
				t.Fatalf("Preview: %v", err)
			}
			if p.Encoding != tt.encoding || p.Delimiter != tt.delimiter {
				t.Errorf("encoding, delimiter = %q, %q; want %q, %q", p.Encoding, p.Delimiter, tt.encoding, tt.delimiter)
			}
			if !reflect.DeepEqual(p.Headers, tt.headers) {
				t.Errorf("headers = %q, want %q", p.Headers, tt.headers)
			}
			if len(p.Rows) != len(tt.rows) || (len(tt.rows) > 0 && !reflect.DeepEqual(p.Rows, tt.rows)) {
				t.Errorf("rows = %q, want %q", p.Rows, tt.rows)
			}
			for _, h := range p.Headers {
				if _, ok := p.SuggestedMapping[h]; !ok {
					t.Errorf("no suggestion for header %q", h)
				}
			}
		})
	}
}

// countingReader counts what is read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestPreviewReadsOnlyTheHeadOfALargeFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("ФИО;Телефон;Примечание\n")
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "Клиентка %d;+7901%07d;\"примечание\nв две строки\"\n", i, i)
	}
	cr := &countingReader{r: strings.NewReader(b.String())}
	p, err := Preview(cr)
	if err != nil {
		t.Fatalf("Preview: %v", err)
	}
	if cr.n > sniffBytes+1 {
		t.Errorf("Preview read %d bytes, want at most %d", cr.n, sniffBytes+1)
	}
	if len(p.Rows) != previewRows || p.Rows[4][0] != "Клиентка 4" || p.Delimiter != ";" || p.Encoding != "utf-8" {
		t.Errorf("preview = %+v", p)
	}
}

func TestPreviewOfAHeadCutInsideACyrillicLetterIsStillUTF8(t *testing.T) {
	// "я" is two bytes; an odd offset puts the 64 KiB cut inside one.
	file := "ФИО;Примечание\n" + "Ирина;" + strings.Repeat("я", sniffBytes) + "\n"
	for _, pad := range []string{"", "x"} {
		p, err := Preview(strings.NewReader(pad + file))
		if err != nil {
			t.Fatalf("Preview: %v", err)
		}
		if p.Encoding != EncodingUTF8 {
			t.Errorf("with %q in front: encoding = %q, want utf-8", pad, p.Encoding)
		}
	}
}

func TestPreviewOfAHeaderAndManyBlankLines(t *testing.T) {
	p, err := Preview(strings.NewReader("ФИО;Телефон\n" + strings.Repeat("\n", 2*sniffBytes)))
	if err != nil {
		t.Fatalf("Preview: %v", err)
	}
	if !reflect.DeepEqual(p.Headers, []string{"ФИО", "Телефон"}) || len(p.Rows) != 0 {
		t.Errorf("preview = %+v", p)
	}
}

func TestPreviewLeavesOutARecordCutByTheHead(t *testing.T) {
	file := "ФИО;Примечание\nИрина;\"начало\n" + strings.Repeat("длинного примечания\n", sniffBytes/10) + "\"\n"
	p, err := Preview(strings.NewReader(file))
	if err != nil {
		t.Fatalf("Preview: %v", err)
	}
	if len(p.Rows) != 0 {
		t.Errorf("rows = %d, want the cut record left out", len(p.Rows))
	}
}

func TestPreviewRejectsFiles(t *testing.T) {
	tests := []struct {
		name, file, code, message string
	}{
		{"an empty file", "", warmline.EINVALID, "empty"},
		{"blank lines only", "\n\n  \n", warmline.EINVALID, "no header"},
		{"a binary file", "\x00\x01\x02\x03", warmline.EINVALID, "binary"},
		{"an old Excel workbook", "\xD0\xCF\x11\xE0\xA1\xB1", warmline.EINVALID, ".xls"},
		{"a header longer than the head", strings.Repeat("a,", sniffBytes), warmline.ETOOLARGE, "header line is longer"},
		{"a multi-line header longer than the head", "\"" + strings.Repeat("a\n", sniffBytes), warmline.ETOOLARGE, "header line is longer"},
		{"a line of too many fields", "a;b\n" + strings.Repeat(";", maxFields+1) + "\n", warmline.ETOOLARGE, "Line 2 has more than 2000 fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Preview(strings.NewReader(tt.file))
			if warmline.ErrorCode(err) != tt.code || !strings.Contains(warmline.ErrorMessage(err), tt.message) {
				t.Errorf("Preview error = %v, want %s containing %q", err, tt.code, tt.message)
			}
		})
	}
}

func TestSuggestField(t *testing.T) {
	tests := []struct{ header, field string }{
		{"ФИО", "name"}, {"Имя", "name"}, {"Контакт", "name"}, {"Name", "name"}, {"Full name", "name"},
		{"  full   NAME ", "name"}, {"Фамилия", "name"}, {"Контактное лицо", "name"}, {"Имя клиента", "name"},
		{"Компания", "company"}, {"Организация", "company"}, {"Company", "company"}, {"Наименование", "company"},
		{"Название компании", "company"}, {"Company name", "company"},
		{"Телефон", "phone"}, {"Тел.", "phone"}, {"Мобильный", "phone"}, {"Phone", "phone"}, {"Mobile", "phone"},
		{"Телефон 2", "phone"}, {"Рабочий телефон", "phone"}, {"Мобильный телефон", "phone"}, {"phones", "phone"},
		{"E-mail", "email"}, {"Почта", "email"}, {"Email", "email"}, {"Электронная почта", "email"}, {"Рабочий e-mail", "email"},
		{"Источник", "channel"}, {"Канал", "channel"}, {"Source", "channel"}, {"Channel", "channel"}, {"Источник лида", "channel"},
		{"Менеджер", "owner_email"}, {"Ответственный", "owner_email"}, {"Owner", "owner_email"}, {"owner_email", "owner_email"},
		{"Email менеджера", "owner_email"},
		{"Этап", "stage"}, {"Статус", "stage"}, {"Stage", "stage"}, {"Этап сделки", "stage"},
		{"Комментарий", "notes"}, {"Примечание", "notes"}, {"Notes", "notes"},
		{"ИНН", ""}, {"Город", ""}, {"", ""}, {"contacts", ""}, {"attempts", ""}, {"last_contact_at", ""},
		{"created_at", ""}, {"Почтовый адрес", ""}, {"Telegram", ""}, {"123", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q is %q", tt.header, tt.field), func(t *testing.T) {
			if got := SuggestField(tt.header); got != tt.field {
				t.Errorf("SuggestField(%q) = %q, want %q", tt.header, got, tt.field)
			}
		})
	}
}
