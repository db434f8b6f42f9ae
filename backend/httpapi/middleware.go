package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "warmline_session"

const userKey = "user"

// securityHeaders sets headers that cost nothing and close whole classes of
// attacks (MIME sniffing, framing, referrer leaks).
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		return next(c)
	}
}

// checkOrigin is the CSRF defence: a state-changing request from a browser
// must come from our own origin. Browsers send Origin on every cross-site
// POST/PUT/PATCH/DELETE; Sec-Fetch-Site covers the rest. A request with
// neither is not from a browser page, so it cannot ride on a victim's cookie.
func (s *Server) checkOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if o := r.Header.Get("Origin"); o != "" {
			if o != s.origin(r) {
				return warmline.Errorf(warmline.EFORBIDDEN, "Cross-origin request refused.")
			}
		} else if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			return warmline.Errorf(warmline.EFORBIDDEN, "Cross-site request refused.")
		}
		return next(c)
	}
}

// origin is the origin browsers should send: the public URL's when
// configured, else the scheme and host of the request itself.
func (s *Server) origin(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		if u, err := url.Parse(s.cfg.PublicURL); err == nil {
			return u.Scheme + "://" + u.Host
		}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// authenticate resolves the session cookie, if any, to the user and puts
// the actor in the request context for the stores.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(SessionCookie)
		if err != nil || ck.Value == "" || !(strings.HasPrefix(c.Path(), "/api/") || c.Path() == "/ws" || c.Path() == "/ws/phone") {
			return next(c)
		}
		u, err := s.Sessions.Authenticate(c.Request().Context(), ck.Value)
		if warmline.ErrorCode(err) == warmline.EUNAUTHORIZED {
			s.clearCookie(c)
			return next(c)
		} else if err != nil {
			return err
		}
		c.Set(userKey, u)
		ctx := warmline.WithActor(c.Request().Context(), actorOf(u))
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// requireRole refuses the route to callers below min; public routes pass.
func (s *Server) requireRole(min warmline.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if min == public {
				return next(c)
			}
			a, err := warmline.MustActor(c.Request().Context())
			if err != nil {
				return err
			}
			if err := a.Require(min); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// currentUser is the logged-in user; routes with a role always have one.
func currentUser(c echo.Context) *warmline.User {
	u, _ := c.Get(userKey).(*warmline.User)
	return u
}

func (s *Server) setCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secure(c.Request()), MaxAge: int(s.cfg.SessionTTL.Seconds()),
	})
}

func (s *Server) clearCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secure(c.Request()), MaxAge: -1})
}

// secure says whether cookies need the Secure flag: served over TLS, directly or per the public URL.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.PublicURL, "https://")
}

// actorOf is who u acts as in queries.
func actorOf(u *warmline.User) warmline.Actor {
	return warmline.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
}
