package corpus_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/internal/corpus"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestEveryProviderHasExamples guards the corpus itself: a crawler change that loses the
// docs' examples would make every rate measured on it meaningless.
func TestEveryProviderHasExamples(t *testing.T) {
	counts := map[string]int{}
	for _, e := range corpus.Examples(testenv.Catalog(t)) {
		if e.Source == "" {
			t.Errorf("%s: empty example", e.Name())
		}
		counts[e.Provider]++
	}
	for _, p := range []string{"azurerm", "azuread", "helm", "kubernetes", "random"} {
		if counts[p] == 0 {
			t.Errorf("no examples for %s", p)
		}
	}
	if counts["azurerm"] < 1500 {
		t.Errorf("azurerm has %d examples; its docs hold about 1,600", counts["azurerm"])
	}
	t.Logf("examples per provider: %v", counts)
}
