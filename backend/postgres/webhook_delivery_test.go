package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/notify"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

// receiver is a webhook endpoint on loopback that checks every signature
// and answers from a script: one answer per request, then 200.
type receiver struct {
	t      *testing.T
	secret string
	script []string // "500", "timeout", "200"

	mu       sync.Mutex
	requests []received
}

type received struct {
	EventID, EventType string
	Payload            warmline.WebhookPayload
	Data               map[string]any
	Answer             string
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rv.mu.Lock()
	secret := rv.secret
	answer := "200"
	if n := len(rv.requests); n < len(rv.script) {
		answer = rv.script[n]
	}
	var p warmline.WebhookPayload
	var data struct {
		Data map[string]any `json:"data"`
	}
	json.Unmarshal(body, &p)
	json.Unmarshal(body, &data)
	rv.requests = append(rv.requests, received{EventID: r.Header.Get("Warmline-Event-Id"), EventType: r.Header.Get("Warmline-Event-Type"), Payload: p, Data: data.Data, Answer: answer})
	rv.mu.Unlock()
	if err := notify.Verify(secret, r.Header.Get(notify.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
		rv.t.Errorf("request %s: %v", r.Header.Get("Warmline-Event-Id"), err)
	}
	if r.Header.Get("Content-Type") != "application/json" {
		rv.t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	switch answer {
	case "timeout":
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	case "500":
		http.Error(w, "database down, try later", http.StatusInternalServerError)
	default:
		w.Write([]byte(`{"ok":true}`))
	}
}

func (rv *receiver) got() []received {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]received(nil), rv.requests...)
}

// fastRetries makes every failed attempt due again at once.
func fastRetries(attempt int) (time.Duration, bool) { return 0, attempt < 5 }

func newWorker(db *postgres.DB, log *slog.Logger) *postgres.DeliveryWorker {
	return postgres.NewDeliveryWorker(db, postgres.DeliveryConfig{
		Policy: notify.Policy{AllowPrivate: true}, Timeout: 300 * time.Millisecond, Backoff: fastRetries}, log)
}

