package main

import (
	_ "github.com/alexedwards/argon2id"
	_ "github.com/jmoiron/sqlx"
	_ "github.com/labstack/echo/v4"
	_ "github.com/lib/pq"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/pressly/goose/v3"
	_ "golang.org/x/text/encoding/charmap"
)

func main() {}
