package postgres_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

func TestTrunkStore_Validation(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	ts := postgres.NewTrunkStore(db)
	good := func() warmline.Trunk {
		return warmline.Trunk{Name: "Provider", Host: "sip.example.com", Enabled: true}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*warmline.Trunk)
		field string
	}{
		{"a name is required", func(t *warmline.Trunk) { t.Name = " " }, "name"},
		{"a host with a space is refused", func(t *warmline.Trunk) { t.Host = "sip example.com" }, "host"},
		{"a host with a scheme is refused", func(t *warmline.Trunk) { t.Host = "sip://example.com" }, "host"},
		{"the port is at most 65535", func(t *warmline.Trunk) { t.Port = 70000 }, "port"},
		{"the transport is udp or tcp", func(t *warmline.Trunk) { t.Transport = "tls" }, "transport"},
		{"the auth mode is register or ip", func(t *warmline.Trunk) { t.AuthMode = "magic" }, "auth_mode"},
		{"registration needs a username", func(t *warmline.Trunk) { t.AuthMode, t.Password = "register", "x" }, "username"},
		{"registration needs a password", func(t *warmline.Trunk) { t.AuthMode, t.Username = "register", "x" }, "password"},
		{"the caller id is a phone number", func(t *warmline.Trunk) { t.CallerID = "call me" }, "caller_id"},
		{"codecs are G.711 only", func(t *warmline.Trunk) { t.Codecs = []string{"PCMU", "opus"} }, "codecs"},
		{"an empty codec list is refused", func(t *warmline.Trunk) { t.Codecs = []string{} }, "codecs"},
		{"a codec is listed once", func(t *warmline.Trunk) { t.Codecs = []string{"PCMA", "pcma"} }, "codecs"},
		{"allowed sources are IPs or CIDRs", func(t *warmline.Trunk) { t.AllowedSources = []string{"10.0.0.0/8", "example.com"} }, "allowed_sources"},
		{"registration lasts at least 60 s", func(t *warmline.Trunk) { t.RegisterExpires = 10 }, "register_expires"},
		{"the outbound proxy is host:port", func(t *warmline.Trunk) { t.OutboundProxy = "proxy.example.com:99999" }, "outbound_proxy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good()
			tc.edit(&in)
			_, err := ts.CreateTrunk(ctx, &in)
			wantCode(t, err, warmline.EINVALID)
			if f := warmline.ErrorField(err); f != tc.field {
				t.Fatalf("field %q, want %q (%v)", f, tc.field, err)
			}
		})
	}

	in := warmline.Trunk{Name: "Full", Host: "203.0.113.5", Port: 5080, Transport: "tcp", AuthMode: "register", Username: "user",
		Password: "pw", OutboundProxy: "proxy.example.com:5060", CallerID: "8 (495) 123-45-67", Codecs: []string{"pcma"},
		AllowedSources: []string{"203.0.113.0/24", "198.51.100.7"}, Enabled: true}
	tr, err := ts.CreateTrunk(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	if tr.CallerID != "+74951234567" || !slices.Equal(tr.Codecs, []string{"PCMA"}) || tr.RegisterExpires != 300 ||
		!tr.HasPassword || tr.Password != "" || in.Codecs[0] != "pcma" {
		t.Fatalf("created %+v (input %v)", tr, in.Codecs)
	}
	_, err = ts.CreateTrunk(ctx, &warmline.Trunk{Name: "full", Host: "example.com"})
	wantCode(t, err, warmline.ECONFLICT)
	if warmline.ErrorField(err) != "name" {
		t.Fatalf("duplicate name: field %q", warmline.ErrorField(err))
	}
	def, err := ts.CreateTrunk(ctx, &warmline.Trunk{Name: "Defaults", Host: "sip.example.com"})
	if err != nil || def.Port != 5060 || def.Transport != "udp" || def.AuthMode != "ip" || def.HasPassword || def.AllowedSources == nil {
		t.Fatalf("defaults: %+v %v", def, err)
	}
}

