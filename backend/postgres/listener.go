package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Listener is a process's one LISTEN connection, shared by everything in
// it that waits for notifications: the hub, the delivery worker and the
// demo call-ins. Postgres wakes every listening backend of the database
// for every NOTIFY, whatever its channel, and each woken backend reads the
// queue and answers its client: with one listener per part, every event
// committed anywhere woke three backends and three goroutines per process.
type Listener struct {
	dsn string
	log *slog.Logger

	mu      sync.Mutex
	subs    []*subscription
	started bool
	done    chan struct{}
}

// subscription is one part's channel of notifications.
type subscription struct {
	channel string
	ch      chan *pq.Notification
	// missed: a notification did not fit in ch; a nil is owed (touched
	// only by the dispatching goroutine).
	missed bool
}

// NewListener returns a listener on dsn; Subscribe, then Start it.
func NewListener(dsn string, log *slog.Logger) *Listener {
	return &Listener{dsn: dsn, log: log, done: make(chan struct{})}
}

// Subscribe returns the notifications of channel, buffered up to buffer.
// A nil notification says that some may have been missed — the connection
// was re-established, or the subscriber fell a whole buffer behind — so
// the subscriber should look at everything it watches. Notifications are
// never waited for: a slow subscriber loses them (and gets the nil), it
// does not hold up the others. Call it before Start.
func (l *Listener) Subscribe(channel string, buffer int) <-chan *pq.Notification {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started {
		panic("postgres.Listener: Subscribe after Start")
	}
	s := &subscription{channel: channel, ch: make(chan *pq.Notification, max(buffer, 1))}
	l.subs = append(l.subs, s)
	return s.ch
}

// Start listens on every subscribed channel, then hands notifications to
// the subscribers until ctx ends (Done closes then). Its error is only
// for a connection that cannot be set up at all; later losses are
// retried, and told to the subscribers with a nil.
func (l *Listener) Start(ctx context.Context) error {
	l.mu.Lock()
	l.started = true
	channels := map[string]bool{}
	for _, s := range l.subs {
		channels[s.channel] = true
	}
	l.mu.Unlock()
	pl := pq.NewListener(l.dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			l.log.Warn("postgres listener", "event", ev, "err", err)
		}
	})
	for ch := range channels {
		if err := pl.Listen(ch); err != nil {
			pl.Close()
			return fmt.Errorf("listen %s: %w", ch, err)
		}
	}
	go func() {
		defer close(l.done)
		defer pl.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-pl.Notify:
				l.dispatch(n)
			}
		}
	}()
	return nil
}

// Done is closed when the listener has stopped (its context ended).
func (l *Listener) Done() <-chan struct{} { return l.done }

// dispatch offers n (nil: reconnected) to the subscribers of its channel.
func (l *Listener) dispatch(n *pq.Notification) {
	for _, s := range l.subs { // fixed since Start
		if n != nil && n.Channel != s.channel {
			continue
		}
		if s.missed {
			select {
			case s.ch <- nil:
				s.missed = false
			default:
				continue // still full; the nil stands for this one too
			}
		}
		select {
		case s.ch <- n:
		default:
			s.missed = true
		}
	}
}
