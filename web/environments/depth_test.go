package environments_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestEnvironmentVariableNestedTooDeep: an HCL value nested 100,000 levels deep (far past
// what the parser's recursion survives) is refused under its field with the limit, nothing
// is saved, what was typed comes back, and the page goes on working. Brackets that deep
// fit the form's size limit only in a multipart body (urlencoded, each takes three bytes);
// negations fit either.
func TestEnvironmentVariableNestedTooDeep(t *testing.T) {
	t.Parallel()
	const deep = 100_000
	tests := map[string]struct {
		value     string
		multipart bool
	}{
		"brackets, multipart":   {strings.Repeat("[", deep) + strings.Repeat("]", deep), true},
		"negations, urlencoded": {strings.Repeat("-", deep) + "1", false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := webtest.EnvApp(t)
			page := a.CreateEnv("dev")
			form := webtest.ByTestID(page, "variables-form")
			v := htmltest.FormValues(form)
			v.Set("var.location", "westeurope")
			v.Set("var.tags", tt.value)
			var w *httptest.ResponseRecorder
			if tt.multipart {
				fields := map[string]string{}
				for k := range v {
					fields[k] = v.Get(k)
				}
				w = a.PostMultipart(form.AttrOr("action", ""), webtest.Upload{Fields: fields}, true)
			} else {
				w = a.PostForm(form.AttrOr("action", ""), v, true)
			}
			webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
			doc := webtest.ParseHTML(t, w)
			if got := webtest.FieldErrorText(doc, "tags"); !strings.Contains(got, "nested more than 128 levels deep") {
				t.Errorf("tags: %q", got)
			}
			if got := variableField(doc, "tags").Find("textarea").Text(); got != tt.value {
				t.Errorf("the typed value came back with %d bytes of %d", len(got), len(tt.value))
			}
			if n := len(storedEnv(a, "dev").Variables); n != 0 {
				t.Errorf("%d values were saved although one could not be read", n)
			}
			if _, code := a.SubmitForm(page, "variables-form", func(v url.Values) { v.Set("var.location", "westeurope") }); code != http.StatusOK {
				t.Errorf("saving a plain value afterwards: status %d", code)
			}
		})
	}
}
