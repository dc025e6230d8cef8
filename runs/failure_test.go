package runs

import (
	"strings"
	"testing"
)

// TestOutputFailureNamesTheFirstError: a failed stage's error is the first error terraform
// reported, from its machine-readable UI or from init's plain text (boxed or not), and only
// the exit code when it reported none.
func TestOutputFailureNamesTheFirstError(t *testing.T) {
	st, _ := newStore(t)
	hub := NewHub(st, nil)
	for name, tt := range map[string]struct{ printed, want string }{
		"ui diagnostic": {`{"@level":"error","@message":"Error: Unsupported argument","type":"diagnostic","diagnostic":{"severity":"error","summary":"Unsupported argument","detail":"x","address":"azurerm_resource_group.main","range":{"filename":"main.tf","start":{"line":12}}}}` + "\n" +
			`{"@level":"error","@message":"Error: second","type":"diagnostic","diagnostic":{"severity":"error","summary":"second"}}` + "\n",
			"terraform exited with code 1: Error: Unsupported argument (main.tf line 12, in azurerm_resource_group.main) (the log has the rest)"},
		"warning first": {`{"@level":"warn","@message":"Warning: old","type":"diagnostic","diagnostic":{"severity":"warning","summary":"old"}}` + "\n" +
			`{"@level":"error","@message":"Error: bad","type":"diagnostic","diagnostic":{"severity":"error","summary":"bad"}}` + "\n",
			"terraform exited with code 1: Error: bad (the log has the rest)"},
		"init text": {"Initializing the backend...\n╷\n│ Error: Failed to query available provider packages\n│ \n│ Could not retrieve the list\n╵\n",
			"terraform exited with code 1: Error: Failed to query available provider packages (the log has the rest)"},
		"nothing": {"just output\n", "terraform exited with code 1; the log says why"},
	} {
		o := newOutput(hub, "run-x", nil, nil, nil)
		o.Write([]byte(tt.printed))
		if got := o.failure(1).Error(); got != tt.want {
			t.Errorf("%s: %q\nwant %q", name, got, tt.want)
		}
	}
	o := newOutput(hub, "run-y", nil, nil, nil)
	o.Write([]byte("Error: " + strings.Repeat("x", 600) + "\n"))
	if got := o.failure(2).Error(); !strings.HasSuffix(got, "…") && !strings.Contains(got, "… (the log has the rest)") {
		t.Errorf("a long error is not cut: %d bytes", len(got))
	}
}
