package export

import (
	"regexp"
	"strings"

	"github.com/hvic/hvic/evtx"
)

// Patterns over rendered messages. The English texts of VmSwitch 27 and
// storvsp 6 and the Japanese text of Integration 4000/4010 are quoted in
// KB2894285 (seed 000); the English wording of 4000/4010 ("Framework
// version: ...; Message version: ...") and the Japanese wording of the
// System events are [unverified], so every pattern also accepts the
// other language's keywords and the fields are flagged as recovered.
var (
	reGUID   = regexp.MustCompile(`(?i)\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?`)
	reQuoted = regexp.MustCompile(`(?:'([^']*)'|"([^"]*)"|「([^」]*)」)`)
	reInVM   = regexp.MustCompile(`(?i)\bin (.+?) loaded\b`)
	verTok   = `(Negotiated\s*\([^)]*\)\s*-\s*Expected\s*\([^)]*\)|\d+(?:\.\d+){1,3})`
	reFrame  = regexp.MustCompile(`(?i)(?:framework version|フレームワーク\s*バージョン)\s*[:：]?\s*` + verTok)
	reMsgVer = regexp.MustCompile(`(?i)(?:message version|メッセージ\s*バージョン)\s*[:：]?\s*` + verTok)
	reServer = regexp.MustCompile(`(?i)(?:server version|サーバー\s*バージョン)\s*[:：]?\s*(\d+(?:\.\d+){1,3})`)
	reClient = regexp.MustCompile(`(?i)(?:client version|クライアント\s*バージョン)\s*[:：]?\s*(\d+(?:\.\d+){1,3})`)
)

// fromMessage recovers VM name, VM ID and versions from a rendered
// message: the VM ID is the first GUID; the VM name the first quoted
// string, else the words between "in" and "loaded" (VmSwitch 27, storvsp
// 6); the versions follow their keywords.
func fromMessage(ev *evtx.ICEvent, msg string) {
	ev.VMName, ev.VMID = "", ""
	ev.FrameworkVersion, ev.MessageVersion = evtx.ProtocolVersion{}, evtx.ProtocolVersion{}
	ev.ServerVersion, ev.ClientVersion = "", ""
	if m := reGUID.FindStringSubmatch(msg); m != nil {
		ev.VMID, _ = evtx.ParseGUID(m[1])
	}
	if m := reQuoted.FindStringSubmatch(msg); m != nil {
		ev.VMName = strings.TrimSpace(m[1] + m[2] + m[3])
	} else if m := reInVM.FindStringSubmatch(msg); m != nil {
		ev.VMName = strings.TrimSpace(m[1])
	}
	switch ev.Shape {
	case evtx.ShapeIntegration:
		if m := reFrame.FindStringSubmatch(msg); m != nil {
			ev.FrameworkVersion, _ = evtx.ParseProtocolVersion(m[1])
		}
		if m := reMsgVer.FindStringSubmatch(msg); m != nil {
			ev.MessageVersion, _ = evtx.ParseProtocolVersion(m[1])
		}
	case evtx.ShapeNetwork, evtx.ShapeStorvsp:
		if m := reServer.FindStringSubmatch(msg); m != nil {
			ev.ServerVersion = m[1]
		}
		if m := reClient.FindStringSubmatch(msg); m != nil {
			ev.ClientVersion = m[1]
		}
	}
}
