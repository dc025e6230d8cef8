package egress

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// Limits on what an allow-list may hold; an environment document and the proxy's command
// line both stay small.
const (
	// MaxRules is how many entries one allow-list may have.
	MaxRules = 100
	// maxName is the longest DNS name (RFC 1035).
	maxName = 253
)

// label is one DNS label in lower case: letters, digits and inner hyphens.
var label = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// Rule is one entry of an allow-list: a host name (management.azure.com), a wildcard that
// matches every name below a domain (*.blob.core.windows.net, not blob.core.windows.net
// itself), or an IPv4 address, each optionally with a port (vault.example.com:8200). Without
// a port a rule allows 443 (https) and 80 (http), the ports cloud APIs and registries use.
type Rule struct {
	// Host is the name, the domain below which a wildcard matches, or the IPv4 address.
	Host     string
	Wildcard bool
	Port     int // 0: 443 and 80
}

// String is the rule as written.
func (r Rule) String() string {
	s := r.Host
	if r.Wildcard {
		s = "*." + s
	}
	if r.Port != 0 {
		s += ":" + strconv.Itoa(r.Port)
	}
	return s
}

// ParseRule reads one allow-list entry. It accepts host names and "*." wildcards only, in
// lower case, with an optional port: no scheme, path, user, IPv6 address or address range.
// A wildcard must leave at least two labels (*.example.com, not *.com), and an IPv4 address
// is matched exactly, never by a wildcard.
func ParseRule(s string) (Rule, error) {
	if s == "" {
		return Rule{}, errors.New("empty host")
	}
	if len(s) > maxName+len("*.")+len(":65535") {
		return Rule{}, fmt.Errorf("%d characters is longer than a host name can be", len(s))
	}
	if strings.Contains(s, "://") || strings.ContainsAny(s, "/?#@ \t") {
		return Rule{}, errors.New("write the host name only, without a scheme, a path or spaces")
	}
	if strings.HasPrefix(s, "[") || strings.Count(s, ":") > 1 {
		return Rule{}, errors.New("IPv6 addresses are not supported: write a host name")
	}
	var r Rule
	host := s
	if h, p, ok := strings.Cut(s, ":"); ok {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 || p != strconv.Itoa(port) {
			return Rule{}, fmt.Errorf("port %q: want a number from 1 to 65535", p)
		}
		host, r.Port = h, port
	}
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		host, r.Wildcard = rest, true
	}
	if strings.ContainsRune(host, '*') {
		return Rule{}, errors.New("a wildcard is allowed only as the whole first label, as in *.blob.core.windows.net")
	}
	if host != strings.ToLower(host) {
		return Rule{}, errors.New("write the host name in lower case")
	}
	if len(host) > maxName {
		return Rule{}, fmt.Errorf("%d characters is longer than a host name can be", len(host))
	}
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if !label.MatchString(l) {
			return Rule{}, fmt.Errorf("%q is not a host name: use letters, digits, hyphens and dots", host)
		}
	}
	if allDigits(labels[len(labels)-1]) {
		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.Is4() {
			return Rule{}, fmt.Errorf("%q is neither a host name nor an IPv4 address", host)
		}
		if r.Wildcard {
			return Rule{}, errors.New("a wildcard needs a domain name, not an address")
		}
	}
	if r.Wildcard && len(labels) < 2 {
		return Rule{}, fmt.Errorf("*.%s would allow a whole top-level domain: name a domain below it", host)
	}
	r.Host = host
	return r, nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// ParseRules reads a whole allow-list: at most MaxRules entries, each once.
func ParseRules(list []string) ([]Rule, error) {
	if len(list) > MaxRules {
		return nil, fmt.Errorf("%d hosts is more than the %d an allow-list may have", len(list), MaxRules)
	}
	rules := make([]Rule, 0, len(list))
	seen := map[Rule]bool{}
	for _, s := range list {
		r, err := ParseRule(s)
		if err != nil {
			return nil, fmt.Errorf("host %q: %w", s, err)
		}
		if seen[r] {
			return nil, fmt.Errorf("host %q is listed twice", s)
		}
		seen[r] = true
		rules = append(rules, r)
	}
	return rules, nil
}

// Allows says whether the rule lets a run connect to host:port. host is what the client
// asked for: a name in any case, with or without a final dot, or an address.
func (r Rule) Allows(host string, port int) bool {
	if r.Port != 0 && port != r.Port || r.Port == 0 && port != 443 && port != 80 {
		return false
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if r.Wildcard {
		// An address never matches a wildcard, whatever its digits look like.
		if net.ParseIP(host) != nil {
			return false
		}
		return strings.HasSuffix(host, "."+r.Host)
	}
	return host == r.Host
}

// Allowed says whether any of the rules lets a run connect to host:port.
func Allowed(rules []Rule, host string, port int) bool {
	for _, r := range rules {
		if r.Allows(host, port) {
			return true
		}
	}
	return false
}
