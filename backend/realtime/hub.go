package realtime

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// Config tunes a hub; zero values take the defaults.
type Config struct {
	// Listener is the process's LISTEN connection (required): the hub
	// subscribes to the events channel when created.
	Listener *postgres.Listener
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
	// Sessions, when set, re-checks the sessions of this node's
	// connections every SessionCheckEvery (default 30 s), all in one
	// query, and closes those whose session ended (logout, deactivation,
	// expiry); open connections keep their sessions extended.
	Sessions          *postgres.SessionStore
	SessionCheckEvery time.Duration
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
	if c.SessionCheckEvery == 0 {
		c.SessionCheckEvery = 30 * time.Second
	}
}

// Hub delivers events to this node's WebSocket connections.
type Hub struct {
	cfg      Config
	notify   <-chan *pq.Notification
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

// notifyBuffer is how many commits' notifications may wait for the hub's
// loop, which only hands them on; beyond it the hub reads every feed.
const notifyBuffer = 4096

// NewHub returns a hub reading events from db, woken by cfg.Listener
// (which must be started for live delivery), and Run must be running.
func NewHub(db *postgres.DB, cfg Config, log *slog.Logger) *Hub {
	cfg.defaults()
	return &Hub{cfg: cfg, notify: cfg.Listener.Subscribe(postgres.EventsChannel, notifyBuffer),
		src: postgres.NewEventStore(db), presence: postgres.NewPresenceStore(db), log: log, feeds: map[warmline.OrgID]*feed{}, ctx: context.Background(),
		reads: make(chan struct{}, maxConcurrentReads)}
}

// Run hands commits to the feeds until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	h.mu.Lock()
	h.ctx = ctx
	h.mu.Unlock()
	go h.presenceLoop(ctx)
	if h.cfg.Sessions != nil {
		go h.sessionLoop(ctx)
	}
	poll := time.NewTicker(h.cfg.PollEvery)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-h.notify:
			if n == nil {
				// Notifications may have been lost (the listener
				// reconnected, or this loop fell behind).
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

// eachSubscriber calls fn for every connection here that is subscribed.
func (h *Hub) eachSubscriber(fn func(*subscriber)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.feeds {
		f.mu.Lock()
		for s := range f.subs {
			fn(s)
		}
		f.mu.Unlock()
	}
}

// sessionLoop closes the connections whose session ended, checking the
// sessions of every connection here in one query each SessionCheckEvery
// (a check per connection was 333 queries a second at 10 000
// connections). A failed check closes nothing: a database blip does not
// end anyone's session.
func (h *Hub) sessionLoop(ctx context.Context) {
	t := time.NewTicker(h.cfg.SessionCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		byToken := map[string][]*subscriber{}
		h.eachSubscriber(func(s *subscriber) { byToken[s.token] = append(byToken[s.token], s) })
		if len(byToken) == 0 {
			continue
		}
		live, err := h.cfg.Sessions.LiveSessions(ctx, slices.Collect(maps.Keys(byToken)))
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("check the sessions of live connections", "err", err)
			}
			continue
		}
		for token, subs := range byToken {
			if !live[token] {
				for _, s := range subs {
					s.close(CloseSessionEnd, "session ended")
				}
			}
		}
	}
}

// Connections returns how many connections this hub serves (for tests and metrics).
func (h *Hub) Connections() int {
	n := 0
	h.eachSubscriber(func(*subscriber) { n++ })
	return n
}
