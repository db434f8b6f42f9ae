package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handleUsers(c echo.Context) error {
	users, err := s.Users.FindUsers(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(users))
}

func (s *Server) handleUserCreate(c echo.Context) error {
	var in warmline.NewUser
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := s.Users.CreateUser(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) handleUserUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in warmline.UserUpdate
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := s.Users.UpdateUser(c.Request().Context(), warmline.UserID(id), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// handleUserDeactivate deactivates rather than deletes: the user's calls,
// moves and clients keep naming them.
func (s *Server) handleUserDeactivate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	inactive := false
	if _, err := s.Users.UpdateUser(c.Request().Context(), warmline.UserID(id), warmline.UserUpdate{Active: &inactive}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
