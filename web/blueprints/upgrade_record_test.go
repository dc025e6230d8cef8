package blueprints

import (
	"errors"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/upgrade"
)

// TestUpgradeRecordTooLargeIsRefusedFirst: a configuration whose kept form the store would
// refuse is known before the version is saved (the import refuses, with nothing saved),
// not after it, which left a version without its report; one that fits is kept whole.
func TestUpgradeRecordTooLargeIsRefusedFirst(t *testing.T) {
	held := upgrade.Report{Format: 1, Items: []upgrade.Item{{What: upgrade.WhatResource, Address: "azurerm_x.y", File: "main.tf", Line: 1, HCL: "resource \"azurerm_x\" \"y\" {}", Why: "gone"}}}
	// Quotes double in JSON: 4.5 MiB of them is past the store's 8 MiB.
	big := map[string][]byte{"main.tf": []byte("# " + strings.Repeat(`"`, 4<<20+512<<10) + "\n")}
	if _, err := upgradeRecord(big, held); !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("a record past the store's limit: %v, want ErrTooLarge", err)
	}
	rec, err := upgradeRecord(map[string][]byte{"main.tf": []byte("resource \"azurerm_x\" \"y\" {}\n")}, held)
	if err != nil || rec == nil || len(rec.Sources) == 0 || len(rec.Report) == 0 {
		t.Fatalf("a record that fits: %+v, %v", rec, err)
	}
	if rec, err := upgradeRecord(big, upgrade.Report{}); rec != nil || err != nil {
		t.Errorf("nothing held keeps nothing: %+v, %v", rec, err)
	}
}