func TestTrunkStore_PasswordIsWriteOnly(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	ts := postgres.NewTrunkStore(db)
	const secret = "very-secret-digest-password"
	tr, err := ts.CreateTrunk(ctx, &warmline.Trunk{Name: "P", Host: "sip.example.com", AuthMode: "register", Username: "u", Password: secret, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	list, err := ts.FindTrunks(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("%v %v", list, err)
	}
	for _, v := range []any{tr, list} {
		b, _ := json.Marshal(v)
		if strings.Contains(string(b), secret) || strings.Contains(string(b), `"password"`) || !strings.Contains(string(b), `"has_password":true`) {
			t.Fatalf("serialised trunk: %s", b)
		}
	}
	// An update without a password keeps the stored one.
	tr.Host = "sip2.example.com"
	if _, err := ts.UpdateTrunk(ctx, tr); err != nil {
		t.Fatal(err)
	}
	var stored string
	db.Get(&stored, `SELECT password FROM trunks WHERE id = $1`, tr.ID)
	if stored != secret {
		t.Fatalf("stored password %q after an update without one", stored)
	}
	tr.Password = "new-one"
	updated, err := ts.UpdateTrunk(ctx, tr)
	if err != nil || updated.Password != "" {
		t.Fatal(err)
	}
	db.Get(&stored, `SELECT password FROM trunks WHERE id = $1`, tr.ID)
	if stored != "new-one" {
		t.Fatalf("stored password %q after changing it", stored)
	}
	// The trunk.changed events carry the id, never the secret.
	evs := eventsOf(t, db, org.ID, 0)
	n := 0
	for _, e := range evs {
		if e.Type == warmline.EventTrunkChanged {
			n++
			var data map[string]int64
			if json.Unmarshal(e.Data, &data); len(data) != 1 || data["id"] != int64(tr.ID) {
				t.Fatalf("event data %s", e.Data)
			}
		}
	}
	if n != 3 {
		t.Fatalf("%d trunk.changed events, want 3", n)
	}
}

func TestTrunkStore_RolesAndTenancy(t *testing.T) {
	db := testDB(t)
	ctx, _, _ := newOrg(t, db)
	sup := newUser(t, db, ctx, warmline.RoleSupervisor)
	ts := postgres.NewTrunkStore(db)
	tr, err := ts.CreateTrunk(ctx, &warmline.Trunk{Name: "A", Host: "sip.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.FindTrunks(as(sup))
	wantCode(t, err, warmline.EFORBIDDEN)
	_, err = ts.CreateTrunk(as(sup), &warmline.Trunk{Name: "B", Host: "sip.example.com"})
	wantCode(t, err, warmline.EFORBIDDEN)
	wantCode(t, ts.DeleteTrunk(as(sup), tr.ID), warmline.EFORBIDDEN)
	if _, err := ts.FindLines(as(sup)); err != nil {
		t.Fatalf("a supervisor reads lines: %v", err)
	}
	_, err = ts.CreateLine(as(sup), &warmline.Line{Number: "+74950000001"})
	wantCode(t, err, warmline.EFORBIDDEN)

	ctx2, _, _ := newOrg(t, db)
	_, err = ts.UpdateTrunk(ctx2, tr)
	wantCode(t, err, warmline.ENOTFOUND)
	wantCode(t, ts.DeleteTrunk(ctx2, tr.ID), warmline.ENOTFOUND)
	_, err = ts.CreateLine(ctx2, &warmline.Line{Number: "+74950000001", TrunkID: &tr.ID})
	wantCode(t, err, warmline.EINVALID)
	if warmline.ErrorField(err) != "trunk_id" {
		t.Fatalf("foreign trunk: field %q", warmline.ErrorField(err))
	}
	if err := ts.DeleteTrunk(ctx, tr.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, ts.DeleteTrunk(ctx, tr.ID), warmline.ENOTFOUND)
}

func TestTrunkStore_Lines(t *testing.T) {
	db := testDB(t)
	ctx, org, _ := newOrg(t, db)
	ts := postgres.NewTrunkStore(db)
	tr, _ := ts.CreateTrunk(ctx, &warmline.Trunk{Name: "A", Host: "sip.example.com"})
	var channel int64
	if err := db.Get(&channel, `INSERT INTO channels (org_id, name) VALUES ($1, 'Яндекс.Директ') RETURNING id`, org.ID); err != nil {
		t.Fatal(err)
	}
	l, err := ts.CreateLine(ctx, &warmline.Line{Number: "8 (495) 000-00-01", Name: "  Реклама ", ChannelID: &channel, TrunkID: &tr.ID})
	if err != nil {
		t.Fatal(err)
	}
	if l.Number != "+74950000001" || l.Name != "Реклама" || *l.ChannelID != channel || *l.TrunkID != tr.ID {
		t.Fatalf("line %+v", l)
	}
	_, err = ts.CreateLine(ctx, &warmline.Line{Number: "not a number"})
	wantCode(t, err, warmline.EINVALID)

	// A number belongs to one organisation of the installation.
	ctx2, org2, _ := newOrg(t, db)
	for _, c := range []struct {
		ctxName string
		err     error
	}{
		{"same organisation", func() error { _, err := ts.CreateLine(ctx, &warmline.Line{Number: "+7 495 000 00 01"}); return err }()},
		{"another organisation", func() error { _, err := ts.CreateLine(ctx2, &warmline.Line{Number: "+74950000001"}); return err }()},
	} {
		if warmline.ErrorCode(c.err) != warmline.ECONFLICT || warmline.ErrorField(c.err) != "number" {
			t.Fatalf("%s: duplicate number gave %v", c.ctxName, c.err)
		}
	}
	var channel2 int64
	db.Get(&channel2, `INSERT INTO channels (org_id, name) VALUES ($1, 'B') RETURNING id`, org2.ID)
	l.ChannelID = &channel2
	_, err = ts.UpdateLine(ctx, l)
	wantCode(t, err, warmline.EINVALID)
	if warmline.ErrorField(err) != "channel_id" {
		t.Fatalf("foreign channel: field %q", warmline.ErrorField(err))
	}
	l.ChannelID, l.Number = nil, "+74950000009"
	if l, err = ts.UpdateLine(ctx, l); err != nil || l.Number != "+74950000009" || l.ChannelID != nil {
		t.Fatalf("update: %+v %v", l, err)
	}
	_, err = ts.UpdateLine(ctx2, l)
	wantCode(t, err, warmline.ENOTFOUND)
	// Deleting the trunk leaves the line without one.
	ts.DeleteTrunk(ctx, tr.ID)
	if l, err = ts.FindLine(ctx, l.ID); err != nil || l.TrunkID != nil {
		t.Fatalf("after the trunk went: %+v %v", l, err)
	}
	wantCode(t, ts.DeleteLine(ctx2, l.ID), warmline.ENOTFOUND)
	if err := ts.DeleteLine(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := ts.FindLines(ctx); len(list) != 0 {
		t.Fatalf("lines after delete: %v", list)
	}
}
