package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTenancyMatrix calls every API route, as every role of organisation A
// and as a stranger, with organisation B's ids, and proves that nothing of
// B is seen or changed: each call is refused (401/403/404), or succeeds
// only on A's own data with no B row in the answer. A route missing from
// the cases below fails the test, so new routes must join the matrix.
func TestTenancyMatrix(t *testing.T) {
	ts := newTestServer(t)

	// Organisation B, the one under attack, with one of everything.
	bAdmin := ts.signUp(t, "Bravo Secret Org")
	bAgent := ts.addUser(t, bAdmin, "agent")
	var bStages struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	bAdmin.do("GET", "/api/v1/stages", nil).must(t, 200).JSON(t, &bStages)
	bStage := bStages.Items[1].ID
	bClient := idOf(t, bAdmin.do("POST", "/api/v1/clients", map[string]any{
		"name": "Bravo Client Secret", "company": "Bravo Company Secret", "phones": []string{"+79035550101"}, "channel": "BravoChannel"}).must(t, 201))
	csv := "Name,Phone\nBravo Imported Secret,+79035550102\n"
	bImport := idOf(t, bAdmin.upload("/api/v1/imports", "b.csv", []byte(csv), map[string]string{
		"mapping": `{"Name":"name","Phone":"phone"}`, "mode": "all_or_nothing"}).must(t, 202))
	waitImport(t, bAdmin, bImport)
	// Integrations: a webhook endpoint of B with one delivery in its log.
	bWebhook := idOf(t, bAdmin.do("POST", "/api/v1/webhooks", map[string]any{"url": "https://bravo-secret.example.com/hook"}).must(t, 201))
	bDelivery := idOf(t, bAdmin.do("POST", fmt.Sprintf("/api/v1/webhooks/%d/test", bWebhook), nil).must(t, 202))
	bPlan := idOf(t, bAdmin.do("POST", "/api/v1/plans", map[string]any{"agent_id": bAgent.ID, "period": "day", "contacts": 40}).must(t, 201))
	// Phone (issue 3): a trunk, a line and a call of B; a gateway stand-in
	// so that the phone routes get past "not running".
	ts.API.Phone = newPhoneRecorder()
	bTrunk := idOf(t, bAdmin.do("POST", "/api/v1/trunks", map[string]any{"name": "Bravo Trunk Secret", "host": "sip.bravo.example"}).must(t, 201))
	bLine := idOf(t, bAdmin.do("POST", "/api/v1/lines", map[string]any{"number": "+74950005555", "name": "Bravo Line Secret", "trunk_id": bTrunk}).must(t, 201))
	bCall := startCall(t, ts, bAdmin.OrgID, bAgent.ID, bClient)
	before := snapshotOrg(t, ts, bAdmin.OrgID)

	// Organisation A's people.
	aAdmin := ts.signUp(t, "Alpha Org")
	callers := map[string]*account{
		"admin":      aAdmin,
		"supervisor": ts.addUser(t, aAdmin, "supervisor"),
		"agent":      ts.addUser(t, aAdmin, "agent"),
	}
	var aStages struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	aAdmin.do("GET", "/api/v1/stages", nil).must(t, 200).JSON(t, &aStages)
	aStageIDs := []int64{}
	for _, s := range aStages.Items {
		aStageIDs = append(aStageIDs, s.ID)
	}

	ids := map[string]int64{"users": bAgent.ID, "stages": bStage, "clients": bClient, "imports": bImport,
		"webhooks": bWebhook, "deliveries": bDelivery, "plans": bPlan}
	ids["trunks"], ids["lines"], ids["calls"] = bTrunk, bLine, bCall // phone
	// Rules engine (issue 5): one of B's calls, work items and rule actions.
	var rCall, rWorkItem, rRuleAction int64
	ts.DB.Get(&rCall, `INSERT INTO calls (org_id, direction, client_id, status, ended_at, outcome)
		VALUES ($1, 'outbound', $2, 'ended', now(), 'answered') RETURNING id`, bAdmin.OrgID, bClient)
	ts.DB.Get(&rWorkItem, `INSERT INTO work_items (org_id, client_id, kind, reason, episode_at)
		VALUES ($1, $2, 'zombie', 'Bravo zombie', now()) RETURNING id`, bAdmin.OrgID, bClient)
	ts.DB.Get(&rRuleAction, `INSERT INTO rule_actions (org_id, client_id, work_item_id, rule, action, reason)
		VALUES ($1, $2, $3, 'zombie', 'queue', 'Bravo action') RETURNING id`, bAdmin.OrgID, bClient, rWorkItem)
	if rCall == 0 || rWorkItem == 0 || rRuleAction == 0 {
		t.Fatal("could not create organisation B's call, work item and rule action")
	}
	if ids["calls"] == 0 {
		ids["calls"] = rCall
	}
	ids["work-items"], ids["rule-actions"] = rWorkItem, rRuleAction
	before = snapshotOrg(t, ts, bAdmin.OrgID)
	type call struct {
		body   any
		upload bool
		// own: the route acts on the caller's own organisation (no id in the
		// path), so success is allowed, without any trace of B.
		own bool
	}
	n := 0
	stageName := func() string { n++; return fmt.Sprintf("Alpha stage %d", n) }
	userBody := func() any {
		n++
		return map[string]string{"email": fmt.Sprintf("new%d@alpha.example", n), "name": "New", "role": "agent", "password": "a good long password"}
	}
	csvA := []byte("Name,Phone\nAlpha Person,+79035559999\n")
	cases := map[string]func() call{
		"POST /api/v1/auth/signup":   nil, // public: creates a new organisation
		"POST /api/v1/auth/login":    nil, // public
		"GET /api/v1/openapi.json":   nil, // public document
		"POST /api/v1/auth/logout":   func() call { return call{own: true} },
		"GET /api/v1/auth/me":        func() call { return call{own: true} },
		"PATCH /api/v1/auth/me":      func() call { return call{body: map[string]string{"locale": "en"}, own: true} },
		"PUT /api/v1/auth/me/state":  func() call { return call{body: map[string]string{"state": "away", "reason": "lunch"}, own: true} },
		"GET /api/v1/presence":       func() call { return call{own: true} },
		"GET /api/v1/reports/funnel": func() call { return call{own: true} },
		"GET /api/v1/reports/calls":  func() call { return call{own: true} },
		"GET /api/v1/organisation":   func() call { return call{own: true} },
		"PATCH /api/v1/organisation": func() call {
			return call{body: map[string]any{"agents_own_clients_only": false}, own: true}
		},
		"GET /api/v1/users":                   func() call { return call{own: true} },
		"POST /api/v1/users":                  func() call { return call{body: userBody(), own: true} },
		"PATCH /api/v1/users/:id":             func() call { return call{body: map[string]string{"role": "admin"}} },
		"DELETE /api/v1/users/:id":            func() call { return call{} },
		"GET /api/v1/stages":                  func() call { return call{own: true} },
		"POST /api/v1/stages":                 func() call { return call{body: map[string]string{"name": stageName()}, own: true} },
		"PUT /api/v1/stages/order":            func() call { return call{body: map[string]any{"ids": append([]int64{bStage}, aStageIDs[1:]...)}} },
		"PATCH /api/v1/stages/:id":            func() call { return call{body: map[string]string{"name": "Hijacked"}} },
		"DELETE /api/v1/stages/:id":           func() call { return call{} },
		"GET /api/v1/clients":                 func() call { return call{own: true} },
		"POST /api/v1/clients":                func() call { return call{body: map[string]any{"name": "Alpha new", "stage_id": bStage}} },
		"GET /api/v1/clients/export":          func() call { return call{own: true} },
		"GET /api/v1/clients/:id":             func() call { return call{} },
		"PATCH /api/v1/clients/:id":           func() call { return call{body: map[string]string{"name": "Hijacked"}} },
		"DELETE /api/v1/clients/:id":          func() call { return call{} },
		"POST /api/v1/clients/:id/move":       func() call { return call{body: map[string]any{"stage_id": aStageIDs[0]}} },
		"GET /api/v1/clients/:id/transitions": func() call { return call{} },
		"GET /api/v1/channels":                func() call { return call{own: true} },
		"POST /api/v1/imports/preview":        func() call { return call{upload: true, own: true} },
		"POST /api/v1/imports":                func() call { return call{upload: true, own: true} },
		"GET /api/v1/imports/:id":             func() call { return call{} },
		// Rules engine (issue 5).
		"GET /api/v1/calendar": func() call { return call{own: true} },
		"PUT /api/v1/calendar": func() call {
			return call{body: map[string]any{"holidays": []map[string]string{{"date": "2026-12-31", "name": "Eve"}}}, own: true}
		},
		"GET /api/v1/rules/settings":           func() call { return call{own: true} },
		"PATCH /api/v1/rules/settings":         func() call { return call{body: map[string]any{"contact_min_seconds": 25}, own: true} },
		"GET /api/v1/clients/:id/contacts":     func() call { return call{} },
		"POST /api/v1/clients/:id/contacts":    func() call { return call{body: map[string]string{"kind": "meeting"}} },
		"GET /api/v1/clients/:id/actions":      func() call { return call{} },
		"PUT /api/v1/clients/:id/next-action":  func() call { return call{body: map[string]any{"next_action_at": nil}} },
		"POST /api/v1/calls/:id/outcome":       func() call { return call{body: map[string]string{"outcome": "keep"}} },
		"GET /api/v1/my-day":                   func() call { return call{own: true} },
		"GET /api/v1/work-items":               func() call { return call{own: true} },
		"POST /api/v1/work-items/reassign":     func() call { return call{body: map[string]any{"ids": []int64{rWorkItem}, "owner_id": aAdmin.ID}} },
		"POST /api/v1/work-items/:id/decision": func() call { return call{body: map[string]string{"decision": "reject"}} },
		"POST /api/v1/rule-actions/:id/undo":   func() call { return call{} },
		// Integrations: webhooks.
		"GET /api/v1/webhooks":                                     func() call { return call{own: true} },
		"POST /api/v1/webhooks":                                    func() call { return call{body: map[string]any{"url": "https://alpha.example.com/hook"}, own: true} },
		"GET /api/v1/webhooks/:id":                                 func() call { return call{} },
		"PATCH /api/v1/webhooks/:id":                               func() call { return call{body: map[string]any{"enabled": false}} },
		"DELETE /api/v1/webhooks/:id":                              func() call { return call{} },
		"GET /api/v1/webhooks/:id/deliveries":                      func() call { return call{} },
		"POST /api/v1/webhooks/:id/deliveries/:delivery_id/resend": func() call { return call{} },
		"POST /api/v1/webhooks/:id/test":                           func() call { return call{} },
		"GET /api/v1/email/settings":                               func() call { return call{own: true} },
		"PUT /api/v1/email/settings": func() call {
			return call{body: map[string]any{"host": "smtp.alpha.example.com", "port": 587, "security": "starttls", "from_address": "a@alpha.example.com"}, own: true}
		},
		"DELETE /api/v1/email/settings": func() call { return call{own: true} },
		// Refused before any SMTP server is contacted (no network in tests).
		"POST /api/v1/email/test": func() call { return call{body: map[string]any{"to": "not an address"}} },
		// Plans.
		"GET /api/v1/plans":          func() call { return call{own: true} },
		"POST /api/v1/plans":         func() call { return call{body: map[string]any{"agent_id": bAgent.ID, "period": "week", "contacts": 1}} },
		"GET /api/v1/plans/progress": func() call { return call{own: true} },
		"PUT /api/v1/plans/settings": func() call { return call{body: map[string]any{"alert_threshold": 25}, own: true} },
		"PATCH /api/v1/plans/:id":    func() call { return call{body: map[string]any{"contacts": 1}} },
		"DELETE /api/v1/plans/:id":   func() call { return call{} },
		// Phone (issue 3). A's trunks stay disabled, so A stays on the demo line.
		"GET /api/v1/trunks": func() call { return call{own: true} },
		"POST /api/v1/trunks": func() call {
			n++
			return call{body: map[string]any{"name": fmt.Sprintf("Alpha trunk %d", n), "host": "sip.alpha.example", "enabled": false}, own: true}
		},
		"PATCH /api/v1/trunks/:id":  func() call { return call{body: map[string]any{"name": "Hijacked"}} },
		"DELETE /api/v1/trunks/:id": func() call { return call{} },
		"GET /api/v1/lines":         func() call { return call{own: true} },
		"POST /api/v1/lines":        func() call { return call{body: map[string]any{"number": "+74950006666", "trunk_id": ids["trunks"]}} },
		"PATCH /api/v1/lines/:id":   func() call { return call{body: map[string]any{"name": "Hijacked"}} },
		"DELETE /api/v1/lines/:id":  func() call { return call{} },
		"GET /api/v1/calls":         func() call { return call{own: true} },
		"POST /api/v1/calls":        func() call { return call{body: map[string]any{"client_id": ids["clients"]}} },
		"GET /api/v1/calls/:id":     func() call { return call{} },
		"POST /api/v1/demo/call-in": func() call { return call{body: map[string]any{}, own: true} },
	}

	stranger := ts.newClient(t)
	for _, r := range ts.API.Routes() {
		key := r.Method + " " + r.Path
		mk, ok := cases[key]
		if !ok {
			t.Errorf("route %s is not in the tenancy matrix; add it", key)
			continue
		}
		if mk == nil {
			continue
		}
		path := r.Path
		if i := strings.Index(path, ":id"); i >= 0 {
			resource := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/")[0]
			path = strings.Replace(path, ":id", fmt.Sprint(ids[resource]), 1)
		}
		path = strings.Replace(path, ":delivery_id", fmt.Sprint(ids["deliveries"]), 1) // webhooks' delivery log
		send := func(c *client, cl call) response {
			if cl.upload {
				return c.upload(path, "a.csv", csvA, map[string]string{"mapping": `{"Name":"name","Phone":"phone"}`, "mode": "skip_bad_rows"})
			}
			return c.do(r.Method, path, cl.body)
		}
		// A stranger without a session is always refused.
		if res := send(&client{t: t, srv: ts, http: stranger.http}, mk()); res.Status != http.StatusUnauthorized {
			t.Errorf("%s without a session: status %d, want 401: %s", key, res.Status, res.Body)
		}
		for _, role := range []string{"agent", "supervisor", "admin"} {
			caller := callers[role]
			cl := mk()
			res := send(caller.client, cl)
			allowed := roleRank(role) >= roleRank(string(r.Role))
			switch {
			case !allowed:
				if res.Status != http.StatusForbidden {
					t.Errorf("%s as %s: status %d, want 403: %s", key, role, res.Status, res.Body)
				}
			case cl.own:
				if res.Status >= 300 {
					t.Errorf("%s as %s on its own organisation: status %d: %s", key, role, res.Status, res.Body)
				}
			default:
				if res.Status != http.StatusNotFound && res.Status != http.StatusBadRequest {
					t.Errorf("%s as %s with organisation B's ids: status %d, want 404 (or 400 for a foreign reference): %s", key, role, res.Status, res.Body)
				}
			}
			if strings.Contains(string(res.Body), "Bravo") {
				t.Errorf("%s as %s leaked organisation B's data: %s", key, role, res.Body)
			}
			if key == "POST /api/v1/auth/logout" {
				// Log back in for the rest of the matrix.
				caller.do("POST", "/api/v1/auth/login", map[string]string{"email": caller.Email, "password": "a good long password"}).must(t, 200)
			}
		}
	}
	if after := snapshotOrg(t, ts, bAdmin.OrgID); after != before {
		t.Errorf("organisation B changed under the matrix:\nbefore %s\nafter  %s", before, after)
	}
}

