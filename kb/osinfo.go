package kb

import "strings"

// Kernel returns the Windows kernel version (major.minor) of o, and false
// when it cannot be told. CurrentMajorVersionNumber (Major) wins; a build of
// 10240 or more means 10.0 (CurrentVersion still reads "6.3" there); then
// the Version string; then the product name ("Windows Server 2012 R2").
func (o OSInfo) Kernel() (Version, bool) {
	switch {
	case o.Major >= 10 || o.Build >= 10240:
		major := o.Major
		if major < 10 {
			major = 10
		}
		return Version{Major: major, Minor: o.Minor, Parts: 2}, true
	case o.Major > 0:
		return Version{Major: o.Major, Minor: o.Minor, Parts: 2}, true
	}
	if v, err := ParseVersion(o.Version); err == nil && v.Major > 0 {
		return Version{Major: v.Major, Minor: v.Minor, Parts: 2}, true
	}
	return kernelFromName(o.Name)
}

// nameKernels maps product-name fragments to kernel versions, most specific
// first.
var nameKernels = [...]struct {
	frag         string
	major, minor uint32
}{
	{"windows 11", 10, 0}, {"windows 10", 10, 0}, {"server 2025", 10, 0}, {"server 2022", 10, 0},
	{"server 2019", 10, 0}, {"server 2016", 10, 0},
	{"server 2012 r2", 6, 3}, {"windows 8.1", 6, 3}, {"server 2012", 6, 2}, {"windows 8", 6, 2},
	{"server 2008 r2", 6, 1}, {"windows 7", 6, 1}, {"small business server 2011", 6, 1}, {"home server 2011", 6, 1},
	{"server 2008", 6, 0}, {"vista", 6, 0},
	{"server 2003", 5, 2}, {"windows xp", 5, 1},
}

func kernelFromName(name string) (Version, bool) {
	n := strings.ToLower(name)
	if !strings.Contains(n, "windows") {
		return Version{}, false
	}
	for _, k := range nameKernels {
		if strings.Contains(n, k.frag) {
			return Version{Major: k.major, Minor: k.minor, Parts: 2}, true
		}
	}
	return Version{}, false
}

// Family returns the Hyper-V host family for a host running o.
func (o OSInfo) Family() HostFamily {
	k, ok := o.Kernel()
	if !ok {
		return FamilyUnknown
	}
	return familyOf(k.Major, k.Minor)
}

func familyOf(major, minor uint32) HostFamily {
	switch {
	case major >= 10:
		return Family2016Plus
	case major == 6 && minor == 3:
		return Family2012R2
	case major == 6 && minor == 2:
		return Family2012
	case major == 6 && minor == 1:
		return Family2008R2
	case major == 6 && minor == 0:
		return Family2008
	}
	return FamilyUnknown
}

// nonWindows lists OS name fragments of guests that carry no Windows IC
// package (Linux and FreeBSD: the ICs come with the kernel).
var nonWindows = [...]string{"linux", "ubuntu", "debian", "centos", "red hat", "rhel", "suse", "fedora", "oracle linux", "almalinux", "rocky", "freebsd"}

// IsLinux reports whether o names a Linux (or FreeBSD) system.
func (o OSInfo) IsLinux() bool {
	n := strings.ToLower(o.Name)
	if n == "" || strings.Contains(n, "windows") {
		return false
	}
	for _, f := range nonWindows {
		if strings.Contains(n, f) {
			return true
		}
	}
	return false
}
