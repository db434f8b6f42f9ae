package realtime

import (
	"context"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// presenceLoop makes a closed tab or a lost connection turn its agent
// offline within seconds, on any number of nodes: each node vouches every
// HeartbeatEvery for the users it holds connections of, and every node
// sweeps agents nobody vouched for within OfflineAfter.
func (h *Hub) presenceLoop(ctx context.Context) {
	t := time.NewTicker(h.cfg.HeartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := h.presence.Heartbeat(ctx, h.connectedUsers()); err != nil && ctx.Err() == nil {
				h.log.Warn("presence heartbeat", "err", err)
			}
			if _, err := h.presence.SweepOffline(ctx, h.cfg.OfflineAfter); err != nil && ctx.Err() == nil {
				h.log.Warn("presence sweep", "err", err)
			}
		}
	}
}

// connectedUsers lists the users with at least one connection here.
func (h *Hub) connectedUsers() []warmline.UserID {
	seen := map[warmline.UserID]bool{}
	var out []warmline.UserID
	h.eachSubscriber(func(s *subscriber) {
		if !seen[s.actor.UserID] {
			seen[s.actor.UserID] = true
			out = append(out, s.actor.UserID)
		}
	})
	return out
}
