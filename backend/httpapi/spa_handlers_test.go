package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/postgres/pgtest"
)

// get fetches path from srv with method, without cookies.
func get(t *testing.T, srv *httptest.Server, method, path string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Body: b, Header: res.Header}
}

func TestSPA(t *testing.T) {
	t.Parallel()
	spa := fstest.MapFS{
		"index.html":             {Data: []byte("<!doctype html><title>Warmline</title>")},
		"assets/index-3f9a1c.js": {Data: []byte("console.log('app')")},
		"favicon.svg":            {Data: []byte("<svg/>")},
	}
	srv := httptest.NewServer(httpapi.NewServer(nil, httpapi.Config{SPA: spa}, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()

	for _, c := range []struct {
		name, path   string
		status       int
		body         string
		cacheControl string
	}{
		{"the root serves the app", "/", 200, "<!doctype html><title>Warmline</title>", "no-cache"},
		{"a client-side route serves the app, so a reload works", "/clients/42", 200, "<!doctype html><title>Warmline</title>", "no-cache"},
		{"a hashed asset is cached for a year", "/assets/index-3f9a1c.js", 200, "console.log('app')", "public, max-age=31536000, immutable"},
		{"another file is served as it is, not cached forever", "/favicon.svg", 200, "<svg/>", ""},
		{"a missing file with an extension is a 404, not the app", "/assets/missing.js", 404, "Not found.", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := get(t, srv, "GET", c.path)
			if r.Status != c.status || string(r.Body) != c.body || r.Header.Get("Cache-Control") != c.cacheControl {
				t.Errorf("status %d, Cache-Control %q, body %q; want %d, %q, %q", r.Status, r.Header.Get("Cache-Control"), r.Body, c.status, c.cacheControl, c.body)
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("security headers missing: %v", r.Header)
			}
		})
	}
	for _, path := range []string{"/api/v1/nope", "/api/v1/clients/1/nope", "/api/v2/clients", "/api", "/api/"} {
		t.Run("an unknown API route is a JSON 404, never the app: "+path, func(t *testing.T) {
			r := get(t, srv, "GET", path)
			wantError(t, r, 404, "not_found", "")
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	t.Run("without a built app a notice is served", func(t *testing.T) {
		bare := httptest.NewServer(dbFreeServer())
		defer bare.Close()
		r := get(t, bare, "GET", "/")
		if r.Status != 200 || !strings.Contains(string(r.Body), "make build") {
			t.Errorf("status %d: %s", r.Status, r.Body)
		}
		wantError(t, get(t, bare, "GET", "/api/v1/nope"), 404, "not_found", "")
	})
	t.Run("API answers carry the security headers too", func(t *testing.T) {
		r := get(t, srv, "GET", "/api/v1/auth/me")
		wantError(t, r, 401, "unauthorized", "")
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Frame-Options") != "DENY" || r.Header.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("security headers missing: %v", r.Header)
		}
	})
}

func TestHealth(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, c := range []struct {
		method, path string
		body         string
	}{
		{"GET", "/healthz", `{"status":"ok"}`},
		{"HEAD", "/healthz", ``},
		{"GET", "/readyz", `{"status":"ready"}`},
	} {
		r := get(t, ts.Server, c.method, c.path)
		if r.Status != 200 || strings.TrimSpace(string(r.Body)) != c.body {
			t.Errorf("%s %s: %d %s; want 200 %s", c.method, c.path, r.Status, r.Body, c.body)
		}
	}

	t.Run("readyz fails when the database is gone, healthz does not", func(t *testing.T) {
		db := pgtest.NewDB(t)
		srv := httptest.NewServer(httpapi.NewServer(db, httpapi.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil))))
		defer srv.Close()
		db.Close()
		if r := get(t, srv, "GET", "/readyz"); r.Status != 503 || !strings.Contains(string(r.Body), "database unreachable") {
			t.Errorf("readyz without a database: %d %s", r.Status, r.Body)
		}
		if r := get(t, srv, "GET", "/healthz"); r.Status != 200 {
			t.Errorf("healthz without a database: %d", r.Status)
		}
	})
}
