// Package httpapi is Warmline's REST API (Echo): thin handlers that decode,
// call a service and respond. Every route, with the role it needs, is in
// the one list in routes().
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/warmline/warmline/backend/notify"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/realtime"
	"github.com/warmline/warmline/backend/warmline"
)

// Config is what the API needs to know about how it is served.
type Config struct {
	// PublicURL is the URL browsers use ("https://crm.example.com"); when
	// set, state-changing requests must carry its origin, and cookies are
	// Secure when it is https. Empty: the request's own Host is the origin.
	PublicURL string
	// SessionTTL is how long an unused session lasts.
	SessionTTL time.Duration
	// SPA is the built single-page app (frontend/dist); nil serves a notice.
	SPA fs.FS
	// Integrations: where webhooks may point (the SSRF guard).
	WebhookPolicy notify.Policy
}

// Server wires HTTP to the services.
type Server struct {
	echo *echo.Echo
	cfg  Config
	log  *slog.Logger

	DB            *postgres.DB
	Sessions      *postgres.SessionStore
	Organisations warmline.OrganisationService
	Users         warmline.UserService
	Stages        warmline.StageService
	Clients       *postgres.ClientStore
	Imports       *postgres.ImportStore
	Presence      warmline.PresenceService
	Reports       warmline.ReportService
	// Events tells the session answer where the live stream starts.
	Events *postgres.EventStore
	// Hub serves /ws; nil leaves live updates off (set it before serving).
	Hub *realtime.Hub
	// Rules engine (issue 5): calendar and rule settings, contacts and
	// after-call outcomes, work queues and the agent's day.
	Rules     *postgres.RulesStore
	Contacts  *postgres.ContactStore
	WorkItems *postgres.WorkItemStore
	// Phone (issue 3): calls, trunks and lines; Phone is the media gateway,
	// nil while it does not run (its routes answer 503).
	Calls  *postgres.CallStore
	Trunks *postgres.TrunkStore
	Phone  Phone
	// PhoneSessionCheck is how often a live softphone's session is checked
	// (a logout elsewhere ends it); 0 means every 30 s.
	PhoneSessionCheck time.Duration
	// Integrations and plans.
	Webhooks *postgres.WebhookStore
	Email    *postgres.EmailStore
	Plans    *postgres.PlanStore
}

