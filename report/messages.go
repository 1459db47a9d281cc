package report

import (
	"fmt"
	"strings"

	"github.com/hvic/hvic/kb"
)

// Languages lists the languages every renderer writes.
var languages = []string{"en", "ja"}

// Languages returns the supported output languages: "en" and "ja".
func Languages() []string { return append([]string(nil), languages...) }

// normLang maps "" to "en", "ja", "ja-JP", "JA_jp" to "ja", "en-US" to
// "en", and any other language to ErrLang.
func normLang(l string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(l))
	base, _, _ := strings.Cut(strings.ReplaceAll(n, "_", "-"), "-")
	switch base {
	case "":
		if n == "" {
			return "en", nil
		}
	case "en", "ja":
		return base, nil
	}
	return "", fmt.Errorf("%w: %q (want one of %s)", ErrLang, l, strings.Join(languages, ", "))
}

// msg holds the interface text of the renderers: English, Japanese.
var msg = map[string][2]string{
	"title":            {"Hyper-V integration services check", "Hyper-V 統合サービス チェック"},
	"status":           {"Status", "状態"},
	"status.complete":  {"complete", "完了"},
	"status.partial":   {"partial (some files could not be read in full)", "一部 (完全には読めなかったファイルがあります)"},
	"status.failed":    {"failed (nothing could be read)", "失敗 (読めるファイルがありません)"},
	"status.unknown":   {"unknown (no scan result)", "不明 (スキャン結果がありません)"},
	"summary":          {"VMs: %d · hosts: %d · needing action: %d", "VM: %d 台 · ホスト: %d 台 · 対処が必要な VM: %d 台"},
	"host":             {"Host", "ホスト"},
	"host.unknown":     {"(unknown host)", "(ホスト不明)"},
	"host.os":          {"OS", "OS"},
	"host.offers":      {"Host IC offered", "ホストが提供する IC"},
	"logs":             {"Logs read", "読み込んだログ"},
	"logs.none":        {"no event log of this host was read", "このホストのイベント ログは読み込まれていません"},
	"records":          {"records", "件"},
	"damaged":          {"damaged", "破損あり"},
	"col.vm":           {"VM", "VM"},
	"col.id":           {"VM ID", "VM ID"},
	"col.case":         {"Case", "ケース"},
	"col.action":       {"Action", "対処"},
	"col.severity":     {"Severity", "重要度"},
	"col.hostic":       {"Host IC", "ホスト IC"},
	"col.guestic":      {"Guest IC", "ゲスト IC"},
	"guest.os":         {"Guest OS", "ゲスト OS"},
	"col.host":         {"Host", "ホスト"},
	"col.rules":        {"Rules", "ルール"},
	"details":          {"Details", "詳細"},
	"what":             {"What it means", "意味"},
	"todo":             {"What to do", "対処方法"},
	"howto":            {"How to update", "更新方法"},
	"evidence":         {"Evidence", "根拠"},
	"missing":          {"Evidence not available", "不足している根拠"},
	"findings.other":   {"Other findings", "その他の検出事項"},
	"conflicts":        {"Conflicting evidence", "矛盾する根拠"},
	"timeline":         {"Timeline of mismatch events", "不一致イベントのタイムライン"},
	"timeline.none":    {"No IC event was found in the logs read.", "読み込んだログに IC 関連イベントはありません。"},
	"events":           {"events", "件のイベント"},
	"problems":         {"Problems", "問題"},
	"problems.none":    {"None.", "ありません。"},
	"problems.guesses": {"Guesses", "推定"},
	"problems.guesses.note": {"where the collection did not say, hvic inferred from file and folder names; check these",
		"収集データに記載がないため、ファイル名やフォルダー名から推定しました。確認してください"},
	"problems.other": {"Other files", "その他のファイル"},
	"problems.other.note": {"damage in files that cannot hold IC evidence, such as other hives and event logs: the verdicts do not depend on them",
		"他のハイブやイベント ログなど、IC の証拠を含まないファイルの破損です。判定には影響しません"},
	"problems.nofile": {"(no file)", "(ファイルなし)"},
	"skipped":         {"Skipped files", "スキップしたファイル"},
	"files":           {"Files read", "読み込んだファイル"},
	"col.file":        {"File", "ファイル"},
	"col.kind":        {"Kind", "種類"},
	"col.role":        {"Role", "役割"},
	"col.size":        {"Size", "サイズ"},
	"col.reason":      {"Reason", "理由"},
	"col.time":        {"Time", "日時"},
	"col.event":       {"Event", "イベント"},
	"none":            {"none", "なし"},
	"unknown":         {"unknown", "不明"},
	"replayed":        {"transaction logs replayed", "トランザクション ログを適用済み"},
	"record":          {"record", "レコード"},
	"legend":          {"Legend", "凡例"},

	"case.match":                 {"Case 1: versions match", "ケース 1: バージョン一致"},
	"case.compatible-mismatch":   {"Case 2: compatible mismatch", "ケース 2: 互換性のある不一致"},
	"case.incompatible-mismatch": {"Case 3: incompatible mismatch", "ケース 3: 互換性のない不一致"},
	"case.mismatch-unclassified": {"Mismatch (case 2 or 3 unknown)", "不一致 (ケース 2/3 不明)"},
	"case.linux-guest":           {"Linux guest", "Linux ゲスト"},
	"case.undetermined":          {"Undetermined", "判定不能"},
	"case.guest-newer":           {"Guest ICs newer than the host offers", "ゲストの IC がホストの提供版より新しい"},
	"case.host-unversioned":      {"2016+ host: offered version not recorded", "2016 以降のホスト: 提供バージョンの記録なし"},

	"action.none":                {"none", "対処不要"},
	"action.upgrade-recommended": {"upgrade recommended", "更新を推奨"},
	"action.upgrade-required":    {"upgrade required", "更新が必須"},
	"action.ignore":              {"ignore (harmless)", "無視可 (無害)"},
	"action.investigate":         {"investigate", "要調査"},

	"severity.info":   {"info", "情報"},
	"severity.low":    {"low", "低"},
	"severity.medium": {"medium", "中"},
	"severity.high":   {"high", "高"},

	"missing.host":             {"the VM's host is not known", "VM のホストが不明"},
	"missing.host-registry":    {"the host's SOFTWARE hive was not read", "ホストの SOFTWARE ハイブが未読込"},
	"missing.host-ic-version":  {"the host's GuestInstaller value is absent", "ホストの GuestInstaller 値がない"},
	"missing.guest-registry":   {"the guest's SOFTWARE hive was not read", "ゲストの SOFTWARE ハイブが未読込"},
	"missing.guest-ic-version": {"the guest's IntegrationServicesVersion is absent", "ゲストの IntegrationServicesVersion がない"},
	"missing.guest-os":         {"the guest's OS version is unknown", "ゲスト OS のバージョンが不明"},
	"missing.integration-log":  {"the host's Hyper-V-Integration-Admin log was not read", "ホストの Hyper-V-Integration-Admin ログが未読込"},
	"missing.system-log":       {"the host's System log was not read", "ホストの System ログが未読込"},
	"missing.auto-time":        {"the guest's KVP refresh time (Auto key last write) is unknown", "ゲストの KVP 最終更新日時 (Auto キーの最終書き込み日時) が不明"},
	"missing.integration-log.read": {"the host's Integration-Admin log was read (%s) but cannot settle case 2 or 3 for this VM (damaged where its events would be)",
		"ホストの Integration-Admin ログは読み込みました (%s) が、この VM のケース 2/3 を判断できません (該当する期間が破損しています)"},

	"why":            {"Why", "判定の理由"},
	"expl.decisive":  {"Decisive: %s", "決め手: %s"},
	"expl.resolved":  {"Resolved since (the versions match now): %s", "解消済み (現在はバージョンが一致): %s"},
	"expl.versions":  {"Versions: host %s; guest %s", "バージョン: ホスト %s、ゲスト %s"},
	"expl.package":   {" (package %s)", " (パッケージ %s)"},
	"expl.log":       {"Log read: %s on %s, %s – %s (%s records)", "読み込んだログ: %s (%s)、%s – %s (%s 件)"},
	"expl.log.empty": {"Log read: %s on %s: empty (0 records), so it holds no event for this VM", "読み込んだログ: %s (%s): 空 (0 件)。この VM のイベントはありません"},
	"expl.refresh": {"Guest KVP last refreshed: %s (the Auto key's last write: about the guest's last start, not its last IC change)",
		"ゲストの KVP 最終更新: %s (Auto キーの最終書き込み日時。ゲストの最終起動のころを示し、IC の最終変更日時ではありません)"},
	"expl.missing":      {"Not available: %s", "不足: %s"},
	"expl.note":         {"Note: %s", "注記: %s"},
	"cmp.equal":         {"equal", "バージョンは一致しています"},
	"cmp.guest-older":   {"the guest's are older", "ゲストの方が古いバージョンです"},
	"cmp.guest-newer":   {"the guest's are newer than the host offers", "ゲストの方がホストの提供版より新しいバージョンです"},
	"timeline.refresh":  {"guest KVP last refreshed", "ゲストの KVP 最終更新"},
	"expl.sep":          {", ", "、"},
	"expl.sep2":         {"; ", "。"},
	"expl.on":           {"on %s", "(%s)"},
	"expl.ambiguous":    {"its fields may be shifted (%s)", "フィールドの位置がずれている可能性があります (%s)"},
	"expl.linux":        {"the guest runs Linux", "ゲストは Linux"},
	"expl.not-recorded": {"not recorded (2016+ host)", "記録なし (2016 以降のホスト)"},

	"basis.comparison-equal":       {"the two versions are equal", "2 つのバージョンが一致"},
	"basis.comparison-guest-newer": {"newer than the host offers", "ホストの提供版より新しい"},
	"basis.comparison-guest-older": {"older than the host offers", "ホストの提供版より古い"},
	"basis.no-event-in-log-read":   {"the host log read holds no event 4000 for this VM", "読み込んだホストのログにこの VM のイベント 4000 はありません"},
	"basis.integration-log-not-read": {"the host's Integration-Admin log was not collected, so case 2 or 3 cannot be told",
		"ホストの Integration-Admin ログが採取されていないため、ケース 2 か 3 かを判断できません"},
	"basis.integration-log-damaged": {"the host's Integration-Admin log read is damaged where this VM's events would be",
		"読み込んだホストの Integration-Admin ログは、この VM のイベントがあるはずの箇所が破損しています"},
	"basis.host-records-no-version": {"the host (2016 or later) records no offered version", "ホスト (2016 以降) は提供バージョンを記録しません"},
	"basis.hint":                    {"named as Linux by the caller (-linux)", "呼び出し時に Linux と指定 (-linux)"},
	"basis.guest-os":                {"from the guest's OS name", "ゲスト OS 名から"},

	"note.data-exchange-disabled": {"the guest's Data Exchange service is disabled: Windows Update cannot update its integration services, so the remediation is the %s",
		"ゲストのデータ交換サービスが無効なため、Windows Update で統合サービスを更新できません。対処は %s です"},
	"note.data-exchange-disabled-host": {"the host lists Data Exchange (Key-Value Pair Exchange) as disabled for this VM: Windows Update cannot update its integration services, so the remediation is the %s",
		"ホストではこの VM のデータ交換 (Key-Value Pair Exchange) が無効になっているため、Windows Update で統合サービスを更新できません。対処は %s です"},
	"note.package-guessed": {"the guest OS is unknown; the guest's version equals the host's %s package, taken as its package",
		"ゲスト OS が不明です。ゲストのバージョンがホストの %s パッケージと一致するため、そのパッケージとして扱いました"},
	"note.package-ambiguous": {"the guest OS is unknown and the host's packages differ (%s): which one applies cannot be told",
		"ゲスト OS が不明で、ホストのパッケージが異なります (%s)。どちらが該当するか判断できません"},
	"note.guest-version-short": {"the guest's IntegrationServicesVersion %q has fewer than four parts: it is not a version",
		"ゲストの IntegrationServicesVersion %q は 4 つの部分からなっていないため、バージョンとして扱えません"},
	"note.host-version-short": {"the host's package version %q has fewer than four parts: it is not a version",
		"ホストのパッケージ バージョン %q は 4 つの部分からなっていないため、バージョンとして扱えません"},
	"note.other-host-events": {"%s mismatch events logged on other hosts were not used (the VM's current host decides)",
		"他のホストで記録された不一致イベント %s 件は使用していません (VM の現在のホストで判定)"},
	"note.linux-hint":      {"%s: a sign that the guest is not Windows (KB2956569)", "%s: ゲストが Windows ではない兆候です (KB2956569)"},
	"note.ambiguous-event": {"the decisive event's fields may be shifted: %s", "決め手のイベントのフィールドの位置がずれている可能性があります: %s"},
	"note.host-2016-events": {"decided from events on a 2016 or later host, whose event providers are not verified",
		"2016 以降のホストのイベントから判定しました (そのイベントのプロバイダーは未確認です)"},
	"note.integration-log-damaged": {"the host's Integration-Admin or Worker-Admin log read lost records, so it cannot prove that no event 4000 was logged (its period is marked damaged)",
		"読み込んだホストの Integration-Admin / Worker-Admin ログはレコードが失われているため、イベント 4000 がないことを証明できません (期間に破損ありと表示)"},
	"note.service-off-by-default": {"the host lists %s as disabled for this VM, its default (information only)",
		"ホストではこの VM の %s が無効になっています (既定の設定です。情報のみ)"},
	"note.service-disabled": {"the host lists %s as disabled for this VM", "ホストではこの VM の %s が無効になっています"},
	"note.service-no-contact": {"the host has no contact with %s in the guest (integration services missing or not running, or the VM off)",
		"ホストはゲストの %s と通信できていません (統合サービスが未インストールか停止中、または VM が停止中)"},
	"note.service-status-disagrees": {"the host reports a protocol version mismatch for %s, although the versions match",
		"バージョンは一致していますが、ホストは %s のプロトコル バージョンの不一致を報告しています"},
	"note.service-protocol-mismatch": {"the host reports a protocol version mismatch for %s: a sign that the guest's integration services do not match the host's",
		"ホストは %s のプロトコル バージョンの不一致を報告しています。ゲストの統合サービスがホストと一致していない兆候です"},
	"missing.vm-id": {"the VM ID is unknown", "VM ID が不明"},

	"code.unsafe-path":          {"path escapes the archive", "アーカイブ外を指すパス"},
	"code.compression-bomb":     {"compression bomb", "圧縮爆弾"},
	"code.overlapping-entry":    {"archive entry overlaps another", "ほかのエントリーと重なるアーカイブ エントリー"},
	"code.damaged-archive":      {"archive damaged", "アーカイブの破損"},
	"code.outside-input":        {"link outside the input", "入力の外を指すリンク"},
	"code.limit":                {"limit reached", "上限に到達"},
	"code.nesting-depth":        {"archives nested too deep", "アーカイブの入れ子が深すぎる"},
	"code.too-large":            {"file too large", "ファイルが大きすぎる"},
	"code.unreadable":           {"unreadable", "読み取れない"},
	"code.evtx":                 {"event log damaged", "イベント ログの破損"},
	"code.evtx-unreadable":      {"event log unreadable", "イベント ログを読み取れない"},
	"code.hive-damage":          {"hive damaged", "ハイブの破損"},
	"code.hive-unreadable":      {"hive unreadable", "ハイブを読み取れない"},
	"code.hive-stale":           {"hive may be stale", "ハイブの内容が古い可能性"},
	"code.log-refused":          {"transaction log refused", "トランザクション ログを不採用"},
	"code.log-unreadable":       {"transaction log unreadable", "トランザクション ログを読み取れない"},
	"code.registry-problem":     {"registry data problem", "レジストリ データの問題"},
	"code.export-unreadable":    {"export unreadable", "エクスポートを読み取れない"},
	"code.host-unnamed":         {"host name unknown", "ホスト名が不明"},
	"code.host-guessed":         {"host name inferred", "ホスト名を推定"},
	"code.events-limit":         {"event limit reached", "イベント数の上限に到達"},
	"code.log-unattributed":     {"log of no known host", "どのホストのログか不明"},
	"code.ic-version-malformed": {"malformed IC version", "IC バージョンの形式が不正"},
	"code.more-problems":        {"more problems", "ほかの問題"},
	"code.form-problem":         {"row not read", "読み取れない行"},
	"code.vm-guessed":           {"VM guessed", "VM を推定"},
	"code.guest-unattributed":   {"guest unattributed", "帰属先不明のゲスト"},
	"code.internal":             {"internal error", "内部エラー"},

	"sev.info":                   {"info", "情報"},
	"sev.warning":                {"warning", "警告"},
	"sev.error":                  {"error", "エラー"},
	"sev.guess":                  {"guess", "推定"},
	"nohyperv.title":             {"No Hyper-V integration services evidence: no VM could be assessed", "Hyper-V 統合サービスの証拠がありません。評価できる仮想マシンはありません"},
	"nohyperv.hints":             {"Traces of Hyper-V seen", "確認された Hyper-V の痕跡"},
	"nohyperv.notrace":           {"no trace of Hyper-V was seen", "Hyper-V の痕跡は見つかりませんでした"},
	"nohyperv.collect":           {"What to collect", "収集するもの"},
	"hint.guest-drivers-log":     {"a Hyper-V Guest-Drivers log: the collection comes from a guest", "Hyper-V Guest-Drivers ログ: ゲストから収集されたものです"},
	"hint.guest-driver-events":   {"Hyper-V guest driver events (netvsc, storvsc, vmbus) in a log: the collection comes from a guest", "Hyper-V ゲスト ドライバー (netvsc、storvsc、vmbus) のイベントを含むログ: ゲストから収集されたものです"},
	"hint.hyper-v-log":           {"a Hyper-V log with no IC events", "統合サービスのイベントがない Hyper-V ログ"},
	"hint.host-hive-without-vms": {"a Hyper-V host's SOFTWARE hive, with no VM known", "仮想マシンが見つからない Hyper-V ホストの SOFTWARE ハイブ"},
	"side.host":                  {"on the host", "ホスト側"},
	"side.guest":                 {"in the guest", "ゲスト側"},
	"sev.unknown":                {"unknown", "不明"},
}

// tr returns the text of key in lang, the key itself when there is none.
func tr(lang, key string) string {
	m, ok := msg[key]
	if !ok {
		return key
	}
	if lang == "ja" {
		return m[1]
	}
	return m[0]
}

func caseLabel(lang string, c kb.Case) string {
	if c == 0 {
		return tr(lang, "unknown")
	}
	return tr(lang, "case."+c.String())
}

func actionLabel(lang string, a kb.Action) string {
	if a == 0 {
		return tr(lang, "unknown")
	}
	return tr(lang, "action."+a.String())
}

func severityLabel(lang string, s kb.Severity) string {
	if s == 0 {
		return tr(lang, "unknown")
	}
	return tr(lang, "severity."+s.String())
}

func missingLabel(lang string, m kb.Missing) string { return tr(lang, "missing."+m.String()) }

// codeLabel is a problem code in words; evtx-* codes share one label.
func codeLabel(lang, code string) string {
	if _, ok := msg["code."+code]; ok {
		return tr(lang, "code."+code)
	}
	if strings.HasPrefix(code, "evtx-") {
		return tr(lang, "code.evtx")
	}
	return code
}
