package csvimport

import (
	"strings"
	"unicode"
)

// Fields a CSV column may be mapped to; "" ignores the column.
const (
	FieldName       = "name"
	FieldCompany    = "company"
	FieldPhone      = "phone"
	FieldEmail      = "email"
	FieldChannel    = "channel"
	FieldOwnerEmail = "owner_email"
	FieldStage      = "stage"
	FieldNotes      = "notes"
)

// Fields lists the fields a column may be mapped to.
var Fields = []string{FieldName, FieldCompany, FieldPhone, FieldEmail, FieldChannel, FieldOwnerEmail, FieldStage, FieldNotes}

// Bounds of a value, in characters, as the client fields allow them.
const (
	maxName    = 200
	maxCompany = 200
	maxEmail   = 254
	maxChannel = 100
	maxStage   = 100
	maxNotes   = 20000
	maxPhone   = 40
)

func validField(f string) bool {
	for _, g := range Fields {
		if f == g {
			return true
		}
	}
	return false
}

// headerFields maps normalised header names (see normalizeHeader) to fields.
var headerFields = map[string]string{
	// A person's name; separate surname and given-name columns all map
	// here and are joined in column order.
	"фио": FieldName, "имя": FieldName, "фамилия": FieldName, "отчество": FieldName,
	"контакт": FieldName, "контактноелицо": FieldName, "клиент": FieldName, "имяфамилия": FieldName,
	"фамилияимя": FieldName, "фамилияимяотчество": FieldName,
	"name": FieldName, "fullname": FieldName, "firstname": FieldName, "lastname": FieldName,
	"surname": FieldName, "contact": FieldName, "contactname": FieldName, "contactperson": FieldName,
	"client": FieldName, "clientname": FieldName, "customer": FieldName, "customername": FieldName,

	"компания": FieldCompany, "организация": FieldCompany, "название": FieldCompany,
	"наименование": FieldCompany, "фирма": FieldCompany, "контрагент": FieldCompany, "юрлицо": FieldCompany,
	"company": FieldCompany, "companyname": FieldCompany, "organization": FieldCompany,
	"organisation": FieldCompany, "account": FieldCompany, "business": FieldCompany,

	"телефон": FieldPhone, "тел": FieldPhone, "мобильный": FieldPhone, "моб": FieldPhone,
	"мобтел": FieldPhone, "сотовый": FieldPhone, "номер": FieldPhone, "номертелефона": FieldPhone,
	"телефоны": FieldPhone, "phone": FieldPhone, "phones": FieldPhone, "mobile": FieldPhone,
	"tel": FieldPhone, "telephone": FieldPhone, "cell": FieldPhone, "phonenumber": FieldPhone,

	"email": FieldEmail, "почта": FieldEmail, "mail": FieldEmail, "емейл": FieldEmail,
	"емэйл": FieldEmail, "имейл": FieldEmail, "электроннаяпочта": FieldEmail, "emailaddress": FieldEmail,

	"источник": FieldChannel, "канал": FieldChannel, "каналпривлечения": FieldChannel,
	"source": FieldChannel, "channel": FieldChannel, "leadsource": FieldChannel, "utmsource": FieldChannel,

	"менеджер": FieldOwnerEmail, "ответственный": FieldOwnerEmail, "агент": FieldOwnerEmail,
	"owner": FieldOwnerEmail, "owneremail": FieldOwnerEmail, "manager": FieldOwnerEmail,
	"agent": FieldOwnerEmail, "responsible": FieldOwnerEmail, "assignedto": FieldOwnerEmail,

	"этап": FieldStage, "статус": FieldStage, "стадия": FieldStage,
	"stage": FieldStage, "status": FieldStage,

	"комментарий": FieldNotes, "комментарии": FieldNotes, "примечание": FieldNotes,
	"примечания": FieldNotes, "заметки": FieldNotes, "описание": FieldNotes,
	"notes": FieldNotes, "note": FieldNotes, "comment": FieldNotes, "comments": FieldNotes,
	"description": FieldNotes,
}

// headerParts catches longer headers ("Мобильный телефон", "Email
// менеджера", "Источник лида") by a telling part. Order matters: the first
// match wins, so owner words come before "email" and company words before
// "name".
var headerParts = []struct{ part, field string }{
	{"ответствен", FieldOwnerEmail}, {"менеджер", FieldOwnerEmail}, {"owner", FieldOwnerEmail},
	{"manager", FieldOwnerEmail}, {"assigned", FieldOwnerEmail},
	{"телефон", FieldPhone}, {"мобильн", FieldPhone}, {"phone", FieldPhone}, {"mobile", FieldPhone},
	{"email", FieldEmail}, {"почта", FieldEmail},
	{"компани", FieldCompany}, {"организац", FieldCompany}, {"company", FieldCompany}, {"organi", FieldCompany},
	{"источник", FieldChannel}, {"канал", FieldChannel}, {"source", FieldChannel}, {"channel", FieldChannel},
	{"этап", FieldStage}, {"стади", FieldStage}, {"stage", FieldStage},
	{"коммент", FieldNotes}, {"примечан", FieldNotes}, {"заметк", FieldNotes}, {"comment", FieldNotes},
	{"фио", FieldName}, {"имя", FieldName}, {"name", FieldName},
}

// SuggestField returns the field a column with this header most likely
// holds, or "" when the header says nothing known. Case, spaces,
// punctuation, "ё" and a trailing number ("Телефон 2") do not matter.
func SuggestField(header string) string {
	h := normalizeHeader(header)
	if h == "" {
		return ""
	}
	if f, ok := headerFields[h]; ok {
		return f
	}
	if f, ok := headerFields[strings.TrimRight(h, "0123456789")]; ok {
		return f
	}
	for _, p := range headerParts {
		if strings.Contains(h, p.part) {
			return p.field
		}
	}
	return ""
}

// SuggestMapping suggests a field for every header (see SuggestField).
func SuggestMapping(headers []string) map[string]string {
	m := make(map[string]string, len(headers))
	for _, h := range headers {
		m[h] = SuggestField(h)
	}
	return m
}

// normalizeHeader lower-cases h and keeps only its letters and digits,
// with "ё" read as "е".
func normalizeHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == 'ё':
			b.WriteRune('е')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
