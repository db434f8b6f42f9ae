package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handleOrganisation(c echo.Context) error {
	org, err := s.Organisations.FindOrganisation(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, org)
}

func (s *Server) handleOrganisationUpdate(c echo.Context) error {
	var in warmline.OrganisationUpdate
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	org, err := s.Organisations.UpdateOrganisation(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, org)
}
