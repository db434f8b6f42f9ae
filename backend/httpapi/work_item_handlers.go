package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handleMyDay(c echo.Context) error {
	agent, err := idQuery(c, "agent_id")
	if err != nil {
		return err
	}
	day, err := s.WorkItems.FindMyDay(c.Request().Context(), warmline.UserID(agent))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, day)
}

func (s *Server) handleWorkItems(c echo.Context) error {
	f := warmline.WorkItemFilter{Kind: c.QueryParam("kind"), Open: true}
	owner, err := idQuery(c, "owner_id")
	if err != nil {
		return err
	}
	if owner != 0 {
		id := warmline.UserID(owner)
		f.OwnerID = &id
	}
	switch c.QueryParam("open") {
	case "", "true":
	case "false":
		f.Open = false
	default:
		return warmline.FieldErrorf(warmline.EINVALID, "open", "open must be true or false.")
	}
	if f.Limit, err = intQuery(c, "limit", 200, 1, 500); err != nil {
		return err
	}
	list, err := s.WorkItems.FindWorkItems(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) handleWorkItemsReassign(c echo.Context) error {
	var in struct {
		IDs     []int64         `json:"ids"`
		OwnerID warmline.UserID `json:"owner_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	list, err := s.WorkItems.ReassignWorkItems(c.Request().Context(), in.IDs, in.OwnerID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

func (s *Server) handleWorkItemDecision(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Decision string `json:"decision"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, err := s.WorkItems.DecideWorkItem(c.Request().Context(), id, in.Decision)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}
