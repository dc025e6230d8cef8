package environments

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// Secrets are write-only: the section sets, replaces and deletes them by name, and lists
// names with the time each was set. No value is ever rendered, not even the one just typed
// into a form that is shown again with a problem.

type envSecretsProps struct {
	Configured bool
	Action     string
	Rows       []envSecretRow
	// Name is the name typed into the form, kept when it is shown again with a problem.
	Name       string
	NameError  string
	ValueError string
	Saved      string
	Problem    string
	Open       bool
	Summary    envSummary
}

type envSecretRow struct {
	Name      string
	Updated   components.Time
	DeleteURL string
}

func (s *Handlers) envSecrets(es *envSession) envSecretsProps {
	props := envSecretsProps{Configured: s.secrets != nil, Action: paths.EnvSecrets(es.project, es.stored.Name)}
	for _, info := range es.secrets {
		props.Rows = append(props.Rows, envSecretRow{
			Name:      info.Name,
			Updated:   components.NewTime(info.UpdatedAt),
			DeleteURL: paths.EnvSecretDelete(es.project, es.stored.Name, info.Name),
		})
	}
	props.Summary = secretsSummary(props)
	return props
}

// setEnvSecret answers POST .../environments/{environment}/secrets with name and value: sets
// or replaces the secret.
func (s *Handlers) setEnvSecret(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	parseErr := page.ParseForm(w, r, maxEnvFormBytes)
	es, err := s.openEnvironment(ctx, r.PathValue("project"), r.PathValue("environment"))
	if err != nil {
		return err
	}
	props := s.envSecrets(es)
	answer := func(status int) error {
		return s.renderEnvSection(w, r, status, es, envSecretsFragment, func(p *envPageProps) { p.Secrets = props })
	}
	if s.secrets == nil {
		props.Problem = "Secrets are not configured on this server; nothing was saved."
		return answer(http.StatusServiceUnavailable)
	}
	if parseErr != nil {
		props.Problem = page.FormRefusal(parseErr) + " Nothing was saved."
		return answer(page.FormStatus(parseErr))
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	value := r.PostForm.Get("value")
	props.Name = name
	if name == "" {
		props.NameError = "Give the secret a name, like ARM_CLIENT_SECRET or TF_VAR_db_password."
	}
	if value == "" {
		props.ValueError = "Type the secret's value. To remove a secret, delete it from the list."
	}
	if props.NameError != "" || props.ValueError != "" {
		return answer(http.StatusUnprocessableEntity)
	}
	err = s.secrets.Set(ctx, es.project, es.stored.Name, name, value)
	switch {
	case errors.Is(err, store.ErrInvalidName):
		props.NameError = page.ProblemText(err)
	case errors.Is(err, store.ErrTooLarge):
		props.ValueError = page.ProblemText(err) + " Type it again once it is smaller."
	case errors.Is(err, store.ErrNotFound):
		return err
	case err != nil:
		return err
	}
	if props.NameError != "" || props.ValueError != "" {
		return answer(http.StatusUnprocessableEntity)
	}
	// The name only: a secret's value never reaches a log.
	s.logger.Info("environment secret set", "project", es.project, "environment", es.stored.Name, "secret", name)
	return s.secretsChanged(w, r, es, fmt.Sprintf("Secret %s saved.", name))
}

// deleteEnvSecret answers POST .../environments/{environment}/secrets/{name}/delete.
func (s *Handlers) deleteEnvSecret(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	es, err := s.openEnvironment(ctx, r.PathValue("project"), r.PathValue("environment"))
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if s.secrets == nil {
		props := s.envSecrets(es)
		props.Problem = "Secrets are not configured on this server."
		return s.renderEnvSection(w, r, http.StatusServiceUnavailable, es, envSecretsFragment, func(p *envPageProps) { p.Secrets = props })
	}
	if err := s.secrets.Delete(ctx, es.project, es.stored.Name, name); err != nil {
		if errors.Is(err, store.ErrInvalidName) {
			return page.ErrNotFound
		}
		return err
	}
	s.logger.Info("environment secret deleted", "project", es.project, "environment", es.stored.Name, "secret", name)
	return s.secretsChanged(w, r, es, fmt.Sprintf("Secret %s deleted.", name))
}

// secretsChanged answers a successful change: the refreshed section for htmx, a redirect to
// the page otherwise.
func (s *Handlers) secretsChanged(w http.ResponseWriter, r *http.Request, es *envSession, msg string) error {
	if !page.IsHTMX(r) {
		http.Redirect(w, r, paths.Environment(es.project, es.stored.Name)+"#secrets-heading", http.StatusSeeOther)
		return nil
	}
	fresh, err := s.openEnvironment(r.Context(), es.project, es.stored.Name)
	if err != nil {
		return err
	}
	props := s.envSecrets(fresh)
	props.Saved = msg
	return s.renderEnvSection(w, r, http.StatusOK, fresh, envSecretsFragment, func(p *envPageProps) { p.Secrets = props })
}
