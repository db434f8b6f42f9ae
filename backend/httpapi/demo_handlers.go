package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// DemoCallIn asks the demo phone network to call the organisation.
type DemoCallIn struct {
	From string `json:"from"` // the caller's number; empty: the demo line picks one
}

// handleDemoCallIn places a demo inbound call (no trunk configured): the
// call then rings like a real one, through routing.
func (s *Server) handleDemoCallIn(c echo.Context) error {
	var in DemoCallIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if s.Phone == nil {
		return errNoPhone
	}
	a, err := warmline.MustActor(c.Request().Context())
	if err != nil {
		return err
	}
	ps, err := s.Calls.PhoneSettings(c.Request().Context(), a.OrgID)
	if err != nil {
		return err
	}
	if !ps.Demo {
		return warmline.Errorf(warmline.ECONFLICT, "Your organisation has a real trunk: demo calls are off. Call one of your numbers instead.")
	}
	if in.From = strings.TrimSpace(in.From); in.From != "" {
		org, err := s.Organisations.FindOrganisation(c.Request().Context())
		if err != nil {
			return err
		}
		e164, ok := phone.Normalize(in.From, org.DefaultCountry)
		if !ok {
			return warmline.FieldErrorf(warmline.EINVALID, "from", "%q is not a phone number.", in.From)
		}
		in.From = e164
	}
	if err := s.Phone.DemoCallIn(c.Request().Context(), a.OrgID, in.From); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}
