package rules

import "fmt"

// ZombieAction is what happens when a client reaches its stage's contact
// limit without progress.
type ZombieAction string

const (
	ZombieQueue   ZombieAction = "queue"   // the Zombies queue, a supervisor decides
	ZombieReject  ZombieAction = "reject"  // straight to the rejected stage
	ZombieHandoff ZombieAction = "handoff" // handed to another channel (webhook / e-mail)
)

// Valid reports whether a is a known action.
func (a ZombieAction) Valid() bool {
	return a == ZombieQueue || a == ZombieReject || a == ZombieHandoff
}

// IsZombie reports whether a client with stageContacts contacts in an open
// stage with the given limit (0: none) is a zombie: the seed's rule is that
// the limit-th contact without progress (no move out of the stage) makes it one.
func IsZombie(open bool, stageContacts, limit int, handedOff bool) bool {
	return open && limit > 0 && stageContacts >= limit && !handedOff
}

// ZombieReason is the reason recorded for a zombie:
// "zombie: 7 contacts in Demo without progress, limit 7".
func ZombieReason(stageContacts int, stage string, limit int) string {
	return fmt.Sprintf("zombie: %d contacts in %s without progress, limit %d", stageContacts, stage, limit)
}

// Outcome is the after-call decision on a client.
type Outcome string

const (
	OutcomeRejected Outcome = "rejected" // to the rejected stage (the objective funnel's default)
	OutcomeKeep     Outcome = "keep"     // stays where it is
	OutcomeAdvance  Outcome = "advance"  // to the next open stage of the funnel
	OutcomeStage    Outcome = "stage"    // to a chosen stage (stage_id)
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	return o == OutcomeRejected || o == OutcomeKeep || o == OutcomeAdvance || o == OutcomeStage
}

// ObjectiveDefaultReason is the reason when the objective funnel rejects a
// new client whose first contact got no outcome in time.
func ObjectiveDefaultReason(call int64, wrapUpSeconds int) string {
	return fmt.Sprintf("objective funnel: no outcome within %d s after the first contact (call %d)", wrapUpSeconds, call)
}

// IsContact reports whether a call is a contact: it connected and lasted
// at least minSeconds; otherwise it is an attempt.
func IsContact(answered bool, talkSeconds float64, minSeconds int) bool {
	return answered && talkSeconds >= float64(minSeconds)
}
