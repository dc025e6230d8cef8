package deployment

import (
	"fmt"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/store"
)

// ParseEnvironment reads an environment's stored document. An environment stored without one
// (created by the store directly) is empty, with the runner settings a document that says
// nothing has (blueprint.RunnerSettings.WithDefaults: egress open, as it was stored before
// CloudOven controlled egress). The name is the stored environment's, whatever the
// document says.
func ParseEnvironment(e store.Environment) (*blueprint.Environment, error) {
	if strings.TrimSpace(string(e.Document)) == "" {
		return &blueprint.Environment{Name: e.Name, Runner: blueprint.RunnerSettings{}.WithDefaults()}, nil
	}
	env, err := blueprint.ParseEnvironment(e.Document)
	if err != nil {
		return nil, fmt.Errorf("reading the stored document of environment %q: %w", e.Name, err)
	}
	env.Name = e.Name
	return env, nil
}
