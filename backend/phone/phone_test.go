package phone

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, raw, country, want string
		ok                       bool
	}{
		{"russian national with trunk 8", "8 (901) 234-56-78", "RU", "+79012345678", true},
		{"russian international with spaces", "+7 901 234 56 78", "RU", "+79012345678", true},
		{"country code without plus", "79012345678", "RU", "+79012345678", true},
		{"ten national digits", "9012345678", "RU", "+79012345678", true},
		{"moscow landline", "(495) 123-45-67", "RU", "+74951234567", true},
		{"british number from a russian organisation", "+44 20 7946 0958", "RU", "+442079460958", true},
		{"international 00 prefix", "00 44 20 7946 0958", "GB", "+442079460958", true},
		{"us national", "(415) 555-2671", "US", "+14155552671", true},
		{"letters are not a phone", "call me", "RU", "", false},
		{"too short", "123", "RU", "", false},
		{"empty", "  ", "RU", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Normalize(tt.raw, tt.country)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("Normalize(%q, %s) = %q, %v; want %q, %v", tt.raw, tt.country, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSearchDigits(t *testing.T) {
	got := SearchDigits("+79012345678")
	if len(got) != 2 || got[0] != "79012345678" || got[1] != "9012345678" {
		t.Fatalf("SearchDigits = %v", got)
	}
}

func TestFormat(t *testing.T) {
	if got := Format("+79012345678", "RU"); got != "8 (901) 234-56-78" {
		t.Fatalf("Format national = %q", got)
	}
	if got := Format("+442079460958", "RU"); got != "+44 20 7946 0958" {
		t.Fatalf("Format international = %q", got)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"8 (901) 234-56-78", "+44 20 7946 0958", "", "+", "00000000000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if e, ok := Normalize(s, "RU"); ok && (len(e) < 6 || e[0] != '+') {
			t.Fatalf("Normalize(%q) = %q", s, e)
		}
	})
}
