package postgres_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/warmline/warmline/backend/notify"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// mailbox is a real SMTP server on loopback (go-smtp) that keeps what it receives.
type mailbox struct {
	addr     *net.TCPAddr
	user     string
	password string
	failData int // refuse this many messages at DATA (451), then accept

	mu   sync.Mutex
	got  []receivedMail
	seen int
}

type receivedMail struct {
	From, Subject, Body string
	To                  []string
	Header              mail.Header
	TLS                 bool
	AuthUser            string
}

type mailSession struct {
	box  *mailbox
	conn *smtp.Conn
	m    receivedMail
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != s.box.user || pass != s.box.password {
			return errors.New("bad credentials")
		}
		s.m.AuthUser = user
		return nil
	}), nil
}
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.box.user != "" && s.m.AuthUser == "" {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.m.From = from
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.To = append(s.m.To, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.seen++
	if s.box.seen <= s.box.failData {
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return err
	}
	m := s.m
	m.Header = msg.Header
	m.Subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	body := io.Reader(msg.Body)
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(body)
	m.Body = string(b)
	_, m.TLS = s.conn.TLSConnectionState()
	s.box.got = append(s.box.got, m)
	return nil
}
func (s *mailSession) Reset()        { s.m = receivedMail{AuthUser: s.m.AuthUser} }
func (s *mailSession) Logout() error { return nil }

func (b *mailbox) mails() []receivedMail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]receivedMail(nil), b.got...)
}

