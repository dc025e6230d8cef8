package web_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/account"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// fakeStore fails every call it is not given a function for.
type fakeStore struct {
	web.Store
	projects func(ctx context.Context) ([]store.Project, error)
}

func (f fakeStore) Projects(ctx context.Context) ([]store.Project, error) {
	if f.projects == nil {
		return nil, errors.New("fakeStore: Projects not faked")
	}
	return f.projects(ctx)
}

// Session signs every request with a cookie in as a global admin.
func (f fakeStore) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	now := time.Now()
	return store.Session{TokenHash: tokenHash, User: store.User{ID: 1, Name: "admin", Admin: true}, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}, nil
}

// fakeSession is a cookie fakeStore accepts.
var fakeSession = &webtest.Session{User: "admin", Cookie: &http.Cookie{Name: account.SessionCookie, Value: "fake"}}

func TestServerErrorPageHidesInternals(t *testing.T) {
	t.Parallel()
	secret := errors.New("database is locked: /var/lib/cloudoven/cloudoven.db")
	a := &webtest.App{T: t, Log: &bytes.Buffer{}, Session: fakeSession}
	a.Handler = webtest.NewHandler(t, web.Config{
		Store:   fakeStore{projects: func(context.Context) ([]store.Project, error) { return nil, secret }},
		Catalog: webtest.Catalog(t),
		Logger:  a.Logger(),
	})
	logs := a.Log
	w := a.Get(paths.Projects(), false)
	webtest.WantStatus(t, w, http.StatusInternalServerError)
	doc := webtest.WantFullPage(t, w)
	if got := webtest.WantOne(t, doc, "error-title"); got != "Something went wrong" {
		t.Errorf("error title %q", got)
	}
	if strings.Contains(w.Body.String(), "database is locked") || strings.Contains(w.Body.String(), "/var/lib") {
		t.Errorf("the 500 page shows the internal error:\n%s", w.Body)
	}
	ref := webtest.WantOne(t, doc, "error-reference")
	if !strings.Contains(logs.String(), "database is locked") || !strings.Contains(logs.String(), "ref="+ref) {
		t.Errorf("the log does not carry the error and the reference %s:\n%s", ref, logs.String())
	}
}

func TestNewRequiresStoreAndCatalog(t *testing.T) {
	t.Parallel()
	if _, err := web.New(web.Config{Catalog: webtest.Catalog(t)}); err == nil {
		t.Errorf("New without a store succeeded")
	}
	if _, err := web.New(web.Config{Store: fakeStore{}}); err == nil {
		t.Errorf("New without a catalog succeeded")
	}
}
