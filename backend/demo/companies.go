package demo

import (
	"math/rand/v2"
	"strings"
)

// company is a client's organisation and the domain its mail is on ("" for
// a sole trader, who uses a public mailbox).
type company struct {
	name, domain string
}

var (
	ruStemHeads = []string{"Техно", "Строй", "Агро", "Мед", "Транс", "Урал", "Сибирь", "Волга", "Нева",
		"Север", "Гранд", "Альфа", "Вектор", "Эко", "Спец", "Проф", "Мега", "Бизнес", "Энерго", "Юг"}
	ruStemTails = []string{"Сервис", "Снаб", "Монтаж", "Трейд", "Групп", "Систем", "Пром", "Лайн",
		"Маркет", "Торг", "Софт", "Строй", "Консалт", "Логистик", "Ресурс", "Дом"}
	ruStandalone = []string{"Ромашка", "Берёзка", "Хлебный дом", "Сластёна", "Три кота", "Белый медведь",
		"Зелёный сад", "Первая линия", "Северный ветер", "Формула чистоты", "Кофейня на углу",
		"Автомир", "Стоматология Дента", "Пекарня Каравай", "Фитнес Атлет", "Юридическое бюро Право"}

	enHeads = []string{"Redwood", "Summit", "Bluebell", "Northgate", "Harbour", "Oakridge", "Silverline",
		"Brightwater", "Kingsway", "Maple", "Granite", "Crescent", "Lakeside", "Pinnacle"}
	enTrades = []string{"Logistics", "Analytics", "Foods", "Supply", "Consulting", "Media", "Dental",
		"Software", "Property", "Engineering", "Travel", "Print"}
)

// russianCompany returns the organisation a Russian contact works for:
// mostly an ООО, some АО, and sole traders (ИП) under the contact's own name.
func russianCompany(rng *rand.Rand, p person) company {
	var stem string
	if rng.IntN(4) == 0 {
		stem = pick(rng, ruStandalone)
	} else {
		head, tail := pick(rng, ruStemHeads), pick(rng, ruStemTails)
		for tail == head {
			tail = pick(rng, ruStemTails)
		}
		stem = head + tail
	}
	domain := strings.NewReplacer(" ", "", "-", "").Replace(translit(stem))
	switch r := rng.IntN(100); {
	case r < 20:
		return company{name: "ИП " + p.surname + " " + string([]rune(p.given)[:1]) + ". " + pick(rng, patronymicInitials)}
	case r < 35:
		return company{name: "АО «" + stem + "»", domain: domain + ".ru"}
	default:
		return company{name: "ООО «" + stem + "»", domain: domain + pick(rng, []string{".ru", ".ru", ".ru", ".com"})}
	}
}

// englishCompany returns a UK or US business.
func englishCompany(rng *rand.Rand, p person, country string) company {
	var words []string
	if rng.IntN(3) == 0 {
		other := pick(rng, enSurnames)
		for other == p.surname {
			other = pick(rng, enSurnames)
		}
		words = []string{p.surname, "&", other}
	} else {
		words = []string{pick(rng, enHeads), pick(rng, enTrades)}
	}
	domain := strings.ToLower(strings.Join(words, ""))
	domain = strings.ReplaceAll(domain, "&", "")
	name := strings.Join(words, " ")
	if country == "GB" {
		return company{name: name + " Ltd", domain: domain + ".co.uk"}
	}
	if rng.IntN(2) == 0 {
		return company{name: name + " Inc.", domain: domain + ".com"}
	}
	return company{name: name + " LLC", domain: domain + ".com"}
}
