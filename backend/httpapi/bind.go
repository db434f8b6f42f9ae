package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// maxJSONBody bounds every JSON request body.
const maxJSONBody = 1 << 20

// decodeJSON reads the request body into dst strictly: the content type
// must be JSON, unknown fields are rejected, one value only, at most
// maxJSONBody bytes. Errors name the offending field where there is one.
func decodeJSON(c echo.Context, dst any) error {
	b, err := readJSON(c)
	if err != nil {
		return err
	}
	return decodeJSONBytes(b, dst)
}

// readJSON reads a JSON request body within the size bound, without
// decoding it: a handler that lays the body over a stored record reads it
// first, so that an oversized or non-JSON body is refused before the
// record is looked up.
func readJSON(c echo.Context) ([]byte, error) {
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if ct != echo.MIMEApplicationJSON {
		return nil, warmline.Errorf(warmline.EINVALID, "Send the body as application/json.")
	}
	body := io.LimitReader(c.Request().Body, maxJSONBody+1)
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, warmline.Errorf(warmline.EINVALID, "Could not read the request body.")
	}
	if len(b) > maxJSONBody {
		return nil, warmline.Errorf(warmline.ETOOLARGE, "The request body is larger than %d bytes.", maxJSONBody)
	}
	return b, nil
}

// decodeJSONBytes decodes one JSON object strictly: unknown fields and
// trailing data are errors.
func decodeJSONBytes(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return warmline.Errorf(warmline.EINVALID, "The body must hold one JSON object.")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return warmline.Errorf(warmline.EINVALID, "Invalid JSON at byte %d.", syn.Offset)
	case errors.As(err, &typ):
		return warmline.FieldErrorf(warmline.EINVALID, typ.Field, "The field %s must be %s.", typ.Field, jsonKind(typ.Type.Kind().String()))
	case errors.Is(err, io.EOF):
		return warmline.Errorf(warmline.EINVALID, "The request body is empty.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return warmline.FieldErrorf(warmline.EINVALID, f, "Unknown field %q.", f)
	}
	return warmline.Errorf(warmline.EINVALID, "Invalid JSON body.")
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "a number"
	case k == "string":
		return "a string"
	case k == "bool":
		return "true or false"
	case k == "slice":
		return "a list"
	}
	return "an object"
}

// idParam parses the path parameter name as a positive id.
func idParam(c echo.Context, name string) (int64, error) { return parseID(c.Param(name), name) }

// idQuery parses an optional query parameter as a positive id; 0 when absent.
func idQuery(c echo.Context, name string) (int64, error) {
	if c.QueryParam(name) == "" {
		return 0, nil
	}
	return parseID(c.QueryParam(name), name)
}

func parseID(raw, field string) (int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, warmline.FieldErrorf(warmline.EINVALID, field, "%q is not a valid id.", raw)
	}
	return id, nil
}

// intQuery parses an optional integer query parameter within [min, max].
func intQuery(c echo.Context, name string, def, min, max int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, warmline.FieldErrorf(warmline.EINVALID, name, "%s must be a whole number from %d to %d.", name, min, max)
	}
	return n, nil
}

// items wraps a list as {"items": [...]}, so lists can gain fields later.
func items[T any](list []T) map[string]any {
	if list == nil {
		list = []T{}
	}
	return map[string]any{"items": list}
}
