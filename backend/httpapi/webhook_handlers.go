package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handleWebhooks(c echo.Context) error {
	list, err := s.Webhooks.FindWebhooks(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

// handleWebhookCreate answers with the endpoint's secret, the only time it is shown.
func (s *Server) handleWebhookCreate(c echo.Context) error {
	var in warmline.WebhookInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, err := s.Webhooks.CreateWebhook(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, w)
}

func (s *Server) handleWebhook(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	w, err := s.Webhooks.FindWebhook(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (s *Server) handleWebhookUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in warmline.WebhookInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, err := s.Webhooks.UpdateWebhook(c.Request().Context(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (s *Server) handleWebhookDelete(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.Webhooks.DeleteWebhook(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleWebhookDeliveries is the delivery log: the latest deliveries first.
func (s *Server) handleWebhookDeliveries(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	limit, err := intQuery(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	list, err := s.Webhooks.FindDeliveries(c.Request().Context(), id, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

func (s *Server) handleWebhookResend(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	delivery, err := idParam(c, "delivery_id")
	if err != nil {
		return err
	}
	d, err := s.Webhooks.ResendDelivery(c.Request().Context(), id, delivery)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}

func (s *Server) handleWebhookTest(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.Webhooks.SendTestEvent(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}
