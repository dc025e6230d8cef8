package egress

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Rule
	}{
		{"management.azure.com", Rule{Host: "management.azure.com"}},
		{"*.blob.core.windows.net", Rule{Host: "blob.core.windows.net", Wildcard: true}},
		{"vault.example.com:8200", Rule{Host: "vault.example.com", Port: 8200}},
		{"*.example.com:443", Rule{Host: "example.com", Wildcard: true, Port: 443}},
		{"172.17.0.1:8080", Rule{Host: "172.17.0.1", Port: 8080}},
		{"proxy", Rule{Host: "proxy"}},
		{"xn--bcher-kva.example", Rule{Host: "xn--bcher-kva.example"}},
	} {
		got, err := ParseRule(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseRule(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("%q reads back as %q", tc.in, got.String())
		}
	}
}

func TestParseRuleRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"https://management.azure.com", "without a scheme"},
		{"management.azure.com/subscriptions", "without a scheme, a path"},
		{"user@example.com", "without a scheme"},
		{"example.com ", "spaces"},
		{"Management.Azure.com", "lower case"},
		{"*", "whole first label"},
		{"*.com", "top-level domain"},
		{"*.*.example.com", "whole first label"},
		{"a*.example.com", "whole first label"},
		{"example.*", "whole first label"},
		{"*.10.0.0.1", "needs a domain name"},
		{"10.0.0.0/8", "without a scheme, a path"},
		{"1.2.3", "neither a host name nor an IPv4 address"},
		{"300.1.1.1", "neither a host name nor an IPv4 address"},
		{"[::1]:443", "IPv6"},
		{"fe80::1", "IPv6"},
		{"example.com:0", "port"},
		{"example.com:65536", "port"},
		{"example.com:08", "port"},
		{"example.com:", "port"},
		{"-bad.example.com", "not a host name"},
		{"bad-.example.com", "not a host name"},
		{"exa_mple.com", "not a host name"},
		{"example..com", "not a host name"},
		{"example.com.", "not a host name"},
		{strings.Repeat("a", 64) + ".com", "not a host name"},
		{strings.Repeat("abcdefghi.", 26) + "com", "longer than a host name"},
		{"例え.jp", "not a host name"},
	} {
		if _, err := ParseRule(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseRule(%q) = %v, want an error saying %q", tc.in, err, tc.want)
		}
	}
}

func TestParseRules(t *testing.T) {
	t.Parallel()
	if _, err := ParseRules([]string{"a.example.com", "b.example.com"}); err != nil {
		t.Error(err)
	}
	if _, err := ParseRules([]string{"a.example.com", "a.example.com"}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("a duplicate: %v", err)
	}
	if _, err := ParseRules([]string{"a.example.com", "HTTP://x"}); err == nil || !strings.Contains(err.Error(), `host "HTTP://x"`) {
		t.Errorf("a bad entry is not named: %v", err)
	}
	many := make([]string, MaxRules+1)
	for i := range many {
		many[i] = fmt.Sprintf("h%d.example.com", i)
	}
	if _, err := ParseRules(many[:MaxRules]); err != nil {
		t.Errorf("%d rules: %v", MaxRules, err)
	}
	if _, err := ParseRules(many); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("%d rules: %v", len(many), err)
	}
}

func TestRuleAllows(t *testing.T) {
	t.Parallel()
	rules, err := ParseRules([]string{"management.azure.com", "*.blob.core.windows.net", "vault.example.com:8200", "172.17.0.1:9000"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		port int
		want bool
	}{
		{"management.azure.com", 443, true},
		{"management.azure.com", 80, true},
		{"MANAGEMENT.Azure.com.", 443, true},
		{"management.azure.com", 8443, false},
		{"evil.management.azure.com", 443, false},
		{"management.azure.com.evil.com", 443, false},
		{"stplatform.blob.core.windows.net", 443, true},
		{"a.b.blob.core.windows.net", 443, true},
		{"blob.core.windows.net", 443, false},
		{"evilblob.core.windows.net", 443, false},
		{"vault.example.com", 8200, true},
		{"vault.example.com", 443, false},
		{"172.17.0.1", 9000, true},
		{"172.17.0.1", 443, false},
		{"172.17.0.2", 9000, false},
		{"", 443, false},
	} {
		if got := Allowed(rules, tc.host, tc.port); got != tc.want {
			t.Errorf("Allowed(%s:%d) = %v, want %v", tc.host, tc.port, got, tc.want)
		}
	}
	if Allowed(nil, "management.azure.com", 443) {
		t.Error("no rules allow something")
	}
}
