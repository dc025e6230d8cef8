package editor_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// itemPosts wraps the app's handler: every answer to an editor item post is held back for
// delay after the change is saved, as on a slow link, and what became of each is counted.
type itemPosts struct {
	next  http.Handler
	delay time.Duration

	mu        sync.Mutex
	statuses  map[int]int
	abandoned int // saved, but the browser had given up on the answer
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (p *itemPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/edit/item") {
		p.next.ServeHTTP(w, r)
		return
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	p.next.ServeHTTP(sw, r)
	select {
	case <-time.After(p.delay):
	case <-r.Context().Done():
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.statuses[sw.status]++
	if r.Context().Err() != nil {
		p.abandoned++
	}
}

// TestBrowserTypingOnASlowLinkNeverConflicts: an author types a few characters at a time
// while every answer takes longer than the pause between them, so htmx (hx-sync replace)
// abandons each request for the next after the server has saved it, and the form never
// receives that revision. The author's later requests carry an older revision, and must
// still go in: no 409, no message, and the draft ends with everything typed.
func TestBrowserTypingOnASlowLinkNeverConflicts(t *testing.T) {
	app := webtest.EditorApp(t)
	app.AddType("azurerm_resource_group", "resource")
	posts := &itemPosts{next: app.Handler, delay: 1500 * time.Millisecond, statuses: map[int]int{}}
	srv, ctx := webtest.SignedInBrowser(t, posts)

	run := webtest.Runner(t, ctx)
	run("opening the resource group",
		chromedp.Navigate(srv.URL+paths.EditItem("team", "net", "azurerm_resource_group.main")),
		chromedp.WaitVisible(`input[name="name"]`),
	)
	// Each pause outlasts the form's 500 ms debounce, so every chunk posts; each answer
	// takes 1.5 s, so the next chunk's post replaces it. The pauses are the author's
	// rhythm, not a wait for the page.
	for _, chunk := range []string{"rg", "-pay", "ments", "-prod"} {
		run("typing "+chunk,
			chromedp.SendKeys(`input[name="name"]`, chunk),
			chromedp.Sleep(800*time.Millisecond),
		)
	}
	webtest.WaitJS(t, ctx, "the preview to show the whole name", webtest.PreviewHas(`name = "rg-payments-prod"`))
	var flash string
	run("reading the flash", chromedp.Evaluate(`(function(){var f=document.getElementById("flash");return f&&!f.hidden?f.textContent:""})()`, &flash))
	webtest.Screenshot(t, ctx, "typed")

	posts.mu.Lock()
	statuses, abandoned := posts.statuses, posts.abandoned
	posts.mu.Unlock()
	if statuses[http.StatusConflict] != 0 || flash != "" {
		t.Errorf("the author's own requests conflicted: answers %v, flash %q", statuses, flash)
	}
	if abandoned == 0 {
		t.Errorf("no request was abandoned after saving (answers %v): the test did not make the case it is about", statuses)
	}
	main := webtest.PreviewFile(app.EditorPage("azurerm_resource_group.main"), "main.tf")
	if !strings.Contains(main, `name = "rg-payments-prod"`) {
		t.Errorf("the draft does not hold everything typed:\n%s", main)
	}
}
