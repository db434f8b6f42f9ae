package httpapi

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// TrunkInput creates or changes a trunk. It is warmline.Trunk's settings
// plus the password, which only ever travels this way (write-only). On
// PATCH the body is laid over the stored trunk: omitted fields keep their
// values, and an omitted or empty password keeps the stored one.
type TrunkInput struct {
	Name            string   `json:"name"`
	Host            string   `json:"host"`
	Port            int      `json:"port"`
	Transport       string   `json:"transport"`
	AuthMode        string   `json:"auth_mode"`
	Username        string   `json:"username"`
	Password        string   `json:"password"`
	RegisterExpires int      `json:"register_expires"`
	OutboundProxy   string   `json:"outbound_proxy"`
	CallerID        string   `json:"caller_id"`
	Codecs          []string `json:"codecs"`
	AllowedSources  []string `json:"allowed_sources"`
	Enabled         bool     `json:"enabled"`
}

func trunkInputOf(t *warmline.Trunk) TrunkInput {
	return TrunkInput{Name: t.Name, Host: t.Host, Port: t.Port, Transport: t.Transport, AuthMode: t.AuthMode,
		Username: t.Username, RegisterExpires: t.RegisterExpires, OutboundProxy: t.OutboundProxy, CallerID: t.CallerID,
		Codecs: t.Codecs, AllowedSources: t.AllowedSources, Enabled: t.Enabled}
}

func (in TrunkInput) trunk(id warmline.TrunkID) *warmline.Trunk {
	return &warmline.Trunk{ID: id, Name: in.Name, Host: in.Host, Port: in.Port, Transport: in.Transport, AuthMode: in.AuthMode,
		Username: in.Username, Password: in.Password, RegisterExpires: in.RegisterExpires, OutboundProxy: in.OutboundProxy,
		CallerID: in.CallerID, Codecs: in.Codecs, AllowedSources: in.AllowedSources, Enabled: in.Enabled}
}

// reloadPhone has the gateway pick up changed trunks or lines. The change
// is committed either way; a gateway that cannot reload now logs it and
// reloads at its next start.
func (s *Server) reloadPhone(ctx context.Context) {
	if s.Phone == nil {
		return
	}
	if err := s.Phone.Reload(ctx); err != nil {
		s.log.Error("reload the phone gateway after a trunk change", "err", err)
	}
}

// phoneChanged answers a trunk or line change that was stored: the gateway
// reloads first, then v goes out with status (no body when v is nil).
func (s *Server) phoneChanged(c echo.Context, status int, v any) error {
	s.reloadPhone(c.Request().Context())
	if v == nil {
		return c.NoContent(status)
	}
	return c.JSON(status, v)
}

// patchOver does a PATCH that lays its body over a stored record: the
// body is read before the record is looked up (so an oversized or non-JSON
// body is refused first), find looks the record up, inputOf makes it an
// input, the body is decoded over that (omitted fields keep their values)
// and save stores the result.
func patchOver[R, In, Out any](c echo.Context, find func(context.Context, int64) (R, error), inputOf func(R) In,
	save func(ctx context.Context, id int64, in In) (Out, error)) (Out, error) {
	var zero Out
	id, err := idParam(c, "id")
	if err != nil {
		return zero, err
	}
	body, err := readJSON(c)
	if err != nil {
		return zero, err
	}
	ctx := c.Request().Context()
	cur, err := find(ctx, id)
	if err != nil {
		return zero, err
	}
	in := inputOf(cur)
	if err := decodeJSONBytes(body, &in); err != nil {
		return zero, err
	}
	return save(ctx, id, in)
}

func (s *Server) handleTrunks(c echo.Context) error {
	list, err := s.Trunks.FindTrunks(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

func (s *Server) handleTrunkCreate(c echo.Context) error {
	in := TrunkInput{Enabled: true}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, err := s.Trunks.CreateTrunk(c.Request().Context(), in.trunk(0))
	if err != nil {
		return err
	}
	return s.phoneChanged(c, http.StatusCreated, t)
}

func (s *Server) handleTrunkUpdate(c echo.Context) error {
	find := func(ctx context.Context, id int64) (*warmline.Trunk, error) {
		return s.Trunks.FindTrunk(ctx, warmline.TrunkID(id))
	}
	t, err := patchOver(c, find, trunkInputOf, func(ctx context.Context, id int64, in TrunkInput) (*warmline.Trunk, error) {
		return s.Trunks.UpdateTrunk(ctx, in.trunk(warmline.TrunkID(id)))
	})
	if err != nil {
		return err
	}
	return s.phoneChanged(c, http.StatusOK, t)
}

func (s *Server) handleTrunkDelete(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.Trunks.DeleteTrunk(c.Request().Context(), warmline.TrunkID(id)); err != nil {
		return err
	}
	return s.phoneChanged(c, http.StatusNoContent, nil)
}

// LineInput creates or changes a line; on PATCH it is laid over the
// stored line (omitted fields keep their values, null clears a reference).
type LineInput struct {
	Number    string            `json:"number"`
	Name      string            `json:"name"`
	ChannelID *int64            `json:"channel_id"`
	TrunkID   *warmline.TrunkID `json:"trunk_id"`
}

func lineInputOf(l *warmline.Line) LineInput {
	return LineInput{Number: l.Number, Name: l.Name, ChannelID: l.ChannelID, TrunkID: l.TrunkID}
}

func (in LineInput) line(id int64) *warmline.Line {
	return &warmline.Line{ID: id, Number: in.Number, Name: in.Name, ChannelID: in.ChannelID, TrunkID: in.TrunkID}
}

func (s *Server) handleLines(c echo.Context) error {
	list, err := s.Trunks.FindLines(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

func (s *Server) handleLineCreate(c echo.Context) error {
	var in LineInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	l, err := s.Trunks.CreateLine(c.Request().Context(), in.line(0))
	if err != nil {
		return err
	}
	return s.phoneChanged(c, http.StatusCreated, l)
}

func (s *Server) handleLineUpdate(c echo.Context) error {
	l, err := patchOver(c, s.Trunks.FindLine, lineInputOf, func(ctx context.Context, id int64, in LineInput) (*warmline.Line, error) {
		return s.Trunks.UpdateLine(ctx, in.line(id))
	})
	if err != nil {
		return err
	}
	return s.phoneChanged(c, http.StatusOK, l)
}

func (s *Server) handleLineDelete(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.Trunks.DeleteLine(c.Request().Context(), id); err != nil {
		return err
	}
	return s.phoneChanged(c, http.StatusNoContent, nil)
}
