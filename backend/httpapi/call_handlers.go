package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handleCalls(c echo.Context) error {
	var f warmline.CallFilter
	client, err := idQuery(c, "client_id")
	if err != nil {
		return err
	}
	agent, err := idQuery(c, "agent_id")
	if err != nil {
		return err
	}
	f.ClientID, f.AgentID = warmline.ClientID(client), warmline.UserID(agent)
	switch c.QueryParam("open") {
	case "", "false":
	case "true":
		f.Open = true
	default:
		return warmline.FieldErrorf(warmline.EINVALID, "open", "open must be true or false.")
	}
	if f.Limit, err = intQuery(c, "limit", 50, 1, postgres.MaxCalls); err != nil {
		return err
	}
	calls, err := s.Calls.FindCalls(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(calls))
}

func (s *Server) handleCall(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	call, err := s.Calls.FindCall(c.Request().Context(), warmline.CallID(id))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, call)
}

// CallCreate is click-to-call: a client (called on their first number
// unless to is given) or a number.
type CallCreate struct {
	ClientID warmline.ClientID `json:"client_id"`
	To       string            `json:"to"`
}

// CallCreated names the call click-to-call started.
type CallCreated struct {
	CallID warmline.CallID `json:"call_id"`
}

// handleCallCreate rings the agent's softphone and then the client
// (agent first). The softphone must be on: the gateway answers 409 when
// it is not.
func (s *Server) handleCallCreate(c echo.Context) error {
	var in CallCreate
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, err := phoneAgent(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	in.To = strings.TrimSpace(in.To)
	if in.ClientID != 0 {
		// The agent must be allowed to see the client they call.
		cl, err := s.Clients.FindClient(ctx, in.ClientID)
		if warmline.ErrorCode(err) == warmline.ENOTFOUND {
			return warmline.FieldErrorf(warmline.EINVALID, "client_id", "Client %d not found.", in.ClientID)
		} else if err != nil {
			return err
		}
		if in.To == "" {
			if len(cl.Phones) == 0 {
				return warmline.FieldErrorf(warmline.EINVALID, "to", "This client has no phone number; type one.")
			}
			in.To = cl.Phones[0]
		}
	}
	if in.To == "" {
		return warmline.FieldErrorf(warmline.EINVALID, "to", "Say whom to call: a client or a number.")
	}
	if s.Phone == nil {
		return errNoPhone
	}
	id, err := s.Phone.Dial(ctx, a, in.To, in.ClientID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, CallCreated{CallID: id})
}
