package components_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/web/components"
)

func TestNewFileShowsBinaryBySize(t *testing.T) {
	if got := components.NewFile("certs/app.pfx", []byte{0x30, 0x82, 0xff, 0x00}); got.Content != "(binary file, 4 bytes, written as it is)" {
		t.Errorf("binary file shown as %q", got.Content)
	}
	if got := components.NewFile("scripts/init.sh", []byte("echo hi\n")); got.Content != "echo hi\n" || got.Name != "scripts/init.sh" {
		t.Errorf("text file shown as %+v", got)
	}
}
