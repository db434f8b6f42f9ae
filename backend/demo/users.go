// Package demo generates the demo organisation's data for `warmline
// seed-demo`: five users and a few hundred clients of a Russian phone-sales
// team, spread over the default funnel with realistic histories. It is
// pure generation, deterministic for a given random source; writing the
// data is the caller's job.
package demo

import "github.com/warmline/warmline/backend/warmline"

// Agents is how many of Users are agents; Client.Owner indexes them.
const Agents = 3

// Users returns the demo users: an admin, a supervisor and three agents,
// in that order, so that Client.Owner i is Users()[2+i]. Passwords are the
// caller's to set.
func Users() []warmline.NewUser {
	u := func(email, name string, role warmline.Role) warmline.NewUser {
		return warmline.NewUser{Email: email, Name: name, Role: role, Locale: "ru", TimeZone: "Europe/Moscow"}
	}
	return []warmline.NewUser{
		u("admin@demo.example", "Администратор", warmline.RoleAdmin),
		u("supervisor@demo.example", "Елена Васильева", warmline.RoleSupervisor),
		u("agent1@demo.example", "Анна Петрова", warmline.RoleAgent),
		u("agent2@demo.example", "Дмитрий Соколов", warmline.RoleAgent),
		u("agent3@demo.example", "Мария Козлова", warmline.RoleAgent),
	}
}
