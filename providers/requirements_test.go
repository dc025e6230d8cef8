package providers

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRequirements(t *testing.T) {
	files := map[string][]byte{
		"versions.tf": []byte(`terraform {
  required_version = ">= 1.5"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
    helm = {
      source = "registry.terraform.io/hashicorp/helm"
    }
    mine = {
      source  = "example.com:8443/Acme/Mine"
      version = ">= 1.2, < 2.0"
    }
  }
}
`),
		"main.tf": []byte(`terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.10"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "westeurope"
}

resource "random_pet" "name" {}

data "terraform_remote_state" "net" {
  backend = "local"
}

resource "mine_thing" "t" {}

resource "kubernetes_namespace" "ns" {
  provider = k8s.west
}

data "external" "x" {
  program = ["true"]
}
`),
		"README.md": []byte("resource \"ignored\" {"),
	}
	got, err := Requirements(files)
	if err != nil {
		t.Fatal(err)
	}
	want := []Requirement{
		{Source: "example.com:8443/acme/mine", Constraint: ">= 1.2, < 2.0"},
		// Constraints from two terraform blocks are joined, sorted.
		{Source: "registry.terraform.io/hashicorp/azurerm", Constraint: ">= 4.10, ~> 4.0"},
		{Source: "registry.terraform.io/hashicorp/external"},
		{Source: "registry.terraform.io/hashicorp/helm"},
		{Source: "registry.terraform.io/hashicorp/k8s"},
		{Source: "registry.terraform.io/hashicorp/random"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requirements (-want +got):\n%s", diff)
	}
}

func TestRequirementsRefusesBadInput(t *testing.T) {
	for name, src := range map[string]string{
		"not hcl":            `terraform {`,
		"bad source":         `terraform { required_providers { x = { source = "a/b/c/d" } } }`,
		"source leaves":      `terraform { required_providers { x = { source = "../../etc" } } }`,
		"bad constraint":     `terraform { required_providers { x = { source = "a/x", version = "~> banana" } } }`,
		"reference":          `terraform { required_providers { x = var.x } }`,
		"version not string": `terraform { required_providers { x = { source = "a/x", version = 1 } } }`,
	} {
		if _, err := Requirements(map[string][]byte{"main.tf": []byte(src)}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Requirements(map[string][]byte{"main.tf": []byte(strings.Repeat("#", maxConfigBytes+1))}); err == nil {
		t.Error("over the size limit: accepted")
	}
}
