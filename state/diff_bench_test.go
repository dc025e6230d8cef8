package state

import "testing"

// BenchmarkCompare compares two states of 1,000 resource instances with 20 attributes each
// (about 0.6 MB each), every attribute changed: parsing both and the diff, as a compare page
// does.
func BenchmarkCompare(b *testing.B) {
	from, to := syntheticState(1000, 20, "before-"), syntheticState(1000, 20, "after-")
	b.SetBytes(int64(len(from) + len(to)))
	b.ReportAllocs()
	for b.Loop() {
		x, err := Parse(from)
		if err != nil {
			b.Fatal(err)
		}
		y, err := Parse(to)
		if err != nil {
			b.Fatal(err)
		}
		if d := Compare(x, y); len(d.Resources) != 1000 {
			b.Fatalf("%d resources changed", len(d.Resources))
		}
	}
}

// BenchmarkParseLargest parses a state at the size the page reads at most.
func BenchmarkParseLargest(b *testing.B) {
	data := syntheticState(MaxShowBytes/700, 20, "value-")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
