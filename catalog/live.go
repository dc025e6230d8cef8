package catalog

import "sync/atomic"

// Live holds the catalog a running server uses, so a finished crawl can swap a new one in
// without a restart. Readers take the current catalog per request; a swap never blocks them.
type Live struct{ p atomic.Pointer[Catalog] }

// NewLive holds c.
func NewLive(c *Catalog) *Live {
	l := &Live{}
	l.p.Store(c)
	return l
}

// Catalog is the current catalog.
func (l *Live) Catalog() *Catalog { return l.p.Load() }

// Swap makes c current.
func (l *Live) Swap(c *Catalog) { l.p.Store(c) }
