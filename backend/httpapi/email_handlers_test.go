package httpapi_test

import (
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/notify"
	"github.com/warmline/warmline/backend/postgres/pgtest"
)

func TestEmailSettingsAPI(t *testing.T) {
	db := pgtest.NewDB(t)
	api := httpapi.NewServer(db, httpapi.Config{WebhookPolicy: notify.Policy{AllowPrivate: true}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(api)
	defer srv.Close()
	ts := &testServer{Server: srv, API: api, DB: db}
	admin := ts.signUp(t, "Mail Org")

	var es map[string]any
	admin.api("GET", "/api/v1/email/settings", nil).must(t, 200).JSON(t, &es)
	if es["configured"] != false {
		t.Fatalf("fresh settings = %v", es)
	}
	admin.api("POST", "/api/v1/email/test", map[string]string{"to": "a@example.com"}).must(t, 409)
	if e := admin.api("PUT", "/api/v1/email/settings", map[string]any{"port": 25}).must(t, 400).Error(t); e.Field != "host" {
		t.Errorf("missing host: %+v", e)
	}

	// An SMTP server that hangs up at once: the test answers 200 with what went wrong.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	r := admin.api("PUT", "/api/v1/email/settings", map[string]any{"host": "127.0.0.1", "port": port, "security": "none",
		"username": "u", "password": "smtp-pass-42", "from_address": "sales@example.com", "handoff_address": "news@example.com"}).must(t, 200)
	if strings.Contains(string(r.Body), "smtp-pass-42") {
		t.Fatalf("password echoed: %s", r.Body)
	}
	r.JSON(t, &es)
	if es["configured"] != true || es["has_password"] != true || es["handoff_address"] != "news@example.com" {
		t.Errorf("settings = %v", es)
	}
	var res struct {
		Sent  bool   `json:"sent"`
		Error string `json:"error"`
	}
	admin.api("POST", "/api/v1/email/test", map[string]string{"to": "boss@example.com"}).must(t, 200).JSON(t, &res)
	if res.Sent || res.Error == "" || strings.Contains(res.Error, "smtp-pass-42") {
		t.Errorf("test against a server that hangs up: %+v", res)
	}
	admin.api("DELETE", "/api/v1/email/settings", nil).must(t, 204)
	admin.api("DELETE", "/api/v1/email/settings", nil).must(t, 404)
	ts.addUser(t, admin, "supervisor").api("GET", "/api/v1/email/settings", nil).must(t, 403)
}