func roleRank(r string) int {
	return map[string]int{"": 0, "agent": 1, "supervisor": 2, "admin": 3}[r]
}

// snapshotOrg summarises every row of an organisation, to prove it unchanged.
func snapshotOrg(t *testing.T, ts *testServer, org int64) string {
	t.Helper()
	var s string
	const q = `SELECT concat_ws(' | ',
		(SELECT string_agg(name || ':' || agents_own_only::text, ',') FROM organisations WHERE id = $1),
		(SELECT string_agg(id || ':' || name || ':' || role || ':' || active::text || ':' || locale, ',' ORDER BY id) FROM users WHERE org_id = $1),
		(SELECT string_agg(id || ':' || name || ':' || position || ':' || coalesce(deleted_at::text, ''), ',' ORDER BY id) FROM stages WHERE org_id = $1),
		(SELECT string_agg(id || ':' || name || ':' || stage_id || ':' || coalesce(deleted_at::text, ''), ',' ORDER BY id) FROM clients WHERE org_id = $1),
		(SELECT count(*)::text FROM stage_transitions WHERE org_id = $1),
		(SELECT count(*)::text FROM events WHERE org_id = $1),
		(SELECT count(*)::text FROM imports WHERE org_id = $1),
		(SELECT string_agg(id || ':' || coalesce(closed_at::text, '') || ':' || coalesce(owner_id::text, ''), ',' ORDER BY id) FROM work_items WHERE org_id = $1),
		(SELECT string_agg(id || ':' || coalesce(undone_at::text, ''), ',' ORDER BY id) FROM rule_actions WHERE org_id = $1),
		(SELECT string_agg(user_id || ':' || state, ',' ORDER BY user_id) FROM agent_states WHERE org_id = $1),
		(SELECT string_agg(id || ':' || url || ':' || enabled::text, ',' ORDER BY id) FROM webhooks WHERE org_id = $1),
		(SELECT string_agg(id || ':' || status || ':' || attempts, ',' ORDER BY id) FROM webhook_deliveries WHERE org_id = $1),
		(SELECT host || ':' || from_address FROM email_settings WHERE org_id = $1),
		(SELECT string_agg(id || ':' || agent_id || ':' || contacts, ',' ORDER BY id) FROM plans WHERE org_id = $1))`
	if err := ts.DB.Get(&s, q, org); err != nil {
		t.Fatal(err)
	}
	return s
}

// waitImport polls an import until it finishes.
func waitImport(t *testing.T, c *account, id int64) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var im map[string]any
		c.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil).must(t, 200).JSON(t, &im)
		if im["status"] != "running" {
			return im
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("import %d still running after 30 s", id)
	return nil
}
