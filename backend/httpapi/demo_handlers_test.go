package httpapi_test

import (
	"testing"

	"github.com/warmline/warmline/backend/warmline"
)

func TestDemoCallIn_OnlyWithoutATrunk(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Demo Org")
	agent := ts.addUser(t, admin, "agent")
	if e := agent.api("POST", "/api/v1/demo/call-in", map[string]any{}).must(t, 503).Error(t); e.Code != "unavailable" {
		t.Fatalf("without a gateway: %+v", e)
	}
	phone := newPhoneRecorder()
	ts.API.Phone = phone
	agent.api("POST", "/api/v1/demo/call-in", map[string]any{}).must(t, 202)
	agent.api("POST", "/api/v1/demo/call-in", map[string]any{"from": "8 916 123-45-67"}).must(t, 202)
	if e := agent.api("POST", "/api/v1/demo/call-in", map[string]any{"from": "hello"}).must(t, 400).Error(t); e.Field != "from" {
		t.Fatalf("bad from: %+v", e)
	}
	org := warmline.OrgID(admin.OrgID)
	if len(phone.demo) != 2 || phone.demo[0] != (demoCall{org, ""}) || phone.demo[1] != (demoCall{org, "+79161234567"}) {
		t.Fatalf("demo calls %+v", phone.demo)
	}

	var o map[string]any
	admin.api("GET", "/api/v1/organisation", nil).must(t, 200).JSON(t, &o)
	if o["demo_line"] != true {
		t.Fatalf("organisation without a trunk: %v", o)
	}
	admin.api("POST", "/api/v1/trunks", map[string]any{"name": "Real", "host": "sip.example.com"}).must(t, 201)
	agent.api("POST", "/api/v1/demo/call-in", map[string]any{}).must(t, 409)
	if agent.api("GET", "/api/v1/organisation", nil).must(t, 200).JSON(t, &o); o["demo_line"] != false {
		t.Fatalf("organisation with a trunk: %v", o)
	}
}

func TestOrganisation_PhoneSettings(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Settings Org")
	var o map[string]any
	admin.api("GET", "/api/v1/organisation", nil).must(t, 200).JSON(t, &o)
	if o["auto_answer_seconds"] != float64(0) || o["wrap_up_seconds"] != float64(30) {
		t.Fatalf("defaults %v", o)
	}
	admin.api("PATCH", "/api/v1/organisation", map[string]any{"auto_answer_seconds": 5, "wrap_up_seconds": 0}).must(t, 200).JSON(t, &o)
	if o["auto_answer_seconds"] != float64(5) || o["wrap_up_seconds"] != float64(0) {
		t.Fatalf("after PATCH %v", o)
	}
	for body, field := range map[string]string{
		`{"auto_answer_seconds": 61}`: "auto_answer_seconds",
		`{"auto_answer_seconds": -1}`: "auto_answer_seconds",
		`{"wrap_up_seconds": 3601}`:   "wrap_up_seconds",
		`{"demo_line": false}`:        "demo_line", // read-only
	} {
		if e := admin.api("PATCH", "/api/v1/organisation", body).must(t, 400).Error(t); e.Field != field {
			t.Errorf("%s: field %q", body, e.Field)
		}
	}
	if admin.api("GET", "/api/v1/organisation", nil).must(t, 200).JSON(t, &o); o["auto_answer_seconds"] != float64(5) {
		t.Fatalf("a refused PATCH changed the settings: %v", o)
	}
}
