package web

import (
	"context"

	"github.com/cloudoven/cloudoven/deployment"
)

// deployments resolves deployments into the files a run uses, with their checks: the same
// resolution the run service's preparer makes, so the page shows exactly what a run gets.
// Secrets are names to it, never values. The editor and the import check blueprints with
// its project Checks.
func (s *server) deployments() *deployment.Resolver {
	cfg := deployment.Config{Store: s.store, Rules: s.store, Providers: s.store, Catalog: s.catalog, StateURL: s.stateURL}
	if s.secrets != nil {
		cfg.SecretNames = func(ctx context.Context, project, environment string) ([]string, error) {
			infos, err := s.secrets.Names(ctx, project, environment)
			if err != nil {
				return nil, err
			}
			names := make([]string, len(infos))
			for i, info := range infos {
				names[i] = info.Name
			}
			return names, nil
		}
	}
	return deployment.NewResolver(cfg)
}
