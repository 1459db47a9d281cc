package report

import "time"

// tickUnit is the calendar unit of a tick step.
type tickUnit uint8

const (
	unitMinute tickUnit = iota
	unitHour
	unitDay
	unitWeek
	unitMonth
	unitYear
)

// tickStep is a tick spacing on UTC calendar boundaries: every N minutes
// (N dividing an hour), hours (dividing a day), days, weeks (from Monday),
// months (from January) or years (multiples of N).
type tickStep struct {
	unit tickUnit
	n    int
}

// tickSteps lists the spacings from the finest; the years go on to the
// end of time so that any span finds one.
var tickSteps = func() []tickStep {
	s := []tickStep{
		{unitMinute, 1}, {unitMinute, 2}, {unitMinute, 5}, {unitMinute, 10}, {unitMinute, 15}, {unitMinute, 30},
		{unitHour, 1}, {unitHour, 2}, {unitHour, 3}, {unitHour, 6}, {unitHour, 12},
		{unitDay, 1}, {unitDay, 2}, {unitWeek, 1},
		{unitMonth, 1}, {unitMonth, 2}, {unitMonth, 3}, {unitMonth, 6},
	}
	for n := 1; n <= 1e9; n *= 10 {
		s = append(s, tickStep{unitYear, n}, tickStep{unitYear, 2 * n}, tickStep{unitYear, 5 * n})
	}
	return s
}()

// floor is the last boundary of the step at or before t (in UTC).
func (s tickStep) floor(t time.Time) time.Time {
	t = t.UTC()
	switch s.unit {
	case unitMinute:
		return t.Truncate(time.Duration(s.n) * time.Minute)
	case unitHour:
		return t.Truncate(time.Duration(s.n) * time.Hour)
	case unitDay:
		// Go's zero time, 0001-01-01, is a Monday at midnight UTC: whole
		// days and weeks from it are calendar days and ISO weeks.
		return t.Truncate(time.Duration(s.n) * 24 * time.Hour)
	case unitWeek:
		return t.Truncate(7 * 24 * time.Hour)
	case unitMonth:
		m := int(t.Month()) - 1
		return time.Date(t.Year(), time.Month(m-m%s.n+1), 1, 0, 0, 0, 0, time.UTC)
	}
	y := t.Year()
	y -= ((y % s.n) + s.n) % s.n
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
}

// next is the boundary after b (a boundary).
func (s tickStep) next(b time.Time) time.Time {
	switch s.unit {
	case unitMinute:
		return b.Add(time.Duration(s.n) * time.Minute)
	case unitHour:
		return b.Add(time.Duration(s.n) * time.Hour)
	case unitDay:
		return b.Add(time.Duration(s.n) * 24 * time.Hour)
	case unitWeek:
		return b.Add(7 * 24 * time.Hour)
	case unitMonth:
		return b.AddDate(0, s.n, 0)
	}
	return b.AddDate(s.n, 0, 0)
}

// ticks are the boundaries from the one at or before from to the one at or
// after to (at least two), or nil when there would be more than max+1.
func (s tickStep) ticks(from, to time.Time, max int) []time.Time {
	out := []time.Time{s.floor(from)}
	for {
		last := out[len(out)-1]
		if !last.Before(to) && len(out) > 1 {
			return out
		}
		if len(out) > max {
			return nil
		}
		n := s.next(last)
		if !n.After(last) { // the end of time.Time: no further boundary
			return nil
		}
		out = append(out, n)
	}
}

// calendarTicks returns the ticks of the finest step that spans from..to
// in at most max intervals, and that step. The first tick is at or before
// from and the last at or after to, so that they bound the axis.
func calendarTicks(from, to time.Time, max int) ([]time.Time, tickStep) {
	if to.Before(from) {
		from, to = to, from
	}
	for _, s := range tickSteps {
		if t := s.ticks(from, to, max); t != nil {
			return t, s
		}
	}
	// Beyond the last step (not reached by any time.Time a reader makes):
	// the two ends.
	return []time.Time{from.UTC(), to.UTC()}, tickStep{unitYear, 1e9}
}

// newDay reports whether b falls on another date than a, or another year
// for steps of months.
func (s tickStep) newDay(a, b time.Time) bool {
	a, b = a.UTC(), b.UTC()
	return a.Year() != b.Year() || a.YearDay() != b.YearDay()
}

// label is the tick's text in UTC and, under it, the date when full is
// set and the label does not already show it.
func (s tickStep) label(t time.Time, full bool) (label, sub string) {
	t = t.UTC()
	switch s.unit {
	case unitMinute, unitHour:
		if full {
			return t.Format("15:04"), t.Format("2006-01-02")
		}
		return t.Format("15:04"), ""
	case unitDay, unitWeek:
		return t.Format("2006-01-02"), ""
	case unitMonth:
		return t.Format("2006-01"), ""
	}
	return t.Format("2006"), ""
}
