package realtime

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// Config tunes a hub; zero values take the defaults.
type Config struct {
	// DatabaseURL is used for the LISTEN connection (a dedicated one).
	DatabaseURL string
	// SendBuffer is how many frames may wait for a slow connection before
	// it is dropped (it resumes on reconnect). Default 256.
	SendBuffer int
	// PingEvery and PongWait: a connection that does not answer a ping
	// within PongWait is closed. Defaults 25 s and 10 s.
	PingEvery, PongWait time.Duration
	// MaxBackfill is how many events behind a browser may resume from;
	// further behind it gets a resync. Default 2000.
	MaxBackfill int64
	// HeartbeatEvery and OfflineAfter: an agent with no connection on any
	// node for OfflineAfter becomes offline. Defaults 2 s and 6 s.
	HeartbeatEvery, OfflineAfter time.Duration
	// PollEvery re-reads every feed even without a notification, so a lost
	// notification (the LISTEN connection dropping) delays events by at
	// most this much. Default 5 s.
	PollEvery time.Duration
}

func (c *Config) defaults() {
	if c.SendBuffer == 0 {
		c.SendBuffer = 256
	}
	if c.PingEvery == 0 {
		c.PingEvery = 25 * time.Second
	}
	if c.PongWait == 0 {
		c.PongWait = 10 * time.Second
	}
	if c.MaxBackfill == 0 {
		c.MaxBackfill = 2000
	}
	if c.HeartbeatEvery == 0 {
		c.HeartbeatEvery = 2 * time.Second
	}
	if c.OfflineAfter == 0 {
		c.OfflineAfter = 6 * time.Second
	}
	if c.PollEvery == 0 {
		c.PollEvery = 5 * time.Second
	}
}

// Hub delivers events to this node's WebSocket connections.
type Hub struct {
	cfg      Config
	src      eventSource
	presence *postgres.PresenceStore
	log      *slog.Logger

	mu    sync.Mutex
	feeds map[warmline.OrgID]*feed
	ctx   context.Context // the hub's lifetime, for reads the hub does on its own

	// reads bounds the feed reads running at once, so a wake-up of every
	// organisation (a poll, a listener reconnect) does not open a
	// connection per organisation.
	reads chan struct{}
}

// maxConcurrentReads is the size of Hub.reads: a few, so that one busy
// organisation does not hold up the others, and few enough to leave the
// pool to the API.
const maxConcurrentReads = 4

// NewHub returns a hub reading events from db. Run must be running for
// live delivery.
func NewHub(db *postgres.DB, cfg Config, log *slog.Logger) *Hub {
	cfg.defaults()
	return &Hub{cfg: cfg, src: postgres.NewEventStore(db), presence: postgres.NewPresenceStore(db), log: log, feeds: map[warmline.OrgID]*feed{}, ctx: context.Background(),
		reads: make(chan struct{}, maxConcurrentReads)}
}

// Run listens for commits until ctx ends. It returns only then, or when
// the listener cannot be set up at all.
func (h *Hub) Run(ctx context.Context) error {
	h.mu.Lock()
	h.ctx = ctx
	h.mu.Unlock()
	l := pq.NewListener(h.cfg.DatabaseURL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			h.log.Warn("realtime listener", "event", ev, "err", err)
		}
	})
	defer l.Close()
	if err := l.Listen(postgres.EventsChannel); err != nil {
		return err
	}
	go h.presenceLoop(ctx)
	poll := time.NewTicker(h.cfg.PollEvery)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			if n == nil {
				// The listener reconnected: notifications may have been lost.
				h.wakeAll(ctx)
				continue
			}
			var org int64
			for _, ch := range n.Extra {
				org = org*10 + int64(ch-'0')
			}
			h.wake(ctx, warmline.OrgID(org))
		case <-poll.C:
			h.wakeAll(ctx)
		}
	}
}

func (h *Hub) feedOf(org warmline.OrgID) *feed {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.feeds[org]
}

// wake has an organisation's new events delivered, if anyone here
// listens. It does not wait for the read (see feed.kick).
func (h *Hub) wake(ctx context.Context, org warmline.OrgID) {
	if f := h.feedOf(org); f != nil {
		f.kick(func(f *feed) {
			select {
			case h.reads <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-h.reads }()
			if err := f.wake(ctx); err != nil && ctx.Err() == nil {
				h.log.Error("deliver events", "org", org, "err", err)
			}
		})
	}
}

func (h *Hub) wakeAll(ctx context.Context) {
	h.mu.Lock()
	orgs := make([]warmline.OrgID, 0, len(h.feeds))
	for org := range h.feeds {
		orgs = append(orgs, org)
	}
	h.mu.Unlock()
	for _, org := range orgs {
		h.wake(ctx, org)
	}
}

// subscribe joins s to its organisation's feed, creating the feed when s
// is the first here.
func (h *Hub) subscribe(ctx context.Context, s *subscriber, after *int64) (Message, [][]byte, error) {
	for {
		h.mu.Lock()
		f := h.feeds[s.actor.OrgID]
		if f == nil {
			var err error
			if f, err = newFeed(ctx, s.actor.OrgID, h.src, h.cfg.MaxBackfill); err != nil {
				h.mu.Unlock()
				return Message{}, nil, err
			}
			h.feeds[s.actor.OrgID] = f
		}
		h.mu.Unlock()
		hello, backlog, err := f.subscribe(ctx, s, after)
		if err != errFeedGone {
			return hello, backlog, err
		}
	}
}

func (h *Hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f := h.feeds[s.actor.OrgID]; f != nil && f.unsubscribe(s) {
		delete(h.feeds, s.actor.OrgID)
	}
}

// Connections returns how many connections this hub serves (for tests and metrics).
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, f := range h.feeds {
		f.mu.Lock()
		n += len(f.subs)
		f.mu.Unlock()
	}
	return n
}
