package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPI is the hand-written OpenAPI 3 document of /api/v1. It is written
// by hand so that it is documentation; openapi_test.go fails when it and
// routes() disagree.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPI)
}
