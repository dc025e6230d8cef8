package providers

import (
	"errors"
	"strings"
	"testing"
)

// terraformLock is a lock file as terraform 1.5 writes it.
const terraformLock = `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/azurerm" {
  version     = "4.57.0"
  constraints = "~> 4.0"
  hashes = [
    "h1:AAAAaaaa+1234=",
    "zh:0123456789abcdef",
    "zh:fedcba9876543210",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version = "3.6.3"
  hashes = [
    "h1:BBBBbbbb+5678=",
  ]
}
`

func TestLockRoundTripsTerraformsFormat(t *testing.T) {
	lock, err := ParseLock([]byte(terraformLock))
	if err != nil {
		t.Fatal(err)
	}
	if len(lock.Providers) != 2 {
		t.Fatalf("providers: %+v", lock.Providers)
	}
	az, ok := lock.Provider("registry.terraform.io/hashicorp/azurerm")
	if !ok || az.Version != "4.57.0" || az.Constraints != "~> 4.0" || len(az.Hashes) != 3 {
		t.Fatalf("azurerm: %+v", az)
	}
	if got := string(lock.Bytes()); got != terraformLock {
		t.Errorf("written again:\n%s\nwant:\n%s", got, terraformLock)
	}
}

func TestParseLockRefusesWhatTerraformRefuses(t *testing.T) {
	for name, src := range map[string]string{
		"not hcl":         `provider "a/b/c" {`,
		"module":          `module "x" {}`,
		"short address":   `provider "hashicorp/azurerm" { version = "1.0.0" }`,
		"no version":      `provider "registry.terraform.io/a/b" { hashes = [] }`,
		"unknown":         `provider "registry.terraform.io/a/b" { version = "1.0.0"  checksum = "x" }`,
		"twice":           `provider "registry.terraform.io/a/b" { version = "1.0.0" }` + "\n" + `provider "registry.terraform.io/a/b" { version = "1.0.0" }`,
		"hash no scheme":  `provider "registry.terraform.io/a/b" { version = "1.0.0"  hashes = ["abc"] }`,
		"hash not string": `provider "registry.terraform.io/a/b" { version = "1.0.0"  hashes = [1] }`,
		"reference":       `provider "registry.terraform.io/a/b" { version = var.v }`,
		"too large":       strings.Repeat("#", maxLockFile+1),
	} {
		if _, err := ParseLock([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLockVerify(t *testing.T) {
	lock, err := ParseLock([]byte(terraformLock))
	if err != nil {
		t.Fatal(err)
	}
	pkg := Package{Source: "registry.terraform.io/hashicorp/random", Version: "3.6.3", Platform: "linux_amd64", Hashes: []string{"h1:BBBBbbbb+5678="}}
	if err := lock.Verify(pkg); err != nil {
		t.Errorf("the locked package: %v", err)
	}
	pkg.Hashes = []string{"h1:other="}
	if err := lock.Verify(pkg); !errors.Is(err, ErrChecksumMismatch) {
		t.Errorf("another package: %v", err)
	}
	pkg.Version, pkg.Hashes = "3.7.0", []string{"h1:BBBBbbbb+5678="}
	if err := lock.Verify(pkg); err == nil || !strings.Contains(err.Error(), "records version 3.6.3") {
		t.Errorf("another version: %v", err)
	}
	if err := lock.Verify(Package{Source: "registry.terraform.io/hashicorp/time", Version: "0.14.2"}); err != nil {
		t.Errorf("a provider the lock does not name: %v", err)
	}
}
