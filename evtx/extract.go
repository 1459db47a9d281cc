package evtx

func extractIC(r *Record) (ICEvent, bool) {
	return ICEvent{}, false
}
