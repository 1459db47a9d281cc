package kb

// Rule IDs the evaluator emits. Every table given to Load must define them
// (the embedded one does); their text lives in the table.
const (
	RuleCase1           = "KB2894285-CASE1"          // versions equal: nothing to do
	RuleCase2           = "KB2894285-CASE2"          // compatible mismatch: upgrade recommended
	RuleCase3           = "KB2894285-CASE3"          // incompatible mismatch: upgrade required
	RuleLinux           = "KB2894285-LINUX"          // Linux guest: mismatch messages harmless
	RuleUnclassified    = "KB2894285-UNCLASSIFIED"   // versions differ, Integration-Admin log not read
	RuleUndetermined    = "KB2894285-UNDETERMINED"   // not enough evidence
	RuleInvestigate     = "KB2894285-INVESTIGATE"    // guest OS unknown, Linux possible: events give the Windows case
	RuleResolved        = "KB2894285-RESOLVED"       // versions match now; earlier mismatch events resolved since
	RuleHost2016        = "KB2894285-HOST2016"       // 2016+ host whose VM's case the events decided: no host IC version
	RuleGuestNewer      = "KB2894285-GUESTNEWER"     // guest ICs newer than the host offers: nothing to upgrade in the guest
	RuleHostUnversioned = "KB2894285-UNVERSIONED"    // 2016+ host, no event decides: versions cannot be compared
	RuleKB975354Host    = "KB975354-HOST"            // 2008 R2 host below the hotfix's IC level
	RuleKB975354Guest   = "KB975354-GUEST"           // guest ICs older than 6.1.7600.20542 on a 2008 R2 host
	RuleKB975354Backup  = "KB975354-BACKUPTYPE"      // 2008 R2-era guest without VssRequestor BackupType = 1
	RuleConflictName    = "HVIC-CONFLICT-NAME"       // one VM name, several VM IDs
	RuleConflictGuest   = "HVIC-CONFLICT-GUEST"      // guest hives of one VM disagree on the IC version
	RuleConflictHost    = "HVIC-CONFLICT-HOST"       // records of one host disagree on the IC version
	RuleMissingHostIC   = "HVIC-MISSING-HOSTIC"      // host hive read, no GuestInstaller value (pre-2016 host)
	RuleMissingIntLog   = "HVIC-MISSING-INTEGRATION" // host's Integration-Admin log not read
	RuleUnattributed    = "HVIC-UNATTRIBUTED"        // IC events that name no VM
	RuleStorageIO       = "HVIC-EVENT-STORAGEIO"     // StorageVSP 6: I/O failure, not a mismatch
	RuleKvpNotRunning   = "HVIC-EVENT-KVP"           // Integration 4096: Data Exchange not running
	RuleInternal        = "HVIC-INTERNAL"            // evaluation stopped on an internal error; partial result
)

// requiredRules are the IDs the evaluator emits.
var requiredRules = [...]string{
	RuleCase1, RuleCase2, RuleCase3, RuleLinux, RuleUnclassified, RuleUndetermined, RuleInvestigate,
	RuleResolved, RuleHost2016, RuleGuestNewer, RuleHostUnversioned, RuleKB975354Host, RuleKB975354Guest, RuleKB975354Backup,
	RuleConflictName, RuleConflictGuest, RuleConflictHost, RuleMissingHostIC, RuleMissingIntLog,
	RuleUnattributed, RuleStorageIO, RuleKvpNotRunning, RuleInternal,
}
