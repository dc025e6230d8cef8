package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// ApplyStates applies each configuration in turn with terraform (Terraform) in one
// directory with local state, as a user editing main.tf and applying again would, and
// returns the state file terraform wrote after each apply (its raw format, version 4).
// Configurations that need no provider download (terraform_data, outputs, variables) work
// offline.
func ApplyStates(t testing.TB, configs ...string) [][]byte {
	t.Helper()
	tf := Terraform(t)
	dir := t.TempDir()
	env := os.Environ()
	for k, v := range TerraformEnv(t) {
		env = append(env, k+"="+v)
	}
	run := func(args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
		}
	}
	var states [][]byte
	for i, config := range configs {
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			run("init", "-input=false", "-no-color")
		}
		run("apply", "-auto-approve", "-input=false", "-no-color")
		data, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
		if err != nil {
			t.Fatalf("reading the state after apply %d: %v", i+1, err)
		}
		states = append(states, data)
	}
	return states
}
