package report

// noHyperV words Result.NoHyperV: the traces of Hyper-V seen (or that
// none were) and the commands to run; ok is false when the Result has
// none to show.
func (v *view) noHyperV() (hints, steps []string, ok bool) {
	n := v.res.NoHyperV
	if n == nil {
		return nil, nil, false
	}
	l := v.lang
	for _, h := range n.Hints {
		hints = append(hints, h.File+": "+tr(l, "hint."+h.What)+" ("+tr(l, "side."+h.Side)+")")
	}
	if len(hints) == 0 {
		hints = []string{tr(l, "nohyperv.notrace")}
	}
	for _, c := range n.Collect {
		steps = append(steps, tr(l, "side."+c.Side)+", "+c.Shell+": "+c.Line)
	}
	return hints, steps, true
}
