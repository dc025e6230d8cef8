package deployment

import (
	"context"
	"errors"

	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/store"
)

// RuleStore keeps projects' guardrail rule files; *store.Store has it.
type RuleStore interface {
	ProjectPolicy(ctx context.Context, project string) ([]byte, error)
}

// Rules reads a project's guardrail rules: its rule file, or policy.DefaultRules when it has
// none (or st is nil). raw is the stored file, "" for the defaults.
//
// The rules returned are always usable: a rule file that cannot be read or parsed (stored
// files are parsed when saved, so this one came from another build) gives the defaults
// together with the error, which keeps the guardrails on, and stricter rather than looser,
// while a page says what is wrong.
func Rules(ctx context.Context, st RuleStore, project string) (rules policy.Rules, raw string, err error) {
	if st == nil {
		return policy.DefaultRules(), "", nil
	}
	doc, err := st.ProjectPolicy(ctx, project)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return policy.DefaultRules(), "", nil
	case err != nil:
		return policy.DefaultRules(), "", err
	}
	rules, err = policy.ParseRules(doc)
	if err != nil {
		// ParseRules's errors say "rules file: ..." already, and pages show them as they are.
		return policy.DefaultRules(), string(doc), err
	}
	return rules, string(doc), nil
}
