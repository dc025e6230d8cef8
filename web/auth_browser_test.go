package web

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/cloudoven/cloudoven/web/paths"
)

// signIn signs the browser in through the sign-in page, as a user does, and waits for the
// projects page.
func signIn(t *testing.T, ctx context.Context, baseURL, name, password string) {
	t.Helper()
	err := chromedp.Run(ctx,
		chromedp.Navigate(baseURL+paths.SignIn("")),
		chromedp.WaitVisible(testIDSel("signin-form")),
		chromedp.SendKeys(testIDSel("signin-name"), name),
		chromedp.SendKeys(testIDSel("signin-password"), password),
		chromedp.Click(testIDSel("signin-submit")),
		chromedp.WaitVisible(testIDSel("signed-in-user")),
	)
	if err != nil {
		screenshot(t, ctx, "signin-failed")
		t.Fatalf("signing in as %s: %v", name, err)
	}
}
