package projects_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestAddMemberDoesNotTellWhichUsersExist: a project admin who adds a name that is not a
// user gets an answer that does not say so (it would let them list the users of
// CloudOven one guess at a time), the same answer as for a name that cannot be one, and
// nor does the project's audit log; the global audit log shows the refusals, one row per
// admin and project.
func TestAddMemberDoesNotTellWhichUsersExist(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	ann := a.As("ann")
	webtest.WantStatus(t, ann.PostForm(paths.Projects(), url.Values{"name": {"team"}}, false), http.StatusSeeOther)

	const neutral = "No member was added. Check the user name: only users a global admin created can be added."
	for _, name := range []string{"ghost", "Not A Name!"} {
		w := ann.PostForm(paths.Members("team"), url.Values{"user": {name}, "role": {"viewer"}}, false)
		webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
		if got := webtest.WantOne(t, webtest.WantFullPage(t, w), "members-error"); got != neutral {
			t.Errorf("adding %q: %q, want %q", name, got, neutral)
		}
	}
	// Not in the project's own log, which ann reads.
	doc := webtest.WantFullPage(t, ann.Get(paths.ProjectAudit("team"), false))
	if n := doc.Find(`[data-action="member.add.refused"]`).Length(); n != 0 {
		t.Errorf("the project's audit log shows %d refused adds to its admin", n)
	}
	es, err := a.Store.AuditLog(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, e := range es {
		if e.Action == "member.add.refused" {
			refused++
			if e.User != "ann" {
				t.Errorf("the refusal is recorded for %q, want ann", e.User)
			}
		}
	}
	if refused != 1 {
		t.Errorf("%d member.add.refused rows for two refusals, want 1: %+v", refused, es)
	}

	// A user who exists is added as before.
	a.As("bob")
	webtest.WantStatus(t, ann.PostForm(paths.Members("team"), url.Values{"user": {"bob"}, "role": {"viewer"}}, false), http.StatusSeeOther)
}
