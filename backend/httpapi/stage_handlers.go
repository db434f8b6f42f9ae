package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handleStages(c echo.Context) error {
	stages, err := s.Stages.FindStages(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(stages))
}

func (s *Server) handleStageCreate(c echo.Context) error {
	var in warmline.StageInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st, err := s.Stages.CreateStage(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, st)
}

func (s *Server) handleStageUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in warmline.StageInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st, err := s.Stages.UpdateStage(c.Request().Context(), warmline.StageID(id), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) handleStagesReorder(c echo.Context) error {
	var in struct {
		IDs []warmline.StageID `json:"ids"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	stages, err := s.Stages.ReorderStages(c.Request().Context(), in.IDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(stages))
}

func (s *Server) handleStageDelete(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	moveTo, err := idQuery(c, "move_to")
	if err != nil {
		return err
	}
	if err := s.Stages.DeleteStage(c.Request().Context(), warmline.StageID(id), warmline.StageID(moveTo)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
