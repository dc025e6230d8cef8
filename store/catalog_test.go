package store

import (
	"bytes"
	"errors"
	"testing"
)

func TestPublishCatalog(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	ctx := t.Context()
	if gen, err := b.CatalogGeneration(ctx); err != nil || gen != 0 {
		t.Fatalf("generation before any publication: %d, %v; want 0", gen, err)
	}
	if _, err := b.PublishedCatalog(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("PublishedCatalog before any publication: %v, want ErrNotFound", err)
	}

	first := []byte("first catalog \x00\xff")
	gen, err := a.PublishCatalog(ctx, first)
	if err != nil || gen != 1 {
		t.Fatalf("first publication: generation %d, %v; want 1", gen, err)
	}
	if gen, err := a.PublishCatalog(ctx, bytes.Clone(first)); err != nil || gen != 1 {
		t.Errorf("publishing the same blob again: generation %d, %v; want 1, unchanged", gen, err)
	}
	second := []byte("second catalog")
	if gen, err := a.PublishCatalog(ctx, second); err != nil || gen != 2 {
		t.Fatalf("second publication: generation %d, %v; want 2", gen, err)
	}
	if gen, err := b.CatalogGeneration(ctx); err != nil || gen != 2 {
		t.Errorf("the other replica reads generation %d, %v; want 2", gen, err)
	}
	pc, err := b.PublishedCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pc.Generation != 2 || !bytes.Equal(pc.Blob, second) || pc.SHA256 != sha256Hex(second) || pc.PublishedAt.IsZero() {
		t.Errorf("the other replica reads %d %s %q at %v; want generation 2 of %q", pc.Generation, pc.SHA256, pc.Blob, pc.PublishedAt, second)
	}
	if n := count(t, a, "catalog_publication"); n != 1 {
		t.Errorf("%d publication rows, want only the latest", n)
	}

	if _, err := a.PublishCatalog(ctx, make([]byte, MaxCatalogBytes+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("publishing %d bytes: %v, want ErrTooLarge", MaxCatalogBytes+1, err)
	}
	if gen, err := b.CatalogGeneration(ctx); err != nil || gen != 2 {
		t.Errorf("after the refused publication: generation %d, %v; want 2", gen, err)
	}
}
