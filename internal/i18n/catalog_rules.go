package i18n

// The messages the rules and the commerce use cases build with values for
// the pages: terms and billing cycles, the next term and its changes, the
// plans of scheduled changes and upgrades.
var _ = register(Msgs{
	"r.term.p1m":          {"1 month", "1 个月"},
	"r.term.p1y":          {"1 year", "1 年"},
	"r.term.p3y":          {"3 years", "3 年"},
	"r.cycle.monthly":     {"monthly", "按月"},
	"r.cycle.annual":      {"annual", "按年"},
	"r.cycle.triennial":   {"every 3 years", "每 3 年"},
	"r.cycle.none":        {"none", "无"},
	"r.change_product":    {"product %s → %s", "产品 %s → %s"},
	"r.change_quantity":   {"quantity %s → %s", "数量 %s → %s"},
	"r.change_term":       {"term %s → %s", "期限 %s → %s"},
	"r.change_cycle":      {"billing plan %s → %s", "计费方案 %s → %s"},
	"r.change_term_end":   {"term ends on %s", "期限于 %s 结束"},
	"r.next_term_summary": {"%s of %s, %s, billed %s", "%[2]s %[1]s，%[3]s，%[4]s计费"},

	"r.title_next_term":        {"Schedule a change for the next term", "为下一期限安排更改"},
	"r.title_next_term_clear":  {"Remove the scheduled change", "删除已安排的更改"},
	"r.title_upgrade":          {"Upgrade to %s", "升级到 %s"},
	"r.effect_next_term":       {"At the renewal the subscription renews as %s (%s). Nothing changes before then; any mid-term change (seats, suspension, an upgrade, auto-renew off) deletes this scheduled change.", "续订时，订阅将按 %s 续订（%s）。在此之前不会有任何变化；任何期中更改（席位、暂停、升级、关闭自动续订）都会删除此已安排的更改。"},
	"r.effect_next_term_on":    {"At the renewal on %s the subscription renews as %s (%s). Nothing changes before then; any mid-term change (seats, suspension, an upgrade, auto-renew off) deletes this scheduled change.", "在 %s 续订时，订阅将按 %s 续订（%s）。在此之前不会有任何变化；任何期中更改（席位、暂停、升级、关闭自动续订）都会删除此已安排的更改。"},
	"r.effect_next_term_clear": {"The subscription renews as it is now (%s) instead of %s.", "订阅将按当前状态（%s）续订，而不是按 %s 续订。"},
	"r.upgrade_whole":          {"The whole subscription becomes %s (same subscription id).", "整个订阅变为 %s（订阅 ID 不变）。"},
	"r.upgrade_part":           {"%s move to a new %s subscription; %s stay on %s.", "%s转入新的 %s 订阅；其余 %s 个仍保留在 %s。"},
	"r.upgrade_keep_licences":  {"Users keep their current licences: reassign them in the admin center.", "用户保留当前的许可证：请在管理中心重新分配。"},
	"r.upgrade_move_licences":  {"The users' licences move to the new product.", "用户的许可证将转移到新产品。"},
	"r.upgrade_effect":         {"%s %s Partner Center bills the new product from today, prorated to the term end; the upgrade finishes within minutes.", "%s%s合作伙伴中心从今天起对新产品按比例计费至期限结束；升级将在几分钟内完成。"},
	"r.scheduled_warning":      {"This deletes the change scheduled for the next term (%s): Partner Center deletes scheduled changes on any mid-term change. Schedule it again afterwards if it still applies.", "这会删除为下一期限安排的更改（%s）：任何期中更改都会使合作伙伴中心删除已安排的更改。如果仍然需要，请在之后重新安排。"},
}, nil)
