package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// translitTable spells Russian letters in Latin the way people spell their
// names in e-mail addresses (close to the passport rules, with "y" for й).
var translitTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
}

// translit returns s in lower-case Latin letters; anything not Cyrillic is
// kept as it is.
func translit(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if l, ok := translitTable[r]; ok {
			b.WriteString(l)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	ruMailboxes = []string{"mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "ya.ru"}
	enMailboxes = []string{"gmail.com", "outlook.com", "yahoo.com", "icloud.com"}
)

// emailFor returns an address made from the person's name, at the
// company's domain when it has one and at a public mailbox otherwise.
func emailFor(rng *rand.Rand, p person, c company, russian bool) string {
	given, surname := strings.ToLower(p.given), strings.ToLower(p.surname)
	if russian {
		given, surname = translit(given), translit(surname)
	}
	if c.domain != "" {
		switch rng.IntN(3) {
		case 0:
			return given[:1] + "." + surname + "@" + c.domain
		case 1:
			return given + "@" + c.domain
		default:
			return given + "." + surname + "@" + c.domain
		}
	}
	mailboxes := enMailboxes
	if russian {
		mailboxes = ruMailboxes
	}
	box := pick(rng, mailboxes)
	switch rng.IntN(3) {
	case 0:
		return fmt.Sprintf("%s.%s@%s", given, surname, box)
	case 1:
		return fmt.Sprintf("%s%d@%s", surname, 70+rng.IntN(30), box)
	default:
		return fmt.Sprintf("%s.%s%d@%s", given[:1], surname, rng.IntN(100), box)
	}
}

// uniqueEmail makes e unique among seen by numbering its local part.
func uniqueEmail(e string, seen map[string]bool) string {
	if e == "" || !seen[e] {
		seen[e] = true
		return e
	}
	at := strings.LastIndexByte(e, '@')
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s%d%s", e[:at], i, e[at:])
		if !seen[c] {
			seen[c] = true
			return c
		}
	}
}
