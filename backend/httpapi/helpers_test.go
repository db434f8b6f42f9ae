package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
)

// testServer is a real API on a real, fresh database, on a loopback port.
type testServer struct {
	*httptest.Server
	API *httpapi.Server
	DB  *postgres.DB
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	db := pgtest.NewDB(t)
	api := httpapi.NewServer(db, httpapi.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, API: api, DB: db}
}

// client is a browser-like API client with its own cookie jar.
type client struct {
	t    *testing.T
	srv  *testServer
	http *http.Client
}

func (s *testServer) newClient(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, srv: s, http: &http.Client{Jar: jar}}
}

// response is a decoded API answer.
type response struct {
	Status int
	Body   []byte
	Header http.Header
}

func (r response) JSON(t *testing.T, dst any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, dst); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorBody decodes an API error.
func (r response) Error(t *testing.T) httpapi.ErrorBody {
	t.Helper()
	var e httpapi.ErrorBody
	r.JSON(t, &e)
	return e
}

// do sends body (nil, a string of raw JSON, or a value to encode) as a
// same-origin browser request would.
func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", c.srv.URL)
	return c.send(req)
}

func (c *client) send(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Body: b, Header: res.Header}
}

// upload posts a multipart form with a file field and other fields.
func (c *client) upload(path, fileName string, file []byte, fields map[string]string) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", fileName)
	fw.Write(file)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.srv.URL)
	return c.send(req)
}

// must fails the test unless the answer has status want.
func (r response) must(t *testing.T, want int) response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	return r
}

var seq atomic.Int64

// account is a logged-in user of an organisation.
type account struct {
	*client
	ID    int64
	OrgID int64
	Email string
}

// signUp registers a new organisation and returns its logged-in admin.
func (s *testServer) signUp(t *testing.T, orgName string) *account {
	t.Helper()
	c := s.newClient(t)
	email := fmt.Sprintf("admin%d@example.com", seq.Add(1))
	r := c.do("POST", "/api/v1/auth/signup", map[string]string{
		"org_name": orgName, "name": "Admin of " + orgName, "email": email, "password": "a good long password"}).must(t, 201)
	var me struct {
		User struct {
			ID    int64 `json:"id"`
			OrgID int64 `json:"org_id"`
		} `json:"user"`
	}
	r.JSON(t, &me)
	return &account{client: c, ID: me.User.ID, OrgID: me.User.OrgID, Email: email}
}

// addUser has admin create a user with role and returns it logged in.
func (s *testServer) addUser(t *testing.T, admin *account, role string) *account {
	t.Helper()
	email := fmt.Sprintf("%s%d@example.com", role, seq.Add(1))
	r := admin.do("POST", "/api/v1/users", map[string]string{"email": email, "name": "A " + role, "role": role, "password": "a good long password"}).must(t, 201)
	var u struct {
		ID    int64 `json:"id"`
		OrgID int64 `json:"org_id"`
	}
	r.JSON(t, &u)
	c := s.newClient(t)
	c.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "a good long password"}).must(t, 200)
	return &account{client: c, ID: u.ID, OrgID: u.OrgID, Email: email}
}

// idOf decodes {"id": N} from an answer.
func idOf(t *testing.T, r response) int64 {
	t.Helper()
	var v struct {
		ID int64 `json:"id"`
	}
	r.JSON(t, &v)
	if v.ID == 0 {
		t.Fatalf("no id in %s", r.Body)
	}
	return v.ID
}
