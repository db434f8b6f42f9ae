package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handleRuleSettings(c echo.Context) error {
	rs, err := s.Rules.FindRuleSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rs)
}

func (s *Server) handleRuleSettingsUpdate(c echo.Context) error {
	var in warmline.RuleSettingsUpdate
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	rs, err := s.Rules.UpdateRuleSettings(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rs)
}

func (s *Server) handleClientActions(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.Rules.FindClientActions(c.Request().Context(), warmline.ClientID(id))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

func (s *Server) handleRuleActionUndo(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ra, err := s.Rules.UndoRuleAction(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ra)
}

func (s *Server) handleClientContacts(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.Contacts.FindContacts(c.Request().Context(), warmline.ClientID(id))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

func (s *Server) handleClientContactCreate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in warmline.ContactInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ct, err := s.Contacts.AddContact(c.Request().Context(), warmline.ClientID(id), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ct)
}

func (s *Server) handleClientNextAction(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		NextActionAt *time.Time `json:"next_action_at"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := s.Contacts.SetNextAction(c.Request().Context(), warmline.ClientID(id), in.NextActionAt)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cl)
}

func (s *Server) handleCallOutcome(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in warmline.AfterCallInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.Contacts.SetCallOutcome(c.Request().Context(), warmline.CallID(id), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
