package postgres_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/warmline/warmline/backend/postgres"
)

// TestMain checks, after every test of the package, that no transaction
// left wake-ups recorded: a store that wrote events outside DB.inTx would
// leave its organisations unwoken (until the hubs' poll) and grow the
// record for ever.
func TestMain(m *testing.M) {
	code := m.Run()
	if n := postgres.PendingTxWakes(); n != 0 && code == 0 {
		fmt.Fprintf(os.Stderr, "%d transactions left wake-ups recorded (events written outside DB.inTx?)\n", n)
		code = 1
	}
	os.Exit(code)
}
