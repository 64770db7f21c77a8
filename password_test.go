package concernmap_test

import (
	"strings"
	"testing"

	"github.com/concernmap/concernmap"
)

func TestPassword(t *testing.T) {
	hash, err := concernmap.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash format: got %q", hash)
	}
	other, _ := concernmap.HashPassword("correct horse battery")
	if other == hash {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"right", hash, "correct horse battery", true},
		{"wrong", hash, "correct horse battery!", false},
		{"empty", hash, "", false},
		{"not argon2id", "$2a$10$abcdefghijklmnopqrstuu", "x", false},
		{"tampered params", strings.Replace(hash, "t=3", "t=1", 1), "correct horse battery", false},
		{"garbage", "$argon2id$v=19$m=65536,t=3,p=2$!!!$!!!", "x", false},
		{"huge memory claim", strings.Replace(hash, "m=65536", "m=99999999", 1), "correct horse battery", false},
	}
	for _, tt := range tests {
		if got := concernmap.VerifyPassword(tt.hash, tt.password); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, err := concernmap.HashPassword("short"); concernmap.ErrorCode(err) != concernmap.EINVALID {
		t.Errorf("short password: got %v, want EINVALID", err)
	}
}
