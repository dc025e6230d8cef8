package editor

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/starters"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/htmltest"
)

// TestStarterArgumentsClearedAndSetAgain clears each argument of each resource of every
// starter in the editor's form, one at a time, and sets it again: the generated files come
// back byte for byte. And an untouched form changes nothing, so the starters' files are
// what they were before the editor learned where arguments go.
func TestStarterArgumentsClearedAndSetAgain(t *testing.T) {
	t.Parallel()
	cat := testenv.Catalog(t)
	s := walkServer(t)
	for _, st := range starters.List() {
		t.Run(st.ID, func(t *testing.T) {
			t.Parallel()
			start, err := starters.Blueprint(st.ID, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := start.MarshalDocument()
			if err != nil {
				t.Fatal(err)
			}
			open := func() *editorSession {
				bp, err := blueprint.ParseDocument(doc)
				if err != nil {
					t.Fatal(err)
				}
				return &editorSession{project: "team", name: st.ID, bp: bp, cat: cat, base: 1,
					baseDoc: func() ([]byte, error) { return doc, nil }}
			}
			want := generated(t, open().bp)
			checked := 0
			for r := range start.AllResources() {
				addr := r.Address()
				es := open()
				props, err := s.editorProps(es, addr, nil)
				if err != nil {
					t.Fatalf("%s: building the editor: %v", addr, err)
				}
				var buf bytes.Buffer
				if err := editorItem(props).Render(context.Background(), &buf); err != nil {
					t.Fatalf("%s: rendering the form: %v", addr, err)
				}
				page, err := goquery.NewDocumentFromReader(&buf)
				if err != nil {
					t.Fatal(err)
				}
				values := htmltest.FormValues(page.Find("#item-form"))
				apply := func(es *editorSession, v url.Values) {
					t.Helper()
					if ed, err := applyResource(es, addr, v, form.Op{}); err != nil || ed.problem != "" {
						t.Fatalf("%s: applying the form: %v %s", addr, err, ed.problem)
					}
				}
				apply(es, values)
				if diff := cmp.Diff(want, generated(t, es.bp)); diff != "" {
					t.Fatalf("%s: the untouched form changes the files (-want +got):\n%s", addr, diff)
				}
				for _, f := range props.Resource.Form.Fields() {
					if !f.Set {
						continue
					}
					es := open()
					cleared := cloneValues(values)
					cleared.Set(f.Key, "")
					apply(es, cleared)
					if cmp.Equal(want, generated(t, es.bp)) {
						t.Errorf("%s: clearing %s changes nothing", addr, f.Key)
					}
					apply(es, values)
					if diff := cmp.Diff(want, generated(t, es.bp)); diff != "" {
						t.Errorf("%s: %s cleared and set again moves (-want +got):\n%s", addr, f.Key, diff)
					}
					checked++
				}
			}
			if checked < 10 {
				t.Errorf("only %d arguments checked", checked)
			}
			t.Logf("%d arguments cleared and set again", checked)
		})
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
