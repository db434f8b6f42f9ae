package httpapi

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// me is the answer of signup, login and /auth/me.
type me struct {
	User         *warmline.User         `json:"user"`
	Organisation *warmline.Organisation `json:"organisation"`
	// EventSeq is the organisation's last event when the answer was read.
	// The SPA loads every page after this answer, so its live stream starts
	// from here (/ws?after=event_seq) and gets every change its pages'
	// data may have missed, however long the first connection takes.
	EventSeq int64 `json:"event_seq"`
}

// session reads what me answers for the caller in ctx. The sequence is
// read first: what the answer and the pages loaded after it show includes
// every event up to it, and the stream replays every event after it (an
// event already shown changes nothing in the SPA).
func (s *Server) session(ctx context.Context, u *warmline.User) (me, error) {
	seq, err := s.Events.LatestSeq(ctx)
	if err != nil {
		return me{}, err
	}
	org, err := s.Organisations.FindOrganisation(ctx)
	if err != nil {
		return me{}, err
	}
	return me{User: u, Organisation: org, EventSeq: seq}, nil
}

func (s *Server) handleSignUp(c echo.Context) error {
	var in warmline.SignUp
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	_, u, err := s.Organisations.SignUp(c.Request().Context(), in)
	if err != nil {
		return err
	}
	token, err := s.Sessions.OpenFor(c.Request().Context(), u, s.oldToken(c))
	if err != nil {
		return err
	}
	s.setCookie(c, token)
	out, err := s.session(warmline.WithActor(c.Request().Context(), actorOf(u)), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
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
	out, err := s.session(warmline.WithActor(ctx, actorOf(u)), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
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
	out, err := s.session(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
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
