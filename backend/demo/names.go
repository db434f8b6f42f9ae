package demo

import (
	"math/rand/v2"
	"strings"
)

// person is a client's contact person.
type person struct {
	given, surname string
	female         bool
}

func (p person) name() string { return p.given + " " + p.surname }

var (
	ruMale = []string{"Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья",
		"Кирилл", "Михаил", "Никита", "Роман", "Егор", "Иван", "Денис", "Евгений", "Владимир", "Павел",
		"Олег", "Константин", "Игорь", "Виктор", "Николай", "Юрий", "Антон", "Григорий", "Вадим", "Тимур"}
	ruFemale = []string{"Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Татьяна", "Екатерина",
		"Светлана", "Юлия", "Анастасия", "Дарья", "Ксения", "Марина", "Алина", "Виктория", "Полина",
		"Елизавета", "Галина", "Людмила", "Вера", "Надежда", "Софья", "Евгения", "Валентина", "Оксана"}
	// ruSurnames are in the masculine form; feminine derives the other.
	ruSurnames = []string{"Смирнов", "Иванов", "Кузнецов", "Соколов", "Попов", "Лебедев", "Козлов",
		"Новиков", "Морозов", "Петров", "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов",
		"Голубев", "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Михайлов", "Беляев", "Тарасов",
		"Белов", "Комаров", "Орлов", "Киселёв", "Макаров", "Андреев", "Ковалёв", "Ильин", "Гусев",
		"Титов", "Кудрявцев", "Баранов", "Куликов", "Алексеев", "Степанов", "Яковлев", "Сорокин",
		"Романов", "Захаров", "Борисов", "Королёв", "Герасимов", "Пономарёв", "Григорьев", "Медведев",
		"Ершов", "Никитин", "Соболев", "Поляков", "Цветков", "Данилов", "Жуков", "Фролов", "Журавлёв",
		"Крылов", "Максимов", "Сидоров", "Осипов", "Егоров", "Калинин", "Тимофеев", "Марков", "Миронов",
		"Казаков", "Громов", "Фомин", "Давыдов", "Мельников", "Щербаков", "Карпов", "Власов", "Тихонов",
		"Гаврилов", "Быков", "Зуев", "Суворов", "Чернов", "Назаров", "Некрасов", "Жданов", "Воронцов",
		"Троицкий", "Покровский", "Садовский", "Успенский", "Вишневецкий", "Луговой", "Толстой",
		"Шевченко", "Бондаренко", "Кравченко", "Черных", "Седых", "Ким"}

	enMale     = []string{"James", "John", "Robert", "Michael", "David", "William", "Richard", "Thomas", "Daniel", "Matthew", "Oliver", "George", "Harry", "Jack", "Samuel", "Andrew"}
	enFemale   = []string{"Mary", "Jennifer", "Linda", "Sarah", "Emily", "Jessica", "Emma", "Olivia", "Sophie", "Charlotte", "Amelia", "Hannah", "Laura", "Rachel", "Grace", "Kate"}
	enSurnames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
		"Taylor", "Anderson", "Thomas", "Moore", "Martin", "Clark", "Walker", "Wright", "Hughes", "Evans",
		"Roberts", "Green", "Hall", "Wood", "Turner", "Cooper", "Harris", "Ward", "Bennett", "Parker", "Foster", "Reed"}
)

// feminine returns the feminine form of a masculine Russian surname:
// Смирнов → Смирнова, Ильин → Ильина, Троицкий → Троицкая, Толстой →
// Толстая; surnames that do not change (Шевченко, Черных, Ким) stay.
func feminine(s string) string {
	switch {
	case strings.HasSuffix(s, "ский"), strings.HasSuffix(s, "цкий"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case strings.HasSuffix(s, "ой"):
		return strings.TrimSuffix(s, "ой") + "ая"
	case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ёв"),
		strings.HasSuffix(s, "ин"), strings.HasSuffix(s, "ын"):
		return s + "а"
	}
	return s
}

func russianPerson(rng *rand.Rand) person {
	surname := pick(rng, ruSurnames)
	if rng.IntN(2) == 0 {
		return person{given: pick(rng, ruFemale), surname: feminine(surname), female: true}
	}
	return person{given: pick(rng, ruMale), surname: surname}
}

func englishPerson(rng *rand.Rand) person {
	if rng.IntN(2) == 0 {
		return person{given: pick(rng, enFemale), surname: pick(rng, enSurnames), female: true}
	}
	return person{given: pick(rng, enMale), surname: pick(rng, enSurnames)}
}

// patronymicInitials are the initials an ИП's name carries ("ИП Орлов С. А.").
var patronymicInitials = []string{"А.", "В.", "Г.", "Д.", "Е.", "И.", "М.", "Н.", "О.", "П.", "С.", "Ю."}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }
