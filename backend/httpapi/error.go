package httpapi

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// statusOf maps each error code to its HTTP status, in this one place.
var statusOf = map[string]int{
	warmline.EINVALID:      http.StatusBadRequest,
	warmline.EUNAUTHORIZED: http.StatusUnauthorized,
	warmline.EFORBIDDEN:    http.StatusForbidden,
	warmline.ENOTFOUND:     http.StatusNotFound,
	warmline.ECONFLICT:     http.StatusConflict,
	warmline.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	warmline.ETOOMANY:      http.StatusTooManyRequests,
	warmline.EINTERNAL:     http.StatusInternalServerError,
	warmline.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// codeOfStatus is the reverse, for errors Echo raises itself (unknown
// route, wrong method, body over the limit).
func codeOfStatus(status int) string {
	for code, s := range statusOf {
		if s == status {
			return code
		}
	}
	if status == http.StatusMethodNotAllowed || status == http.StatusUnsupportedMediaType {
		return warmline.EINVALID
	}
	return warmline.EINTERNAL
}

// ErrorBody is every API error's JSON.
type ErrorBody struct {
	Code  string `json:"code"`
	Error string `json:"error"`
	Field string `json:"field"`
}

// handleError writes err as JSON. Internal errors are logged with the
// request and answered with a generic message.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	body := ErrorBody{Code: warmline.ErrorCode(err), Error: warmline.ErrorMessage(err), Field: warmline.ErrorField(err)}
	status := statusOf[body.Code]
	if errors.As(err, &he) {
		status = he.Code
		if status == http.StatusMethodNotAllowed && c.Path() == "/*" {
			// Only the SPA's GET catch-all has this path: with any other
			// method there is no such route at all.
			status = http.StatusNotFound
			c.Response().Header().Del(echo.HeaderAllow)
		}
		body.Code = codeOfStatus(status)
		body.Error = http.StatusText(status) + "."
		if status == http.StatusRequestEntityTooLarge {
			body.Error = "The request body is too large."
		}
	}
	if body.Code == warmline.EINTERNAL {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, body)
	}
	if err != nil {
		s.log.Warn("write error response", "err", err)
	}
}
