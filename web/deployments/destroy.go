// A destroy removes everything a deployment manages, so the deployment page asks for it by
// name: the user types the deployment's "blueprint → environment", and the server checks it.

package deployments

import (
	"fmt"
	"strings"

	"github.com/cloudoven/cloudoven/store"
)

// destroyConfirmField is the form field holding the name the user typed.
const destroyConfirmField = "confirm"

// maxDestroyConfirmBytes bounds the typed name; a deployment's name is far shorter.
const maxDestroyConfirmBytes = 512

// deploymentName is how pages name a deployment, and what a destroy's confirmation asks for.
func deploymentName(d store.Deployment) string {
	return fmt.Sprintf("%s → %s", d.Blueprint, d.Environment)
}

// destroyConfirmed reports whether typed names d: spaces around the words do not matter,
// and "->" stands for the arrow, which few keyboards have.
func destroyConfirmed(d store.Deployment, typed string) bool {
	if len(typed) > maxDestroyConfirmBytes {
		return false
	}
	norm := func(s string) string {
		s = strings.ReplaceAll(s, "->", "→")
		return strings.Join(strings.Fields(strings.ReplaceAll(s, "→", " → ")), " ")
	}
	return norm(typed) == norm(deploymentName(d))
}

// destroyRefusal is what the page says when the typed name does not match.
func destroyRefusal(d store.Deployment, typed string) string {
	if strings.TrimSpace(typed) == "" {
		return fmt.Sprintf("Nothing was destroyed: type the deployment's name, %s, to confirm the destroy.", deploymentName(d))
	}
	return fmt.Sprintf("Nothing was destroyed: the name typed does not match %s; type it exactly to confirm the destroy.", deploymentName(d))
}