// NewServer builds the API on db.
func NewServer(db *postgres.DB, cfg Config, log *slog.Logger) *Server {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	s := &Server{
		echo: echo.New(), cfg: cfg, log: log, DB: db,
		Sessions:      postgres.NewSessionStore(db, cfg.SessionTTL),
		Organisations: postgres.NewOrganisationStore(db),
		Users:         postgres.NewUserStore(db),
		Stages:        postgres.NewStageStore(db),
		Clients:       postgres.NewClientStore(db),
		Imports:       postgres.NewImportStore(db, log),
		Presence:      postgres.NewPresenceStore(db),
		Reports:       postgres.NewReportStore(db),
		Events:        postgres.NewEventStore(db),
		Rules:         postgres.NewRulesStore(db), // rules engine (issue 5)
		Contacts:      postgres.NewContactStore(db),
		WorkItems:     postgres.NewWorkItemStore(db),
		Calls:         postgres.NewCallStore(db),
		Trunks:        postgres.NewTrunkStore(db),
		Webhooks:      postgres.NewWebhookStore(db, cfg.WebhookPolicy),
		Email:         postgres.NewEmailStore(db, cfg.WebhookPolicy),
		Plans:         postgres.NewPlanStore(db),
	}
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = echo.ExtractIPDirect() // behind a proxy, configure trusted ranges before trusting X-Forwarded-For
	e.Use(middleware.Recover())
	e.Use(s.securityHeaders)
	e.Use(s.checkOrigin)
	e.Use(s.authenticate)
	for _, r := range s.routes() {
		e.Add(r.Method, r.Path, r.Handler, s.requireRole(r.Role))
	}
	e.GET("/healthz", s.handleHealthz)
	e.HEAD("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/ws", s.handleWS)
	e.GET("/ws/phone", s.handlePhoneWS)
	s.mountSPA()
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Route is one API route and the least role that may call it ("" for anyone).
type Route struct {
	Method  string
	Path    string
	Role    warmline.Role
	Handler echo.HandlerFunc
}

const (
	public     = warmline.Role("")
	agent      = warmline.RoleAgent
	supervisor = warmline.RoleSupervisor
	admin      = warmline.RoleAdmin
)

// routes lists every /api/v1 route. The OpenAPI document must describe
// exactly these (openapi_test.go checks both ways).
func (s *Server) routes() []Route {
	const v1 = "/api/v1"
	return []Route{
		{http.MethodPost, v1 + "/auth/signup", public, s.handleSignUp},
		{http.MethodPost, v1 + "/auth/login", public, s.handleLogin},
		{http.MethodPost, v1 + "/auth/logout", agent, s.handleLogout},
		{http.MethodGet, v1 + "/auth/me", agent, s.handleMe},
		{http.MethodPatch, v1 + "/auth/me", agent, s.handleMeUpdate},
		{http.MethodPut, v1 + "/auth/me/state", agent, s.handleMyState},
		{http.MethodGet, v1 + "/presence", agent, s.handlePresence},
		{http.MethodGet, v1 + "/reports/funnel", supervisor, s.handleFunnelReport},
		{http.MethodGet, v1 + "/reports/calls", supervisor, s.handleCallsReport},

		{http.MethodGet, v1 + "/organisation", agent, s.handleOrganisation},
		{http.MethodPatch, v1 + "/organisation", admin, s.handleOrganisationUpdate},

		{http.MethodGet, v1 + "/users", agent, s.handleUsers},
		{http.MethodPost, v1 + "/users", admin, s.handleUserCreate},
		{http.MethodPatch, v1 + "/users/:id", admin, s.handleUserUpdate},
		{http.MethodDelete, v1 + "/users/:id", admin, s.handleUserDeactivate},

		{http.MethodGet, v1 + "/stages", agent, s.handleStages},
		{http.MethodPost, v1 + "/stages", admin, s.handleStageCreate},
		{http.MethodPut, v1 + "/stages/order", admin, s.handleStagesReorder},
		{http.MethodPatch, v1 + "/stages/:id", admin, s.handleStageUpdate},
		{http.MethodDelete, v1 + "/stages/:id", admin, s.handleStageDelete},

		{http.MethodGet, v1 + "/clients", agent, s.handleClients},
		{http.MethodPost, v1 + "/clients", agent, s.handleClientCreate},
		{http.MethodGet, v1 + "/clients/export", supervisor, s.handleClientsExport},
		{http.MethodGet, v1 + "/clients/:id", agent, s.handleClient},
		{http.MethodPatch, v1 + "/clients/:id", agent, s.handleClientUpdate},
		{http.MethodDelete, v1 + "/clients/:id", supervisor, s.handleClientDelete},
		{http.MethodPost, v1 + "/clients/:id/move", agent, s.handleClientMove},
		{http.MethodGet, v1 + "/clients/:id/transitions", agent, s.handleClientTransitions},
		{http.MethodGet, v1 + "/channels", agent, s.handleChannels},

		{http.MethodPost, v1 + "/imports/preview", supervisor, s.handleImportPreview},
		{http.MethodPost, v1 + "/imports", supervisor, s.handleImportStart},
		{http.MethodGet, v1 + "/imports/:id", supervisor, s.handleImport},

		// Integrations: webhooks (docs/integrations.md).
		{http.MethodGet, v1 + "/webhooks", admin, s.handleWebhooks},
		{http.MethodPost, v1 + "/webhooks", admin, s.handleWebhookCreate},
		{http.MethodGet, v1 + "/webhooks/:id", admin, s.handleWebhook},
		{http.MethodPatch, v1 + "/webhooks/:id", admin, s.handleWebhookUpdate},
		{http.MethodDelete, v1 + "/webhooks/:id", admin, s.handleWebhookDelete},
		{http.MethodGet, v1 + "/webhooks/:id/deliveries", admin, s.handleWebhookDeliveries},
		{http.MethodPost, v1 + "/webhooks/:id/deliveries/:delivery_id/resend", admin, s.handleWebhookResend},
		{http.MethodPost, v1 + "/webhooks/:id/test", admin, s.handleWebhookTest},
		{http.MethodGet, v1 + "/email/settings", admin, s.handleEmailSettings},
		{http.MethodPut, v1 + "/email/settings", admin, s.handleEmailSettingsUpdate},
		{http.MethodDelete, v1 + "/email/settings", admin, s.handleEmailSettingsDelete},
		{http.MethodPost, v1 + "/email/test", admin, s.handleEmailTest},
		// Contact plans and their progress (agents: their own).
		{http.MethodGet, v1 + "/plans", agent, s.handlePlans},
		{http.MethodPost, v1 + "/plans", supervisor, s.handlePlanCreate},
		{http.MethodGet, v1 + "/plans/progress", agent, s.handlePlanProgress},
		{http.MethodPut, v1 + "/plans/settings", admin, s.handlePlanSettings},
		{http.MethodPatch, v1 + "/plans/:id", supervisor, s.handlePlanUpdate},
		{http.MethodDelete, v1 + "/plans/:id", supervisor, s.handlePlanDelete},

		// Phone (issue 3): trunks and lines (admins), calls, click-to-call, the demo line.
		{http.MethodGet, v1 + "/trunks", admin, s.handleTrunks},
		{http.MethodPost, v1 + "/trunks", admin, s.handleTrunkCreate},
		{http.MethodPatch, v1 + "/trunks/:id", admin, s.handleTrunkUpdate},
		{http.MethodDelete, v1 + "/trunks/:id", admin, s.handleTrunkDelete},
		{http.MethodGet, v1 + "/lines", supervisor, s.handleLines},
		{http.MethodPost, v1 + "/lines", admin, s.handleLineCreate},
		{http.MethodPatch, v1 + "/lines/:id", admin, s.handleLineUpdate},
		{http.MethodDelete, v1 + "/lines/:id", admin, s.handleLineDelete},
		{http.MethodGet, v1 + "/calls", agent, s.handleCalls},
		{http.MethodPost, v1 + "/calls", agent, s.handleCallCreate},
		{http.MethodGet, v1 + "/calls/:id", agent, s.handleCall},
		{http.MethodPost, v1 + "/demo/call-in", agent, s.handleDemoCallIn},

		// Rules engine (issue 5): working calendar, rule settings, contacts,
		// after-call outcome, next action, work queues, My day, undo.
		{http.MethodGet, v1 + "/calendar", agent, s.handleCalendar},
		{http.MethodPut, v1 + "/calendar", admin, s.handleCalendarUpdate},
		{http.MethodGet, v1 + "/rules/settings", agent, s.handleRuleSettings},
		{http.MethodPatch, v1 + "/rules/settings", admin, s.handleRuleSettingsUpdate},
		{http.MethodGet, v1 + "/clients/:id/contacts", agent, s.handleClientContacts},
		{http.MethodPost, v1 + "/clients/:id/contacts", agent, s.handleClientContactCreate},
		{http.MethodGet, v1 + "/clients/:id/actions", agent, s.handleClientActions},
		{http.MethodPut, v1 + "/clients/:id/next-action", agent, s.handleClientNextAction},
		{http.MethodPost, v1 + "/calls/:id/outcome", agent, s.handleCallOutcome},
		{http.MethodGet, v1 + "/my-day", agent, s.handleMyDay},
		{http.MethodGet, v1 + "/work-items", supervisor, s.handleWorkItems},
		{http.MethodPost, v1 + "/work-items/reassign", supervisor, s.handleWorkItemsReassign},
		{http.MethodPost, v1 + "/work-items/:id/decision", supervisor, s.handleWorkItemDecision},
		{http.MethodPost, v1 + "/rule-actions/:id/undo", supervisor, s.handleRuleActionUndo},

		{http.MethodGet, v1 + "/openapi.json", public, s.handleOpenAPI},
	}
}

// Routes returns the API's routes (for tests and documentation).
func (s *Server) Routes() []Route { return s.routes() }

func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 only when the database answers.
func (s *Server) handleReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.PingContext(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
