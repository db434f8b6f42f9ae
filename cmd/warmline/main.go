// Command warmline runs Warmline: `warmline serve` runs every role (API,
// web app) in one process; `migrate`, `seed-demo` and `version` are the
// operator's tools. Configuration comes from flags or WARMLINE_* variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
	_ "time/tzdata" // organisations' time zones must resolve on any host

	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/notify"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/realtime"
	"github.com/warmline/warmline/frontend"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Warmline — a browser contact center for phone-sales teams.

Usage:
  warmline serve      [flags]   run the server (applies migrations first)
  warmline migrate    [flags]   apply database migrations and exit
  warmline seed-demo  [flags]   create the demo organisation if it is missing
  warmline demo call-in [--org N] [--from +7...]
                                the running server's demo line calls an organisation
  warmline version              print the version

Run "warmline <command> -h" for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = serve(ctx, args)
	case "migrate":
		err = migrate(ctx, args)
	case "seed-demo":
		err = seedDemo(ctx, args)
	case "demo":
		err = demoCmd(ctx, args) // phone (issue 3)
	case "version", "-v", "--version":
		fmt.Println("warmline", version)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "warmline: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "warmline:", err)
		os.Exit(1)
	}
}

// config is every setting; each flag defaults to its environment variable.
type config struct {
	DatabaseURL string
	Addr        string
	PublicURL   string
	SeedDemo    bool
	LogLevel    string
	SessionTTL  time.Duration
	// DBMaxConns bounds the Postgres pool (each connection is a backend).
	DBMaxConns int
	// Integrations: allow webhooks (and SMTP) to http and private addresses.
	WebhookAllowHTTP bool
}

func parseConfig(name string, args []string) (*config, *slog.Logger, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.DatabaseURL, "database-url", os.Getenv("DATABASE_URL"), "Postgres URL (env DATABASE_URL)")
	fs.StringVar(&c.Addr, "addr", env("WARMLINE_ADDR", "127.0.0.1:8080"), "address to listen on (env WARMLINE_ADDR)")
	fs.StringVar(&c.PublicURL, "public-url", os.Getenv("WARMLINE_PUBLIC_URL"), "URL browsers use, e.g. https://crm.example.com (env WARMLINE_PUBLIC_URL)")
	fs.BoolVar(&c.SeedDemo, "seed-demo", envBool("WARMLINE_SEED_DEMO"), "create the demo organisation at start when missing (env WARMLINE_SEED_DEMO)")
	fs.StringVar(&c.LogLevel, "log-level", env("WARMLINE_LOG_LEVEL", "info"), "debug, info, warn or error (env WARMLINE_LOG_LEVEL)")
	ttl, err := time.ParseDuration(env("WARMLINE_SESSION_TTL", "720h"))
	if err != nil {
		return nil, nil, fmt.Errorf("WARMLINE_SESSION_TTL: %w", err)
	}
	fs.DurationVar(&c.SessionTTL, "session-ttl", ttl, "how long an unused session lasts (env WARMLINE_SESSION_TTL)")
	maxConns := postgres.DefaultPoolSize
	if v := os.Getenv("WARMLINE_DB_MAX_CONNS"); v != "" {
		if maxConns, err = strconv.Atoi(v); err != nil || maxConns < 1 {
			return nil, nil, fmt.Errorf("WARMLINE_DB_MAX_CONNS %q: want a number of connections, 1 or more", v)
		}
	}
	fs.IntVar(&c.DBMaxConns, "db-max-conns", maxConns, "Postgres connections this process opens at most (env WARMLINE_DB_MAX_CONNS)")
	fs.BoolVar(&c.WebhookAllowHTTP, "webhook-allow-http", envBool("WARMLINE_WEBHOOK_ALLOW_HTTP"), "let webhooks and SMTP reach http, loopback and private addresses, for development (env WARMLINE_WEBHOOK_ALLOW_HTTP)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, nil, fmt.Errorf("log level %q: %w", c.LogLevel, err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if c.DatabaseURL == "" {
		return nil, nil, errors.New("DATABASE_URL is not set (make run starts a local Postgres and sets it for you)")
	}
	if c.DBMaxConns < 1 {
		return nil, nil, fmt.Errorf("--db-max-conns %d: want a number of connections, 1 or more", c.DBMaxConns)
	}
	return &c, log, nil
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envBool(key string) bool {
	b, _ := strconv.ParseBool(os.Getenv(key))
	return b
}

func openDB(ctx context.Context, c *config) (*postgres.DB, error) {
	db, err := postgres.Open(ctx, c.DatabaseURL)
	if err != nil {
		return nil, err
	}
	db.SetPoolSize(c.DBMaxConns)
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func migrate(ctx context.Context, args []string) error {
	c, log, err := parseConfig("migrate", args)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("migrations applied")
	return nil
}

func seedDemo(ctx context.Context, args []string) error {
	c, log, err := parseConfig("seed-demo", args)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	return seed(ctx, db, log)
}

// seed creates the demo organisation unless it exists, and prints its logins.
func seed(ctx context.Context, db *postgres.DB, log *slog.Logger) error {
	created, err := postgres.SeedDemo(ctx, db)
	if err != nil {
		return fmt.Errorf("seed demo organisation: %w", err)
	}
	if created {
		log.Info("demo organisation created")
	}
	fmt.Println("Demo logins (password " + postgres.DemoPassword + "):")
	for _, u := range postgres.DemoLogins() {
		fmt.Printf("  %-26s %s\n", u.Email, u.Role)
	}
	return nil
}

func serve(ctx context.Context, args []string) error {
	c, log, err := parseConfig("serve", args)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if c.SeedDemo {
		if err := seed(ctx, db, log); err != nil {
			return err
		}
	}
	policy := notify.Policy{AllowPrivate: c.WebhookAllowHTTP}
	api := httpapi.NewServer(db, httpapi.Config{PublicURL: c.PublicURL, SessionTTL: c.SessionTTL, SPA: frontend.Dist(), WebhookPolicy: policy}, log)
	// One LISTEN connection for the process: the hub, the delivery worker
	// and the demo call-ins subscribe to it, then it starts.
	listener := postgres.NewListener(c.DatabaseURL, log)
	api.Hub = realtime.NewHub(db, realtime.Config{Listener: listener, Sessions: api.Sessions}, log)
	go api.Hub.Run(ctx)
	// Rules engine: the sweep every minute (one process at a time sweeps).
	go postgres.NewSweeper(db, log).Run(ctx, time.Minute)
	// Integrations: webhooks and e-mail from the events outbox.
	deliveries := postgres.NewDeliveryWorker(db, postgres.DeliveryConfig{Listener: listener, Policy: policy}, log)
	go deliveries.Run(ctx)
	// Plans: lag alerts, checked every few minutes (once per plan, metric and hour).
	go postgres.RunPlanChecks(ctx, db, 3*time.Minute, func(err error) { log.Error("plan check", "err", err) })
	// Phone (issue 3): the media gateway, in this process.
	phoneErr, err := startPhone(ctx, db, c, api, listener, log)
	if err != nil {
		return err
	}
	if err := listener.Start(ctx); err != nil {
		return fmt.Errorf("live updates: %w", err)
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	if c.PublicURL != "" {
		url = c.PublicURL
	}
	fmt.Printf("Warmline %s is serving on %s\n", version, url)
	log.Info("serving", "addr", ln.Addr().String(), "version", version)

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case err := <-phoneErr:
		if err != nil {
			return fmt.Errorf("phone gateway: %w", err)
		}
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
