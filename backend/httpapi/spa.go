package httpapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// mountSPA serves the built single-page app: files as they are, hashed
// assets cached for a year, and index.html for any other path so that
// client-side routes survive a reload. /api paths never fall back: an
// unknown API route is a JSON 404.
func (s *Server) mountSPA() {
	s.echo.GET("/*", s.handleSPA)
	s.echo.HEAD("/*", s.handleSPA)
}

func (s *Server) handleSPA(c echo.Context) error {
	p := c.Request().URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/ws") {
		return warmline.Errorf(warmline.ENOTFOUND, "No such API route: %s %s.", c.Request().Method, p)
	}
	if s.cfg.SPA == nil {
		return c.String(http.StatusOK, "Warmline is running, but the web app was not built into this binary: run `make build`.")
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(s.cfg.SPA, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			http.ServeFileFS(c.Response(), c.Request(), s.cfg.SPA, name)
			return nil
		}
		if path.Ext(name) != "" {
			return c.String(http.StatusNotFound, "Not found.")
		}
	}
	index, err := fs.ReadFile(s.cfg.SPA, "index.html")
	if err != nil {
		return c.String(http.StatusOK, "Warmline is running, but the web app was not built into this binary: run `make build`.")
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTMLBlob(http.StatusOK, index)
}
