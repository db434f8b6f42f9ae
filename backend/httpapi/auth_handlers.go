package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// me is the answer of signup, login and /auth/me.
type me struct {
	User         *warmline.User         `json:"user"`
	Organisation *warmline.Organisation `json:"organisation"`
}

func (s *Server) handleSignUp(c echo.Context) error {
	var in warmline.SignUp
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	org, u, err := s.Organisations.SignUp(c.Request().Context(), in)
	if err != nil {
		return err
	}
	token, err := s.Sessions.OpenFor(c.Request().Context(), u, s.oldToken(c))
	if err != nil {
		return err
	}
	s.setCookie(c, token)
	return c.JSON(http.StatusCreated, me{u, org})
}

func (s *Server) handleLogin(c echo.Context) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, token, err := s.Sessions.Login(ctx, in.Email, in.Password, c.RealIP(), s.oldToken(c))
	if err != nil {
		return err
	}
	s.setCookie(c, token)
	org, err := s.Organisations.FindOrganisation(warmline.WithActor(ctx, warmline.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, me{u, org})
}

func (s *Server) oldToken(c echo.Context) string {
	if ck, err := c.Cookie(SessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

func (s *Server) handleLogout(c echo.Context) error {
	if err := s.Sessions.Logout(c.Request().Context(), s.oldToken(c)); err != nil {
		return err
	}
	s.clearCookie(c)
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) handleMe(c echo.Context) error {
	org, err := s.Organisations.FindOrganisation(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, me{currentUser(c), org})
}

// handleMeUpdate lets users change their own name, language, time zone and
// password. A new password ends every session, so this one is reopened.
func (s *Server) handleMeUpdate(c echo.Context) error {
	var in struct {
		Name     *string `json:"name"`
		Locale   *string `json:"locale"`
		TimeZone *string `json:"time_zone"`
		Password *string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.Users.UpdateUser(ctx, currentUser(c).ID, warmline.UserUpdate{Name: in.Name, Locale: in.Locale, TimeZone: in.TimeZone, Password: in.Password})
	if err != nil {
		return err
	}
	if in.Password != nil {
		token, err := s.Sessions.OpenFor(ctx, u, "")
		if err != nil {
			return err
		}
		s.setCookie(c, token)
	}
	return c.JSON(http.StatusOK, u)
}