func TestWebhookRetriesUntilAcknowledgedOnce(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	otherCtx, _, _ := newOrg(t, db)
	rv := &receiver{t: t, script: []string{"500", "timeout", "200"}}
	srv := httptest.NewServer(rv)
	defer srv.Close()
	hooks := postgres.NewWebhookStore(db, notify.Policy{AllowPrivate: true})
	wh, err := hooks.CreateWebhook(ctx, warmline.WebhookInput{URL: ptr(srv.URL + "/hook"), EventTypes: &[]string{warmline.EventClientCreated}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(wh.Secret, "whsec_") {
		t.Fatalf("secret %q not returned at creation", wh.Secret)
	}
	rv.mu.Lock()
	rv.secret = wh.Secret
	rv.mu.Unlock()

	clients := postgres.NewClientStore(db)
	cl, err := clients.CreateClient(ctx, warmline.ClientInput{Name: ptr("Anna Petrova")})
	if err != nil {
		t.Fatal(err)
	}
	// Neither another event type nor another organisation's client reaches the endpoint.
	if _, err := postgres.NewOrganisationStore(db).UpdateOrganisation(ctx, warmline.OrganisationUpdate{Name: ptr("Renamed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := clients.CreateClient(otherCtx, warmline.ClientInput{Name: ptr("Stranger")}); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	w := newWorker(db, slog.New(slog.NewTextHandler(&logs, nil)))
	if err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := rv.got()
	if len(got) != 3 {
		t.Fatalf("%d requests, want 3 (500, timeout, 200): %+v", len(got), got)
	}
	var seq int64
	db.Get(&seq, `SELECT seq FROM events WHERE org_id = $1 AND type = 'client.created'`, org.ID)
	wantID := fmt.Sprintf("%d-%d", org.ID, seq)
	for i, r := range got {
		if r.EventID != wantID || r.Payload.ID != wantID || r.EventType != "client.created" || r.Payload.Type != "client.created" || r.Payload.Seq != seq {
			t.Errorf("request %d: id %q/%q type %q seq %d, want %s client.created", i, r.EventID, r.Payload.ID, r.EventType, r.Payload.Seq, wantID)
		}
		if r.Data["name"] != "Anna Petrova" || r.Data["id"] != float64(cl.ID) {
			t.Errorf("request %d data = %v", i, r.Data)
		}
	}

	log, err := hooks.FindDeliveries(ctx, wh.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 {
		t.Fatalf("%d deliveries in the log, want 1: %+v", len(log), log)
	}
	d := log[0]
	if d.Status != warmline.DeliveryDelivered || d.Attempts != 3 || d.LastStatus == nil || *d.LastStatus != 200 || d.DeliveredAt == nil || d.NextAttemptAt != nil || d.LastResponse != `{"ok":true}` {
		t.Errorf("delivery = %+v (status %v), want delivered after 3 attempts with 200", d, d.LastStatus)
	}

	// Acknowledged: another pass sends nothing.
	if err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(rv.got()); n != 3 {
		t.Errorf("%d requests after a second pass, want still 3", n)
	}
	// Resend sends it again, with the same idempotency key.
	if _, err := hooks.ResendDelivery(ctx, wh.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rv.got(); len(got) != 4 || got[3].EventID != wantID {
		t.Errorf("after resend: %d requests, last %+v", len(got), got[len(got)-1])
	}

	// The secret never comes back, and never reached the log.
	again, err := hooks.FindWebhook(ctx, wh.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := hooks.FindWebhooks(ctx)
	if again.Secret != "" || len(list) != 1 || list[0].Secret != "" {
		t.Error("the secret is returned after creation")
	}
	if strings.Contains(logs.String(), wh.Secret) || !strings.Contains(logs.String(), "webhook delivery failed") {
		t.Errorf("logs: %s", logs.String())
	}
}

func TestWebhookFailsAfterItsLastAttempt(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	rv := &receiver{t: t, script: []string{"500", "500", "500", "500", "500", "500"}}
	srv := httptest.NewServer(rv)
	defer srv.Close()
	hooks := postgres.NewWebhookStore(db, notify.Policy{AllowPrivate: true})
	wh, err := hooks.CreateWebhook(ctx, warmline.WebhookInput{URL: ptr(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	rv.secret = wh.Secret
	if _, err := hooks.SendTestEvent(ctx, wh.ID); err != nil {
		t.Fatal(err)
	}
	if err := newWorker(db, slog.New(slog.DiscardHandler)).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	log, _ := hooks.FindDeliveries(ctx, wh.ID, 50)
	if len(log) != 1 || log[0].Status != warmline.DeliveryFailed || log[0].Attempts != 5 || log[0].EventType != warmline.WebhookTestEvent ||
		*log[0].LastStatus != 500 || log[0].LastResponse != "database down, try later\n" {
		t.Fatalf("log = %+v", log[0])
	}
	if got := rv.got(); len(got) != 5 || got[0].Payload.Type != warmline.WebhookTestEvent || !strings.Contains(got[0].EventID, "-test-") {
		t.Errorf("requests = %+v", got)
	}
}

func TestWebhookTwoWorkersDeliverEachEventOnce(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	rv := &receiver{t: t}
	srv := httptest.NewServer(rv)
	defer srv.Close()
	hooks := postgres.NewWebhookStore(db, notify.Policy{AllowPrivate: true})
	wh, err := hooks.CreateWebhook(ctx, warmline.WebhookInput{URL: ptr(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	rv.secret = wh.Secret
	clients := postgres.NewClientStore(db)
	for i := range 30 {
		if _, err := clients.CreateClient(ctx, warmline.ClientInput{Name: ptr(fmt.Sprintf("Client %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 2 {
		w := newWorker(db, slog.New(slog.DiscardHandler))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if err := w.RunOnce(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, r := range rv.got() {
		seen[r.EventID]++
	}
	if len(seen) != 30 {
		t.Errorf("%d distinct events delivered, want 30", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
}

// A burst of commits is a few passes, not one per commit, and every event of
// the burst is still delivered, the last one included.
func TestDeliveryWorkerTakesABurstOfCommitsInFewPasses(t *testing.T) {
	db, dsn := pgtest.NewDBURL(t)
	ctx, _, _ := newOrg(t, db)
	rv := &receiver{t: t}
	srv := httptest.NewServer(rv)
	defer srv.Close()
	wh, err := postgres.NewWebhookStore(db, notify.Policy{AllowPrivate: true}).
		CreateWebhook(ctx, warmline.WebhookInput{URL: ptr(srv.URL), EventTypes: &[]string{warmline.EventClientCreated}})
	if err != nil {
		t.Fatal(err)
	}
	rv.mu.Lock()
	rv.secret = wh.Secret
	rv.mu.Unlock()

	// A gap long enough that "at once" and "after the gap" cannot be
	// confused on a loaded machine.
	const gap = time.Second
	listener := postgres.NewListener(dsn, slog.New(slog.DiscardHandler))
	w := postgres.NewDeliveryWorker(db, postgres.DeliveryConfig{Listener: listener, Policy: notify.Policy{AllowPrivate: true},
		Timeout: time.Second, PollEvery: time.Hour, MinGap: gap}, slog.New(slog.DiscardHandler))
	var passes atomic.Int64
	w.OnPass(func() { passes.Add(1) })
	runCtx, stop := context.WithCancel(context.Background())
	if err := listener.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	defer func() {
		stop()
		<-done
		<-listener.Done()
	}()
	waitFor(t, 5*time.Second, func() bool { return passes.Load() >= 1 })
	time.Sleep(gap) // the first pass's gap is over: the burst starts from rest

	clients := postgres.NewClientStore(db)
	const burst = 60
	before := passes.Load()
	start := time.Now()
	for i := range burst {
		if _, err := clients.CreateClient(ctx, warmline.ClientInput{Name: ptr(fmt.Sprintf("Client %d", i))}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	took := time.Since(start)
	waitFor(t, 5*time.Second, func() bool { return len(rv.got()) == burst })
	// One pass at the first commit, then at most one per gap, and one after
	// the burst for the commits of its last gap.
	if n, most := passes.Load()-before, int64(took/gap)+3; n > most {
		t.Errorf("%d commits over %v took %d passes, want at most %d (one per %v)", burst, took.Round(time.Millisecond), n, most, gap)
	}

	// After a quiet gap, a lone commit is delivered at once.
	time.Sleep(gap)
	start = time.Now()
	if _, err := clients.CreateClient(ctx, warmline.ClientInput{Name: ptr("Lone")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, func() bool { return len(rv.got()) == burst+1 })
	if d := time.Since(start); d > gap {
		t.Errorf("a lone commit after a quiet gap was delivered in %v, want well under %v", d, gap)
	}
}

func TestWebhookURLsAreGuarded(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	strict := postgres.NewWebhookStore(db, notify.Policy{})
	dev := postgres.NewWebhookStore(db, notify.Policy{AllowPrivate: true})
	for _, tc := range []struct {
		store *postgres.WebhookStore
		url   string
	}{
		{strict, "http://hooks.example.com/x"},
		{strict, "https://127.0.0.1/x"},
		{strict, "https://10.1.2.3/x"},
		{strict, "https://localhost/x"},
		{strict, "ftp://example.com/"},
		{strict, "https://user:pw@example.com/"},
		{dev, "http://169.254.169.254/latest/meta-data"},
		{dev, "https://[fe80::1]/x"},
		{dev, "http://0.0.0.0:8080/"},
		{dev, "not a url"},
	} {
		_, err := tc.store.CreateWebhook(ctx, warmline.WebhookInput{URL: ptr(tc.url)})
		if warmline.ErrorCode(err) != warmline.EINVALID || warmline.ErrorField(err) != "url" {
			t.Errorf("%s: error %v, want invalid url", tc.url, err)
		}
	}
	if _, err := strict.CreateWebhook(ctx, warmline.WebhookInput{URL: ptr("https://hooks.example.com/x")}); err != nil {
		t.Errorf("a public https URL: %v", err)
	}
	if _, err := strict.CreateWebhook(ctx, warmline.WebhookInput{URL: ptr("https://x.example.com/"), EventTypes: &[]string{"client.exploded"}}); warmline.ErrorField(err) != "event_types" {
		t.Errorf("unknown event type: %v", err)
	}
	agentCtx := as(newUser(t, db, ctx, warmline.RoleSupervisor))
	if _, err := strict.FindWebhooks(agentCtx); warmline.ErrorCode(err) != warmline.EFORBIDDEN {
		t.Errorf("a supervisor lists webhooks: %v", err)
	}
}
