package warmline

import "context"

// Actor is who makes a request: every store method reads it from the context
// and scopes its queries to Actor.OrgID, so that tenancy cannot be forgotten
// by a handler.
type Actor struct {
	UserID UserID
	OrgID  OrgID
	Role   Role
	// System is set for work the product does by itself (seed, rules); it has
	// no user but still belongs to one organisation.
	System bool
}

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx; ok is false when there is none.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.OrgID != 0
}

// MustActor returns the actor of ctx or an EUNAUTHORIZED error.
func MustActor(ctx context.Context) (Actor, error) {
	a, ok := ActorFrom(ctx)
	if !ok {
		return Actor{}, Errorf(EUNAUTHORIZED, "Please log in.")
	}
	return a, nil
}

// Can reports whether the actor's role is at least min (agent < supervisor < admin).
func (a Actor) Can(min Role) bool { return a.System || a.Role.Rank() >= min.Rank() }

// Require returns EFORBIDDEN unless the actor's role is at least min.
func (a Actor) Require(min Role) error {
	if !a.Can(min) {
		return Errorf(EFORBIDDEN, "Your role (%s) may not do this; %s or higher is needed.", a.Role, min)
	}
	return nil
}
