package form

import "testing"

func TestKeys(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{JoinKey("", "location"), "location"},
		{JoinKey("default_node_pool[0]", "vm_size"), "default_node_pool[0].vm_size"},
		{InstanceKey("default_node_pool", 0), "default_node_pool[0]"},
		{InstanceKey("default_node_pool[0].upgrade_settings", 12), "default_node_pool[0].upgrade_settings[12]"},
		{CountKey("default_node_pool"), "default_node_pool#n"},
		{ModeKey("default_node_pool[0].vm_size"), "default_node_pool[0].vm_size:mode"},
		{Block{Key: "identity"}.InstanceKey(1), "identity[1]"},
		{Block{Key: "identity"}.CountKey(), "identity#n"},
		{VariablesTable.CountKey(), "v#n"},
		{LocalsTable.RowKey(2), "l[2]"},
		{OutputsTable.FieldKey(0, "value"), "o[0].value"},
		{RequiredProvidersTable.FieldKey(3, "version"), "rp[3].version"},
		{MetaName, "@name"},
		{MetaCount, "@count"},
		{MetaForEach, "@for_each"},
		{MetaDependsOn, "@depends_on"},
		{MetaProvider, "@provider"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestParseInstanceKey(t *testing.T) {
	for _, tc := range []struct {
		key   string
		block string
		i     int
		ok    bool
	}{
		{"identity[0]", "identity", 0, true},
		{"default_node_pool[0].upgrade_settings[12]", "default_node_pool[0].upgrade_settings", 12, true},
		{"v[3]", "v", 3, true},
		{"identity", "", 0, false},
		{"identity[0].name", "", 0, false},
		{"identity[]", "", 0, false},
		{"identity[x]", "", 0, false},
		{"identity[-1]", "", 0, false},
		{"identity[+1]", "", 0, false},
		{"identity[01]", "", 0, false},
		{"identity[0", "", 0, false},
		{"identity0]", "", 0, false},
		{"[0]", "", 0, false},
		{"a.b[0]", "", 0, false}, // a must be an instance to hold b
		{"a[0][1]", "", 0, false},
		{"", "", 0, false},
	} {
		block, i, ok := ParseInstanceKey(tc.key)
		if block != tc.block || i != tc.i || ok != tc.ok {
			t.Errorf("ParseInstanceKey(%q) = %q, %d, %v; want %q, %d, %v", tc.key, block, i, ok, tc.block, tc.i, tc.ok)
		}
		if ok && InstanceKey(block, i) != tc.key {
			t.Errorf("InstanceKey(ParseInstanceKey(%q)) = %q", tc.key, InstanceKey(block, i))
		}
	}
}

func TestParseModeKey(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		ok        bool
	}{
		{"location:mode", "location", true},
		{"default_node_pool[0].vm_size:mode", "default_node_pool[0].vm_size", true},
		{ModeKey("tags"), "tags", true},
		{"location", "location", false},
		{":mode", "", false},
		{"location:mode:x", "location:mode:x", false},
	} {
		key, ok := ParseModeKey(tc.name)
		if ok != tc.ok || (ok && key != tc.key) {
			t.Errorf("ParseModeKey(%q) = %q, %v; want %q, %v", tc.name, key, ok, tc.key, tc.ok)
		}
	}
}

func TestMetaKey(t *testing.T) {
	for arg, want := range map[string]string{"name": MetaName, "count": MetaCount, "for_each": MetaForEach, "depends_on": MetaDependsOn, "provider": MetaProvider, "lifecycle": "", "": "", "@name": ""} {
		got, ok := MetaKey(arg)
		if got != want || ok != (want != "") {
			t.Errorf("MetaKey(%q) = %q, %v; want %q", arg, got, ok, want)
		}
	}
}
