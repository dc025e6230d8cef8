package components

import "time"

// Time is a timestamp ready to show: Text for people, ISO for the datetime attribute.
type Time struct {
	Text string
	ISO  string
}

// NewTime formats t in UTC; the zero time shows as an empty Time.
func NewTime(t time.Time) Time {
	if t.IsZero() {
		return Time{}
	}
	t = t.UTC()
	return Time{Text: t.Format("2006-01-02 15:04 UTC"), ISO: t.Format(time.RFC3339)}
}
