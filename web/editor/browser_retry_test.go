package editor_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// droppingPosts wraps the app's handler: while down, every editor item post has its
// connection closed before any answer, as by a server that restarts or a link that drops.
type droppingPosts struct {
	next http.Handler

	mu      sync.Mutex
	down    bool
	dropped int
}

func (p *droppingPosts) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

func (p *droppingPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	drop := p.down && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/edit/item")
	if drop {
		p.dropped++
	}
	p.mu.Unlock()
	if !drop {
		p.next.ServeHTTP(w, r)
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// TestBrowserEditorRetriesAPostThatNeverArrived: the author types while every post of the
// item form is dropped without an answer. The page says CloudOven could not be reached and
// that it tries again; once posts go through, the preview shows what was typed without the
// author touching the form again, and the message is gone.
func TestBrowserEditorRetriesAPostThatNeverArrived(t *testing.T) {
	app := webtest.EditorApp(t)
	app.AddType("azurerm_resource_group", "resource")
	posts := &droppingPosts{next: app.Handler}
	srv, ctx := webtest.SignedInBrowser(t, posts)

	run := webtest.Runner(t, ctx)
	run("opening the resource group",
		chromedp.Navigate(srv.URL+paths.EditItem("team", "net", "azurerm_resource_group.main")),
		chromedp.WaitVisible(`input[name="name"]`),
	)
	posts.setDown(true)
	run("typing while posts are dropped", webtest.SendKeys(`input[name="name"]`, "rg-retried"))
	webtest.WaitJS(t, ctx, "the page to say it tries again",
		`(function(){var f=document.getElementById("flash");return !!f&&!f.hidden&&f.textContent.includes("Trying again")})()`)
	webtest.Screenshot(t, ctx, "trying-again")
	posts.setDown(false)

	webtest.WaitJS(t, ctx, "the preview to show the name typed while posts were dropped", webtest.PreviewHas(`name = "rg-retried"`))
	webtest.WaitJS(t, ctx, "the message to be gone", `document.getElementById("flash").hidden`)
	posts.mu.Lock()
	dropped := posts.dropped
	posts.mu.Unlock()
	if dropped == 0 {
		t.Fatal("no post was dropped: the test did not make the case it is about")
	}
	main := webtest.PreviewFile(app.EditorPage("azurerm_resource_group.main"), "main.tf")
	if !strings.Contains(main, `name = "rg-retried"`) {
		t.Errorf("the draft does not hold the name typed while posts were dropped:\n%s", main)
	}
}
