package password

import (
	"strings"
	"testing"
)

func TestHashAndCheck(t *testing.T) {
	h, err := Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("hash %q is not argon2id", h)
	}
	if !Check("correct horse battery", h) {
		t.Fatal("the right password was refused")
	}
	if Check("wrong horse battery", h) {
		t.Fatal("a wrong password was accepted")
	}
	if Check("no account has this password", "") {
		t.Fatal("an empty hash accepted the dummy password")
	}
}

func TestValidate(t *testing.T) {
	if err := Validate("short", "password"); err == nil {
		t.Fatal("a 5-character password passed")
	}
	if err := Validate(strings.Repeat("я", 10), "password"); err != nil {
		t.Fatalf("ten Cyrillic letters refused: %v", err)
	}
}
