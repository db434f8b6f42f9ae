package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/csvimport"
	"github.com/warmline/warmline/backend/warmline"
)

// handleClientsExport streams the filtered client list as CSV, row by row,
// so that exporting a large organisation holds no list in memory.
func (s *Server) handleClientsExport(c echo.Context) error {
	f, err := clientFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stages, err := s.Stages.FindStages(ctx)
	if err != nil {
		return err
	}
	users, err := s.Users.FindUsers(ctx)
	if err != nil {
		return err
	}
	stageNames := map[warmline.StageID]string{}
	for _, st := range stages {
		stageNames[st.ID] = st.Name
	}
	emails := map[warmline.UserID]string{}
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	// The headers and status are sent with the first row, so that an error
	// found before any row (a bad filter) is still a JSON error.
	w := csvimport.NewWriter(c.Response())
	started := false
	start := func() {
		started = true
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="clients-%s.csv"`, time.Now().Format("2006-01-02")))
		c.Response().WriteHeader(http.StatusOK)
	}
	err = s.Clients.ClientsForExport(ctx, f, func(cl *warmline.Client) error {
		if !started {
			start()
		}
		owner := ""
		if cl.OwnerID != nil {
			owner = emails[*cl.OwnerID]
		}
		return w.Row(cl, stageNames[cl.StageID], owner)
	})
	if err != nil && !started {
		return err
	} else if err != nil {
		// The status is gone; a truncated file and this log line are what is left.
		s.log.Error("export clients", "err", err)
		return nil
	}
	if !started {
		start()
	}
	return w.Flush()
}
