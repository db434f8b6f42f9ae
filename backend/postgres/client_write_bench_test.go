//go:build linux

package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/postgres/pgtest"
	"github.com/warmline/warmline/backend/warmline"
)

// BenchmarkUpdateClient is the live hub's write path, one UpdateClient
// after another on one connection: a read of the client, then its row and
// its event in one durable statement, then the hubs' NOTIFY. Besides the time per write it
// reports the CPU it costs, on either side of the wire: pg_cpu_us/op is the
// Postgres backend's (read from /proc, so only with the server on this
// machine), go_cpu_us/op this process's. "ping" is the baseline: one empty
// round trip on the same connection.
//
// The organisation holds 1 000 clients, so the indexes the row is in are
// of a realistic size; "same client" writes one client again and again
// (the hub benchmark's case), "many clients" goes round them.
func BenchmarkUpdateClient(b *testing.B) {
	db := pgtest.NewDB(b)
	db.SetMaxOpenConns(1) // one backend, whose CPU time is the figure
	org, admin, err := postgres.NewOrganisationStore(db).SignUp(context.Background(), warmline.SignUp{
		OrgName: "Bench", Name: "Admin", Email: "bench@example.com", Password: "long enough password"})
	if err != nil {
		b.Fatal(err)
	}
	fillClients(b, db, org.ID, 1000)
	var ids []warmline.ClientID
	if err := db.Select(&ids, `SELECT id FROM clients WHERE org_id = $1 ORDER BY id`, org.ID); err != nil {
		b.Fatal(err)
	}
	var pid int
	if err := db.Get(&pid, `SELECT pg_backend_pid()`); err != nil {
		b.Fatal(err)
	}
	ctx := as(admin)
	cs := postgres.NewClientStore(db)
	run := func(b *testing.B, op func(i int) error) {
		pg0, go0 := benchProcCPU(pid), benchSelfCPU()
		i := 0
		for b.Loop() {
			if err := op(i); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(benchProcCPU(pid)-pg0)/float64(time.Microsecond)/float64(i), "pg_cpu_us/op")
		b.ReportMetric(float64(benchSelfCPU()-go0)/float64(time.Microsecond)/float64(i), "go_cpu_us/op")
	}
	b.Run("ping", func(b *testing.B) {
		run(b, func(int) error { return db.PingContext(ctx) })
	})
	b.Run("same client", func(b *testing.B) {
		run(b, func(i int) error {
			notes := fmt.Sprintf("bench %d", i)
			_, err := cs.UpdateClient(ctx, ids[0], warmline.ClientInput{Notes: &notes})
			return err
		})
	})
	b.Run("many clients", func(b *testing.B) {
		run(b, func(i int) error {
			notes := fmt.Sprintf("bench %d", i)
			_, err := cs.UpdateClient(ctx, ids[i%len(ids)], warmline.ClientInput{Notes: &notes})
			return err
		})
	})
}

// benchProcCPU is the user + system time of process pid so far (0 when
// it is not on this machine).
func benchProcCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ ticks
}

func benchSelfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
