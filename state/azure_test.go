package state

import (
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

func TestAzureStore(t *testing.T) {
	t.Parallel()
	serviceURL := testenv.Azurite(t)
	ctx := t.Context()
	cred, err := SharedKey(testenv.AzuriteAccount, testenv.AzuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := EnsureContainer(ctx, serviceURL, "tfstate", cred); err != nil {
			t.Fatalf("EnsureContainer: %v", err)
		}
	}
	bs, err := NewAzureStore(serviceURL, "tfstate", cred)
	if err != nil {
		t.Fatal(err)
	}
	testBlobStore(t, bs)

	wrong, err := SharedKey(testenv.AzuriteAccount, "d3Jvbmc=")
	if err != nil {
		t.Fatal(err)
	}
	if err := EnsureContainer(ctx, serviceURL, "other", wrong); err == nil {
		t.Error("EnsureContainer with a wrong key succeeded")
	}
}
