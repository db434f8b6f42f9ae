package postgres_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
)

// TestMain checks, after every test of the package, that no transaction
// left wake-ups recorded: a store that wrote events outside DB.inTx would
// leave its organisations unwoken (until the hubs' poll) and grow the
// record for ever.
func TestMain(m *testing.M) {
	code := m.Run()
	// A transaction some test's goroutine still runs has its record for a
	// moment: only one that stays is left behind.
	for deadline := time.Now().Add(5 * time.Second); postgres.PendingTxWakes() != 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if n := postgres.PendingTxWakes(); n != 0 && code == 0 {
		fmt.Fprintf(os.Stderr, "%d transactions left wake-ups recorded (events written outside DB.inTx?)\n", n)
		code = 1
	}
	os.Exit(code)
}
