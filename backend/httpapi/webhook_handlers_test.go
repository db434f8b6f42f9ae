package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestWebhooksAPI(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Hooks Org")
	sup := ts.addUser(t, admin, "supervisor")

	created := admin.api("POST", "/api/v1/webhooks", map[string]any{
		"url": "https://crm.example.com/warmline", "description": "CRM", "event_types": []string{"client.created", "client.moved", "client.created"}}).must(t, 201)
	var w struct {
		ID         int64    `json:"id"`
		Secret     string   `json:"secret"`
		EventTypes []string `json:"event_types"`
	}
	created.JSON(t, &w)
	if !strings.HasPrefix(w.Secret, "whsec_") || len(w.EventTypes) != 2 {
		t.Fatalf("created = %s", created.Body)
	}
	path := fmt.Sprintf("/api/v1/webhooks/%d", w.ID)
	for _, r := range []response{admin.api("GET", path, nil).must(t, 200), admin.api("GET", "/api/v1/webhooks", nil).must(t, 200),
		admin.api("PATCH", path, map[string]any{"enabled": false}).must(t, 200)} {
		if strings.Contains(string(r.Body), w.Secret) || strings.Contains(string(r.Body), `"secret"`) {
			t.Errorf("the secret is shown again: %s", r.Body)
		}
	}
	// Refusals name the field.
	for body, field := range map[string]string{
		`{"url": "http://crm.example.com/x"}`:                          "url",
		`{"url": "https://169.254.169.254/latest"}`:                    "url",
		`{"url": "https://crm.example.com/", "event_types": [1]}`:      "event_types",
		`{"url": "https://crm.example.com/", "secret": "mine"}`:        "secret",
		`{"url": "https://crm.example.com/", "event_types": ["nope"]}`: "event_types",
	} {
		e := admin.api("POST", "/api/v1/webhooks", body).must(t, 400).Error(t)
		if e.Field != field {
			t.Errorf("%s: field %q, want %q (%s)", body, e.Field, field, e.Error)
		}
	}
	sup.api("GET", "/api/v1/webhooks", nil).must(t, 403)

	// Test event → the log shows it pending; resend keeps it queued.
	d := idOf(t, admin.api("POST", path+"/test", nil).must(t, 202))
	var log struct {
		Items []struct {
			ID        int64  `json:"id"`
			Status    string `json:"status"`
			EventType string `json:"event_type"`
		} `json:"items"`
	}
	admin.api("GET", path+"/deliveries?limit=10", nil).must(t, 200).JSON(t, &log)
	if len(log.Items) != 1 || log.Items[0].ID != d || log.Items[0].Status != "pending" || log.Items[0].EventType != "webhook.test" {
		t.Fatalf("log = %+v", log)
	}
	admin.api("POST", fmt.Sprintf("%s/deliveries/%d/resend", path, d), nil).must(t, 202)
	admin.api("POST", fmt.Sprintf("%s/deliveries/%d/resend", path, d+1000), nil).must(t, 404)
	admin.api("GET", path+"/deliveries?limit=0", nil).must(t, 400)
	admin.api("DELETE", path, nil).must(t, 204)
	admin.api("GET", path, nil).must(t, 404)
}
