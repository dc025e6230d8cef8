package policy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/policy"
)

func TestParseProviderSource(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "hashicorp/http", want: "registry.terraform.io/hashicorp/http"},
		{in: " Registry.Example.com/Acme/Tool ", want: "registry.example.com/acme/tool"},
		{in: "localhost:8443/acme/tool", want: "localhost:8443/acme/tool"},
		{in: "", err: "empty"},
		{in: "http", err: "is not a provider source"},
		{in: "a/b/c/d", err: "is not a provider source"},
		{in: "https://registry.example.com/acme/tool", err: "not a URL"},
		{in: "acme/not a type", err: "is not a provider type"},
		{in: "-acme/tool", err: "is not a provider namespace"},
		{in: "bad_host!/acme/tool", err: "is not a registry host name"},
		{in: strings.Repeat("x", 300) + "/tool", err: "more than 255"},
	} {
		got, err := policy.ParseProviderSource(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%.40q: %q, %v; want an error containing %q", tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%.40q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestCheckProviders(t *testing.T) {
	cat := testCatalog(t)
	b := importHCL(t, `
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.2"
    }
    tool = {
      source  = "registry.example.com/acme/tool"
      version = "1.0.0"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "tool_thing" "x" {}

data "external" "git" {
  program = ["git", "rev-parse", "HEAD"]
}

resource "terraform_data" "t" {}
`)
	errs := func(allowed ...string) []string {
		var out []string
		for _, d := range policy.CheckProviders(b, cat, allowed) {
			if d.Severity != blueprint.Error || d.Detail == "" {
				t.Errorf("%+v: want an error that says what to do", d)
			}
			out = append(out, d.Path+": "+d.Summary)
		}
		return out
	}
	// The tool's source is listed; external is implied (hashicorp/external), at the first
	// use; azurerm is in the catalog and the builtin provider ships with terraform.
	want := []string{
		"required_providers[1].source: provider registry.example.com/acme/tool is not allowed in this project",
		"data[external.git].type: provider registry.terraform.io/hashicorp/external is not allowed in this project",
	}
	if diff := cmp.Diff(want, errs()); diff != "" {
		t.Errorf("nothing allowed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[1:], errs("Registry.Example.com/acme/tool")); diff != "" {
		t.Errorf("the tool allowed (-want +got):\n%s", diff)
	}
	if got := errs("registry.example.com/acme/tool", "hashicorp/external"); len(got) != 0 {
		t.Errorf("both allowed: %q", got)
	}
}
