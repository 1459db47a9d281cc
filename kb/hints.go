package kb

// HintProvider is an event provider whose records are no IC evidence but
// say which side of Hyper-V a log comes from: the Hyper-V guest drivers
// (network, storage, VMBus) log only inside a guest.
type HintProvider struct {
	Provider string // provider or classic source name, compared case-insensitively
	Side     string // "guest"
	// Unverified is true when the name is not confirmed by a seed or a
	// log seen; all are, except netvsc, which issue 12's public guest
	// System log carried.
	Unverified bool
}

// hintProviders are the Hyper-V guest drivers' event sources: netvsc
// (synthetic network adapter), storvsc (synthetic storage), vmbus (the
// guest's VMBus driver), and their manifest names on newer guests.
var hintProviders = []HintProvider{
	{Provider: "netvsc", Side: "guest"},
	{Provider: "storvsc", Side: "guest", Unverified: true},
	{Provider: "vmbus", Side: "guest", Unverified: true},
	{Provider: "Microsoft-Windows-Hyper-V-Netvsc", Side: "guest", Unverified: true},
	{Provider: "Microsoft-Windows-Hyper-V-Storvsc", Side: "guest", Unverified: true},
}

// HintProviders returns the event providers whose records, counted, are
// Hyper-V hints for a collection with no IC evidence (Result.NoHyperV):
// the scan asks evtx to count them per provider instead of keeping them.
func HintProviders() []HintProvider {
	return append([]HintProvider(nil), hintProviders...)
}
