package main

import (
	"strings"
	"testing"
)

func TestParseConfigPoolSize(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://example/warmline")
	for env, want := range map[string]int{"": 20, "40": 40, "1": 1} {
		t.Setenv("WARMLINE_DB_MAX_CONNS", env)
		c, _, err := parseConfig("serve", nil)
		if err != nil || c.DBMaxConns != want {
			t.Errorf("WARMLINE_DB_MAX_CONNS=%q: %+v, %v; want %d", env, c, err, want)
		}
	}
	t.Setenv("WARMLINE_DB_MAX_CONNS", "")
	if c, _, err := parseConfig("serve", []string{"--db-max-conns", "7"}); err != nil || c.DBMaxConns != 7 {
		t.Errorf("--db-max-conns 7: %+v, %v", c, err)
	}
	for _, env := range []string{"0", "-3", "many"} {
		t.Setenv("WARMLINE_DB_MAX_CONNS", env)
		if _, _, err := parseConfig("serve", nil); err == nil || !strings.Contains(err.Error(), "WARMLINE_DB_MAX_CONNS") {
			t.Errorf("WARMLINE_DB_MAX_CONNS=%q: %v", env, err)
		}
	}
	t.Setenv("WARMLINE_DB_MAX_CONNS", "")
	if _, _, err := parseConfig("serve", []string{"--db-max-conns", "0"}); err == nil || !strings.Contains(err.Error(), "db-max-conns") {
		t.Errorf("--db-max-conns 0: %v", err)
	}
}