// startMailbox serves SMTP on loopback: plain with STARTTLS offered when
// cert is given ("starttls"), TLS from the first byte ("tls"), or plain ("none").
func startMailbox(t *testing.T, mode string, cert *tls.Certificate, user, password string) *mailbox {
	t.Helper()
	box := &mailbox{user: user, password: password}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &mailSession{box: box, conn: c}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = mode == "none"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	if mode == "tls" {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	box.addr = ln.Addr().(*net.TCPAddr)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return box
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "warmline test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestTestEmailArrives(t *testing.T) {
	db := testDB(t)
	cert, pool := selfSigned(t)
	for _, mode := range []string{"starttls", "tls", "none"} {
		t.Run(mode, func(t *testing.T) {
			ctx, _, _ := newOrg(t, db)
			user, pass := "warmline", "smtp secret"
			if mode == "none" {
				user, pass = "", ""
			}
			box := startMailbox(t, mode, cert, user, pass)
			store := postgres.NewEmailStore(db, notify.Policy{AllowPrivate: true})
			store.Roots = pool
			es, err := store.SetEmailSettings(ctx, warmline.EmailSettingsInput{Host: ptr("127.0.0.1"), Port: ptr(box.addr.Port), Security: ptr(mode),
				Username: ptr(user), Password: ptr(pass), FromAddress: ptr("Sales@Example.com")})
			if err != nil {
				t.Fatal(err)
			}
			if !es.Configured || es.HasPassword != (pass != "") || es.FromAddress != "sales@example.com" {
				t.Errorf("settings = %+v", es)
			}
			res, err := store.SendTestEmail(ctx, warmline.EmailTest{To: "boss@example.com"})
			if err != nil || !res.Sent {
				t.Fatalf("test e-mail: %+v, %v", res, err)
			}
			got := box.mails()
			if len(got) != 1 {
				t.Fatalf("%d e-mails arrived, want 1", len(got))
			}
			m := got[0]
			if m.From != "sales@example.com" || len(m.To) != 1 || m.To[0] != "boss@example.com" || m.Subject != "Warmline: test e-mail / тестовое письмо" ||
				!strings.Contains(m.Body, "настройки SMTP работают") || m.AuthUser != user {
				t.Errorf("e-mail = %+v", m)
			}
			if m.TLS != (mode != "none") {
				t.Errorf("TLS = %v in mode %s", m.TLS, mode)
			}
		})
	}
	t.Run("a wrong password is reported, not raised", func(t *testing.T) {
		ctx, _, _ := newOrg(t, db)
		box := startMailbox(t, "starttls", cert, "warmline", "right")
		store := postgres.NewEmailStore(db, notify.Policy{AllowPrivate: true})
		store.Roots = pool
		if _, err := store.SetEmailSettings(ctx, warmline.EmailSettingsInput{Host: ptr("127.0.0.1"), Port: ptr(box.addr.Port), Security: ptr("starttls"),
			Username: ptr("warmline"), Password: ptr("wrong"), FromAddress: ptr("sales@example.com")}); err != nil {
			t.Fatal(err)
		}
		res, err := store.SendTestEmail(ctx, warmline.EmailTest{To: "boss@example.com"})
		if err != nil || res.Sent || res.Error == "" || strings.Contains(res.Error, "wrong") {
			t.Errorf("result %+v, %v", res, err)
		}
	})
	t.Run("an untrusted certificate is refused", func(t *testing.T) {
		ctx, _, _ := newOrg(t, db)
		box := startMailbox(t, "starttls", cert, "", "")
		store := postgres.NewEmailStore(db, notify.Policy{AllowPrivate: true}) // system roots only
		if _, err := store.SetEmailSettings(ctx, warmline.EmailSettingsInput{Host: ptr("127.0.0.1"), Port: ptr(box.addr.Port), Security: ptr("starttls"),
			FromAddress: ptr("sales@example.com")}); err != nil {
			t.Fatal(err)
		}
		if res, _ := store.SendTestEmail(ctx, warmline.EmailTest{To: "boss@example.com"}); res == nil || res.Sent || len(box.mails()) != 0 {
			t.Errorf("sent over an unverified certificate: %+v", res)
		}
	})
}

func TestEmailSettingsAreCheckedAndWriteOnly(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	strict := postgres.NewEmailStore(db, notify.Policy{})
	if _, err := strict.SetEmailSettings(ctx, warmline.EmailSettingsInput{Host: ptr("127.0.0.1"), Port: ptr(25), Security: ptr("none"), FromAddress: ptr("a@example.com")}); warmline.ErrorField(err) != "host" {
		t.Errorf("loopback SMTP under the strict policy: %v", err)
	}
	for _, in := range []warmline.EmailSettingsInput{
		{Port: ptr(25), Security: ptr("none"), FromAddress: ptr("a@example.com")},
		{Host: ptr("smtp.example.com"), Port: ptr(70000), Security: ptr("none"), FromAddress: ptr("a@example.com")},
		{Host: ptr("smtp.example.com"), Port: ptr(25), Security: ptr("ssl"), FromAddress: ptr("a@example.com")},
		{Host: ptr("smtp.example.com"), Port: ptr(25), Security: ptr("none"), FromAddress: ptr("not an address")},
	} {
		if _, err := strict.SetEmailSettings(ctx, in); warmline.ErrorCode(err) != warmline.EINVALID || warmline.ErrorField(err) == "" {
			t.Errorf("%+v: %v", in, err)
		}
	}
	es, err := strict.SetEmailSettings(ctx, warmline.EmailSettingsInput{Host: ptr("smtp.example.com"), Port: ptr(587), Security: ptr("starttls"),
		Username: ptr("u"), Password: ptr("p4ss"), FromAddress: ptr("a@example.com")})
	if err != nil || !es.HasPassword {
		t.Fatal(es, err)
	}
	// A change without a password keeps it; an empty one removes it.
	if es, _ = strict.SetEmailSettings(ctx, warmline.EmailSettingsInput{Port: ptr(2525)}); !es.HasPassword || es.Port != 2525 || es.Host != "smtp.example.com" {
		t.Errorf("after a partial change: %+v", es)
	}
	if b, _ := json.Marshal(es); strings.Contains(string(b), "p4ss") {
		t.Errorf("the password reaches JSON: %s", b)
	}
	if es, _ = strict.SetEmailSettings(ctx, warmline.EmailSettingsInput{Password: ptr("")}); es.HasPassword {
		t.Error("an empty password did not remove it")
	}
	agentCtx := as(newUser(t, db, ctx, warmline.RoleSupervisor))
	if _, err := strict.FindEmailSettings(agentCtx); warmline.ErrorCode(err) != warmline.EFORBIDDEN {
		t.Errorf("a supervisor reads SMTP settings: %v", err)
	}
	if err := strict.DeleteEmailSettings(ctx); err != nil {
		t.Fatal(err)
	}
	if es, _ := strict.FindEmailSettings(ctx); es.Configured {
		t.Error("still configured after delete")
	}
}

// appendRawEvent writes an event the way another part of the product would
// (the rules engine's rule.action, the plan check's plan.alert).
func appendRawEvent(t *testing.T, db *postgres.DB, org warmline.OrgID, typ string, data any) {
	t.Helper()
	b, _ := json.Marshal(data)
	const q = `WITH next AS (UPDATE event_counters SET last_seq = last_seq + 1 WHERE org_id = $1 RETURNING last_seq)
		INSERT INTO events (org_id, seq, type, data) SELECT $1, last_seq, $2, $3 FROM next`
	if _, err := db.Exec(q, org, typ, string(b)); err != nil {
		t.Fatal(err)
	}
}

func TestPlanAlertsAndHandoffsAreEmailed(t *testing.T) {
	db := testDB(t)
	ctx, org, admin := newOrg(t, db)
	sup := newUser(t, db, ctx, warmline.RoleSupervisor)
	agent := newUser(t, db, ctx, warmline.RoleAgent)
	box := startMailbox(t, "none", nil, "", "")
	box.failData = 1 // the first message is refused once (451), then retried
	store := postgres.NewEmailStore(db, notify.Policy{AllowPrivate: true})
	if _, err := store.SetEmailSettings(ctx, warmline.EmailSettingsInput{Host: ptr("127.0.0.1"), Port: ptr(box.addr.Port), Security: ptr("none"),
		FromAddress: ptr("warmline@example.com"), HandoffAddress: ptr("newsletter@example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.NewUserStore(db).UpdateUser(ctx, sup.ID, warmline.UserUpdate{Locale: ptr("en")}); err != nil {
		t.Fatal(err)
	}
	cl, err := postgres.NewClientStore(db).CreateClient(ctx, warmline.ClientInput{Name: ptr("Zombie Ltd"), Phones: &[]string{"+79035550123"}, Email: ptr("z@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	appendRawEvent(t, db, org.ID, warmline.EventPlanAlert, map[string]any{"plan_id": 1, "agent_id": agent.ID, "metric": "contacts", "target": 40,
		"actual": 0, "expected": 8.9, "lag": 8.9, "reason": "0 contacts of 8.9 expected by now"})
	appendRawEvent(t, db, org.ID, warmline.EventRuleAction, map[string]any{"id": 7, "client_id": cl.ID, "rule": "zombie", "action": "handoff",
		"reason": "zombie: 7 contacts in Warm without progress, limit 7"})
	appendRawEvent(t, db, org.ID, warmline.EventRuleAction, map[string]any{"id": 8, "client_id": cl.ID, "rule": "cooling", "action": "queue", "reason": "cooled"})

	w := newWorker(db, slog.New(slog.DiscardHandler))
	for range 2 {
		if err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	byTo := map[string]receivedMail{}
	for _, m := range box.mails() {
		if _, dup := byTo[m.To[0]]; dup {
			t.Errorf("%s got two e-mails", m.To[0])
		}
		byTo[m.To[0]] = m
	}
	if len(byTo) != 3 {
		t.Fatalf("e-mails to %v, want the admin, the supervisor and the hand-off address", byTo)
	}
	if m := byTo[admin.Email]; m.Subject != "Отставание от плана: "+agent.Name || !strings.Contains(m.Body, "0 contacts of 8.9") || !strings.Contains(m.Body, "Цель: 40") {
		t.Errorf("admin's (ru) e-mail: %+v", m)
	}
	if m := byTo[sup.Email]; m.Subject != "Behind plan: "+agent.Name || !strings.Contains(m.Body, "Target: 40, expected by now: 8.9, actual: 0") {
		t.Errorf("supervisor's (en) e-mail: %+v", m)
	}
	if m := byTo["newsletter@example.com"]; m.Subject != "Warmline: Zombie Ltd" || !strings.Contains(m.Body, "+79035550123") ||
		!strings.Contains(m.Body, "z@example.com") || !strings.Contains(m.Body, "limit 7") || m.From != "warmline@example.com" {
		t.Errorf("hand-off e-mail: %+v", m)
	}
	var attempts []int
	db.Select(&attempts, `SELECT attempts FROM email_messages WHERE org_id = $1 AND status = 'sent' ORDER BY attempts DESC`, org.ID)
	if len(attempts) != 3 || attempts[0] != 2 {
		t.Errorf("attempts %v, want one e-mail sent at its second attempt", attempts)
	}
}

// A zombie handed off by the rules engine is e-mailed where its stage's
// rule says (the stage's hand-off e-mail), and to the organisation's
// hand-off address when the stage names none.
func TestHandoffEmailGoesToTheStageTarget(t *testing.T) {
	f := newFunnel(t)
	box := startMailbox(t, "none", nil, "", "")
	store := postgres.NewEmailStore(f.db, notify.Policy{AllowPrivate: true})
	if _, err := store.SetEmailSettings(f.ctx, warmline.EmailSettingsInput{Host: ptr("127.0.0.1"), Port: ptr(box.addr.Port), Security: ptr("none"),
		FromAddress: ptr("warmline@example.com"), HandoffAddress: ptr("org-handoff@example.com")}); err != nil {
		t.Fatal(err)
	}
	stages := postgres.NewStageStore(f.db)
	if _, err := stages.UpdateStage(f.ctx, f.stages[1].ID, warmline.StageInput{ZombieAction: ptr("handoff")}); err != nil {
		t.Fatal(err)
	}
	if _, err := stages.UpdateStage(f.ctx, f.stages[2].ID, warmline.StageInput{ZombieAction: ptr("handoff"),
		HandoffEmail: ptr("newsletter@example.com"), HandoffChannel: ptr("Newsletter")}); err != nil {
		t.Fatal(err)
	}
	f.client(t, "Fallback Co", 1, msk("2026-11-24 09:00"), 7)
	f.client(t, "Stage Target Co", 2, msk("2026-11-24 09:00"), 9)
	f.sweep(t, msk("2026-11-24 12:00"))

	w := newWorker(f.db, slog.New(slog.DiscardHandler))
	if err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	byTo := map[string]receivedMail{}
	for _, m := range box.mails() {
		byTo[strings.Join(m.To, ",")] = m
	}
	if len(byTo) != 2 {
		t.Fatalf("e-mails to %v, want the stage's address and the organisation's", byTo)
	}
	if m := byTo["newsletter@example.com"]; m.Subject != "Warmline: Stage Target Co" || !strings.Contains(m.Body, "Канал передачи: Newsletter") ||
		!strings.Contains(m.Body, "9 contacts in") {
		t.Errorf("the stage's hand-off e-mail: %+v", m)
	}
	if m := byTo["org-handoff@example.com"]; m.Subject != "Warmline: Fallback Co" || strings.Contains(m.Body, "Канал передачи") {
		t.Errorf("the fallback hand-off e-mail: %+v", m)
	}
}
