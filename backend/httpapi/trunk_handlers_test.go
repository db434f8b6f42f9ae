package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestTrunks_SecretNeverLeaves(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Trunk Org")
	sup := ts.addUser(t, admin, "supervisor")
	phone := newPhoneRecorder()
	ts.API.Phone = phone
	const secret = "digest-secret-4711"

	res := admin.api("POST", "/api/v1/trunks", map[string]any{"name": "Провайдер", "host": "sip.example.com", "auth_mode": "register",
		"username": "74950000000", "password": secret, "caller_id": "8 495 000-00-00", "allowed_sources": []string{"203.0.113.0/24"}}).must(t, 201)
	id := idOf(t, res)
	var tr map[string]any
	res.JSON(t, &tr)
	if tr["has_password"] != true || tr["enabled"] != true || tr["caller_id"] != "+74950000000" || tr["port"] != float64(5060) {
		t.Fatalf("created %v", tr)
	}
	list := admin.api("GET", "/api/v1/trunks", nil).must(t, 200)
	for _, body := range [][]byte{res.Body, list.Body} {
		if strings.Contains(string(body), secret) || strings.Contains(string(body), `"password"`) {
			t.Fatalf("the password left the server: %s", body)
		}
	}
	if phone.reloaded() != 1 {
		t.Fatalf("reloads after create: %d", phone.reloaded())
	}

	// A partial PATCH keeps everything else, the password too.
	upd := admin.api("PATCH", fmt.Sprintf("/api/v1/trunks/%d", id), map[string]any{"enabled": false}).must(t, 200)
	upd.JSON(t, &tr)
	var stored string
	ts.DB.Get(&stored, `SELECT password FROM trunks WHERE id = $1`, id)
	if tr["enabled"] != false || tr["host"] != "sip.example.com" || tr["has_password"] != true || stored != secret || strings.Contains(string(upd.Body), secret) {
		t.Fatalf("after PATCH: %v (stored %q)", tr, stored)
	}
	admin.api("PATCH", fmt.Sprintf("/api/v1/trunks/%d", id), map[string]any{"password": ""}).must(t, 200)
	if ts.DB.Get(&stored, `SELECT password FROM trunks WHERE id = $1`, id); stored != secret {
		t.Fatalf("an empty password replaced the stored one: %q", stored)
	}
	if e := admin.api("PATCH", fmt.Sprintf("/api/v1/trunks/%d", id), map[string]any{"codecs": []string{"G729"}}).must(t, 400).Error(t); e.Field != "codecs" {
		t.Fatalf("bad codec: %+v", e)
	}
	if e := admin.api("POST", "/api/v1/trunks", map[string]any{"name": "провайдер", "host": "x.example.com"}).must(t, 409).Error(t); e.Field != "name" {
		t.Fatalf("duplicate name: %+v", e)
	}
	if e := admin.api("POST", "/api/v1/trunks", map[string]any{"name": "X", "host": "x.example.com", "secret": "x"}).must(t, 400).Error(t); e.Field != "secret" {
		t.Fatalf("unknown field: %+v", e)
	}
	sup.api("GET", "/api/v1/trunks", nil).must(t, 403)
	admin.api("DELETE", fmt.Sprintf("/api/v1/trunks/%d", id), nil).must(t, 204)
	admin.api("DELETE", fmt.Sprintf("/api/v1/trunks/%d", id), nil).must(t, 404)
	admin.api("PATCH", fmt.Sprintf("/api/v1/trunks/%d", id), map[string]any{"enabled": true}).must(t, 404)
	if phone.reloaded() != 4 { // create, two updates, delete
		t.Fatalf("reloads: %d", phone.reloaded())
	}
}

func TestLines_NumbersAreUniqueAndNormalised(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Lines Org")
	sup := ts.addUser(t, admin, "supervisor")
	agent := ts.addUser(t, admin, "agent")
	trunk := idOf(t, admin.api("POST", "/api/v1/trunks", map[string]any{"name": "T", "host": "10.0.0.1"}).must(t, 201))

	res := admin.api("POST", "/api/v1/lines", map[string]any{"number": "8 (495) 123-45-67", "name": "Сайт", "trunk_id": trunk}).must(t, 201)
	id := idOf(t, res)
	var line map[string]any
	res.JSON(t, &line)
	if line["number"] != "+74951234567" || line["trunk_id"] != float64(trunk) || line["channel_id"] != nil {
		t.Fatalf("line %v", line)
	}
	if e := admin.api("POST", "/api/v1/lines", map[string]any{"number": "+7 495 123 45 67"}).must(t, 409).Error(t); e.Field != "number" {
		t.Fatalf("duplicate: %+v", e)
	}
	other := ts.signUp(t, "Other Lines Org")
	if e := other.api("POST", "/api/v1/lines", map[string]any{"number": "+74951234567"}).must(t, 409).Error(t); e.Field != "number" {
		t.Fatalf("another organisation's number: %+v", e)
	}
	if e := admin.api("POST", "/api/v1/lines", map[string]any{"number": "12"}).must(t, 400).Error(t); e.Field != "number" {
		t.Fatalf("bad number: %+v", e)
	}
	var list struct{ Items []map[string]any }
	sup.api("GET", "/api/v1/lines", nil).must(t, 200).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("lines %v", list.Items)
	}
	agent.api("GET", "/api/v1/lines", nil).must(t, 403)
	sup.api("POST", "/api/v1/lines", map[string]any{"number": "+74951234568"}).must(t, 403)

	admin.api("PATCH", fmt.Sprintf("/api/v1/lines/%d", id), map[string]any{"trunk_id": nil, "name": "Реклама"}).must(t, 200).JSON(t, &line)
	if line["trunk_id"] != nil || line["name"] != "Реклама" || line["number"] != "+74951234567" {
		t.Fatalf("after PATCH %v", line)
	}
	admin.api("DELETE", fmt.Sprintf("/api/v1/lines/%d", id), nil).must(t, 204)
	admin.api("PATCH", fmt.Sprintf("/api/v1/lines/%d", id), map[string]any{"name": "x"}).must(t, 404)
}
