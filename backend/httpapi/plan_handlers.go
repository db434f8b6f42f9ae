package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handlePlans(c echo.Context) error {
	list, err := s.Plans.FindPlans(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

func (s *Server) handlePlanCreate(c echo.Context) error {
	var in warmline.PlanInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.Plans.CreatePlan(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) handlePlanUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in warmline.PlanInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.Plans.UpdatePlan(c.Request().Context(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) handlePlanDelete(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.Plans.DeletePlan(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handlePlanProgress serves the wallboard (every agent) and My day (one's own).
func (s *Server) handlePlanProgress(c echo.Context) error {
	rep, err := s.Plans.Progress(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (s *Server) handlePlanSettings(c echo.Context) error {
	var in warmline.PlanSettings
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.Plans.SetPlanSettings(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
