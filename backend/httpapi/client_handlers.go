package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// clientFilter reads the list's query parameters.
func clientFilter(c echo.Context) (warmline.ClientFilter, error) {
	f := warmline.ClientFilter{Query: c.QueryParam("q"), Channel: c.QueryParam("channel"),
		Cooling: warmline.CoolingState(c.QueryParam("cooling")), Sort: c.QueryParam("sort")}
	var err error
	if f.Page, err = intQuery(c, "page", 1, 1, 1_000_000); err != nil {
		return f, err
	}
	if f.PerPage, err = intQuery(c, "per_page", 50, 1, warmline.MaxPerPage); err != nil {
		return f, err
	}
	stage, err := idQuery(c, "stage_id")
	if err != nil {
		return f, err
	}
	f.StageID = warmline.StageID(stage)
	switch o := c.QueryParam("owner_id"); o {
	case "":
	case "none":
		f.OwnerID = new(warmline.UserID)
	case "me":
		id := currentUser(c).ID
		f.OwnerID = &id
	default:
		id, err := parseID(o, "owner_id")
		if err != nil {
			return f, err
		}
		uid := warmline.UserID(id)
		f.OwnerID = &uid
	}
	switch c.QueryParam("order") {
	case "", "asc":
	case "desc":
		f.Desc = true
	default:
		return f, warmline.FieldErrorf(warmline.EINVALID, "order", "Order must be asc or desc.")
	}
	return f, nil
}

func (s *Server) handleClients(c echo.Context) error {
	f, err := clientFilter(c)
	if err != nil {
		return err
	}
	page, err := s.Clients.FindClients(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) handleClient(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cl, err := s.Clients.FindClient(c.Request().Context(), warmline.ClientID(id))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cl)
}

func (s *Server) handleClientCreate(c echo.Context) error {
	var in warmline.ClientInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := s.Clients.CreateClient(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cl)
}

func (s *Server) handleClientUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in warmline.ClientInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := s.Clients.UpdateClient(c.Request().Context(), warmline.ClientID(id), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cl)
}

func (s *Server) handleClientDelete(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.Clients.DeleteClient(c.Request().Context(), warmline.ClientID(id)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) handleClientMove(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		StageID warmline.StageID `json:"stage_id"`
		Reason  string           `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := s.Clients.MoveClient(c.Request().Context(), warmline.ClientID(id), in.StageID, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cl)
}

func (s *Server) handleClientTransitions(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.Clients.FindTransitions(c.Request().Context(), warmline.ClientID(id))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

func (s *Server) handleChannels(c echo.Context) error {
	list, err := s.Clients.FindChannels(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}
