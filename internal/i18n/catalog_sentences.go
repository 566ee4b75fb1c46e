package i18n

// The sentences the handlers write as form errors and flashes, keyed by
// their English text.
var _ = registerSentences(map[string]string{
	"Enter a valid email address.": "请输入有效的电子邮件地址。",

	// web/handlers/alerts.go
	"Some rules need fixing; see the messages below.":                "部分规则需要修改，请查看下方的提示。",
	"Alert rules saved.":                                             "提醒规则已保存。",
	"Nobody would receive it: mail staff or enter an address.":       "没有人会收到此提醒：请选择发送给员工，或输入一个地址。",
	"Enter at least one number of days, e.g. 7.":                     "请至少输入一个天数，例如 7。",
	"Choose an event.":                                               "请选择一个事件。",
	"Enter the customer's name or domain.":                           "请输入客户的名称或域名。",
	"No customer has that name or domain.":                           "没有客户使用该名称或域名。",
	"Several customers match; enter more of the name or the domain.": "有多个客户匹配，请输入更完整的名称或域名。",
	"That customer's events are no longer mailed.":                   "该客户的事件将不再通过邮件发送。",
	"That customer's events are mailed again.":                       "该客户的事件将重新通过邮件发送。",

	// web/handlers/api_tokens.go
	"The token is revoked: tools using it get 401 from now on.": "令牌已吊销：使用它的工具从现在起将收到 401。",

	// web/handlers/audit_page.go
	"Enter a date as YYYY-MM-DD.":                            "请按 YYYY-MM-DD 格式输入日期。",
	"The filters are not valid: fix them on the audit page.": "筛选条件无效：请在审核页面上修正。",

	// web/handlers/auth.go
	"Email or password is incorrect.":                                   "电子邮件或密码不正确。",
	"You have been signed out.":                                         "您已退出登录。",
	"The form could not be read.":                                       "无法读取表单。",
	"Enter your email address.":                                         "请输入您的电子邮件地址。",
	"Enter your password.":                                              "请输入您的密码。",
	"The portal is busy signing people in. Try again in a few seconds.": "门户正忙于处理登录。请几秒钟后重试。",
	"The sign-in could not be verified. Try again; if it keeps failing, ask your administrator.":                                      "无法验证此次登录。请重试；如果仍然失败，请联系您的管理员。",
	"This email belongs to an account linked to another sign-in identity.":                                                            "此电子邮件所属的账户已关联到另一个登录身份。",
	"Your sign-in provider did not confirm this email address, so it cannot be linked to the portal account. Ask your administrator.": "您的登录提供方未确认此电子邮件地址，因此无法将其关联到门户账户。请联系您的管理员。",
	"An account with this email already exists. Ask your administrator to link it.":                                                   "已存在使用此电子邮件的账户。请让您的管理员进行关联。",
	"This account is disabled.": "此账户已被禁用。",

	// web/handlers/billing.go
	"The invoices are being imported; progress appears below.":     "正在导入发票；进度显示在下方。",
	"The invoice is being imported again.":                         "正在重新导入该发票。",
	"The customer's cost, sale and margin of each invoiced month.": "客户每个已开票月份的成本、销售额和利润。",
	"Azure usage of each day of the month.":                        "该月每天的 Azure 使用量。",

	// web/handlers/calendar.go
	"After this moment these seats are billed to the end of the term (the 7-day window of a new-commerce purchase, renewal or seat increase).": "此时间之后，这些席位将计费至期限结束（新式商务购买、续订或席位增加后的 7 天窗口期）。",

	// web/handlers/cart.go
	"Line removed.": "已删除该行。",

	// web/handlers/catalog.go
	"The catalog has not been synced yet: run a catalog sync from the Sync page.": "产品目录尚未同步：请在“同步”页面运行产品目录同步。",

	// web/handlers/charges.go
	"What you were billed each month.": "您每月的账单金额。",

	// web/handlers/customer_users.go
	"Access revoked.": "已撤销访问权限。",
	"This tenant is already bound to another customer.":              "此租户已绑定到另一个客户。",
	"Sign-in with Microsoft is off for this customer.":               "已为此客户关闭“使用 Microsoft 登录”。",
	"Users of the customer's tenant can now sign in with Microsoft.": "该客户租户中的用户现在可以使用 Microsoft 登录。",

	// web/handlers/dashboard.go
	"That item was already dismissed or resolved.":      "该事项已被忽略或已解决。",
	"Dismissed. It comes back if its deadline changes.": "已忽略。如果其截止日期发生变化，它会重新出现。",

	// web/handlers/errors.go
	"The portal cannot reach its database; retrying. Try again in a few seconds.":                                      "门户无法连接其数据库，正在重试。请几秒钟后再试。",
	"The portal could not complete this request. If it keeps happening, give your administrator the request id below.": "门户无法完成此请求。如果问题持续出现，请将下方的请求 ID 提供给您的管理员。",
	"There is nothing at this address.":                                     "此地址下没有任何内容。",
	"Your account is not allowed to open this page.":                        "您的账户无权打开此页面。",
	"Someone changed this at the same time. Reload the page and try again.": "有人同时修改了此内容。请重新加载页面后重试。",
	"This address does not accept that kind of request.":                    "此地址不接受此类请求。",

	// web/handlers/forms.go
	"Choose the global Partner Center or the one operated by 21Vianet.":              "请选择全球版合作伙伴中心，或由世纪互联运营的合作伙伴中心。",
	"Enter the partner tenant id, a GUID like 6e1b3f5a-0000-4000-8000-00000000cafe.": "请输入合作伙伴租户 ID，即类似 6e1b3f5a-0000-4000-8000-00000000cafe 的 GUID。",
	"Enter the app (client) id, a GUID.":                                             "请输入应用（客户端）ID，即一个 GUID。",
	"Enter the client secret.":                                                       "请输入客户端密码。",
	"Each tenant must be a GUID; separate them with commas.":                         "每个租户都必须是 GUID；多个租户请用逗号分隔。",
	"Enter the client id registered with the provider.":                              "请输入在提供方注册的客户端 ID。",
	"Choose direct-bill partner or indirect provider.":                               "请选择直接计费合作伙伴或间接提供商。",
	"Enter a two-letter country code, e.g. US.":                                      "请输入两个字母的国家/地区代码，例如 US。",
	"Enter a three-letter currency code, e.g. USD.":                                  "请输入三个字母的货币代码，例如 USD。",
	"Enter a language code, e.g. en or en-US.":                                       "请输入语言代码，例如 en 或 en-US。",
	"Enter a URL.": "请输入 URL。",
	"Enter a full URL starting with https://.": "请输入以 https:// 开头的完整 URL。",

	// web/handlers/input.go
	"The request contains characters the portal cannot accept (a NUL byte or invalid UTF-8). Remove them and try again.": "请求中包含门户无法接受的字符（NUL 字节或无效的 UTF-8）。请删除这些字符后重试。",
	"The request is too large for the portal to accept.":                                                                 "请求过大，门户无法接受。",
	"The address's query string could not be read.":                                                                      "无法读取地址中的查询字符串。",

	// web/handlers/invitations.go
	"This invitation link is not valid: it was already used, revoked, or it expired. Ask your reseller for a new one.": "此邀请链接无效：它已被使用、已被撤销或已过期。请向您的经销商索取新的链接。",
	"Enter an email address such as name@example.com.":                                                                 "请输入电子邮件地址，例如 name@example.com。",
	"An account with this email already exists.":                                                                       "已存在使用此电子邮件的账户。",
	"Invitation revoked.":                                         "邀请已撤销。",
	"The two passwords do not match.":                             "两次输入的密码不一致。",
	"An account with this email already exists. Sign in instead.": "已存在使用此电子邮件的账户。请直接登录。",

	// web/handlers/language.go
	"Unknown language.": "未知的语言。",

	// web/handlers/lifecycle.go
	"Legacy subscriptions take no scheduled changes: change them now instead.":                                      "旧版订阅不支持计划更改：请改为立即更改。",
	"Changes can be scheduled while the subscription is active.":                                                    "只有在订阅处于活动状态时才能计划更改。",
	"Scheduled changes apply at renewal: turn auto-renew on to schedule one.":                                       "计划的更改在续订时生效：请先开启自动续订，再计划更改。",
	"Usage-based subscriptions do not renew.":                                                                       "按使用量计费的订阅不会续订。",
	"No seats can be removed now: every purchase, renewal and seat increase of this term is past its 7-day window.": "现在无法减少席位：本期限内的每次购买、续订和席位增加都已超过其 7 天窗口期。",
	"Partner Center is not connected: an admin sets the connection up in the settings.":                             "合作伙伴中心未连接：需由管理员在设置中配置连接。",
	"This needs a partner admin's sign-in: an admin reconnects Partner Center in the settings.":                     "此操作需要合作伙伴管理员登录：请由管理员在设置中重新连接合作伙伴中心。",
	"Partner Center does not know this subscription (any more): the next sync updates the portal.":                  "合作伙伴中心中没有（或不再有）此订阅：下次同步时会更新门户。",
	"Scheduled changes apply at renewal: the subscription must be active with auto-renew on.":                       "计划的更改在续订时生效：订阅必须处于活动状态并已开启自动续订。",

	// web/handlers/onboarding.go
	"Too many checks in a minute: availability is checked again when you continue and when the customer is created.":             "一分钟内检查次数过多：继续操作和创建客户时会再次检查可用性。",
	"Availability cannot be checked: the Partner Center connection is not set up.":                                               "无法检查可用性：尚未设置合作伙伴中心连接。",
	"The form expired. Check the details and create again.":                                                                      "表单已过期。请检查详细信息后重新创建。",
	"Partner Center does not list this reseller (any more). Choose another, or none.":                                            "合作伙伴中心中没有（或不再有）此经销商。请选择其他经销商，或不选择。",
	"The Partner Center connection is not set up: an admin completes it under Settings.":                                         "尚未设置合作伙伴中心连接：需由管理员在“设置”中完成。",
	"The customer exists, but the agreement was not recorded. Retry from the customer's page once a partner admin is connected.": "客户已创建，但协议未被记录。连接合作伙伴管理员后，请在客户页面重试。",
	"The agreement is being sent to Partner Center again.":                                                                       "正在重新将协议发送到合作伙伴中心。",
	"This customer was not onboarded through the portal: record the agreement in Partner Center.":                                "此客户不是通过门户加入的：请在合作伙伴中心记录协议。",
	"The agreement is already on its way to Partner Center.":                                                                     "协议已在发送到合作伙伴中心的途中。",
	"Partner Center recorded the agreement.":                                                                                     "合作伙伴中心已记录协议。",

	// web/handlers/onboarding_form.go
	"Enter an email address.":                                                     "请输入电子邮件地址。",
	"Enter an email address like name@example.com.":                               "请输入类似 name@example.com 的电子邮件地址。",
	"Enter a phone number.":                                                       "请输入电话号码。",
	"Enter a phone number with digits, spaces and an optional leading +.":         "请输入由数字和空格组成的电话号码，开头可以带 +。",
	"Choose a reseller from the list.":                                            "请从列表中选择一个经销商。",
	"Enter the company's legal name.":                                             "请输入公司的法定名称。",
	"Enter the billing contact's first name.":                                     "请输入账单联系人的名字。",
	"Enter the billing contact's last name.":                                      "请输入账单联系人的姓氏。",
	"Enter the street address.":                                                   "请输入街道地址。",
	"Enter the city.":                                                             "请输入城市。",
	"Enter the postal code.":                                                      "请输入邮政编码。",
	"Choose the customer's country from the list.":                                "请从列表中选择客户所在的国家/地区。",
	"Enter a culture like en-US.":                                                 "请输入区域性，例如 en-US。",
	"Enter a two-letter language code, e.g. en.":                                  "请输入两个字母的语言代码，例如 en。",
	"Use letters, digits and hyphens (4 to 32).":                                  "请使用字母、数字和连字符（4 到 32 个字符）。",
	"Enter the first name of the person who accepted.":                            "请输入接受协议者的名字。",
	"Enter the last name of the person who accepted.":                             "请输入接受协议者的姓氏。",
	"Enter the date the customer accepted.":                                       "请输入客户接受协议的日期。",
	"Enter a date like 2026-01-31.":                                               "请输入类似 2026-01-31 的日期。",
	"The date cannot be in the future.":                                           "日期不能是将来的日期。",
	"The date must be within the last year.":                                      "日期必须在过去一年之内。",
	"Enter a domain prefix.":                                                      "请输入域名前缀。",
	"Use 2 to 27 characters.":                                                     "请使用 2 到 27 个字符。",
	"Use only lowercase letters a–z and digits 0–9 (no spaces, hyphens or dots).": "只能使用小写字母 a–z 和数字 0–9（不能包含空格、连字符或句点）。",

	// web/handlers/orders.go
	"The review form expired. Review the cart again.":                                          "核对表单已过期。请重新核对购物车。",
	"The cart is empty: add a line first.":                                                     "购物车为空：请先添加一行。",
	"Sent again with the same request id.":                                                     "已使用相同的请求 ID 重新发送。",
	"The lines not yet placed were cancelled; anything Partner Center already accepted stays.": "尚未下单的行已取消；合作伙伴中心已接受的内容保持不变。",

	// web/handlers/password.go
	"This password reset link is not valid: it was already used or it expired. Ask for a new one on the sign-in page.": "此密码重置链接无效：它已被使用或已过期。请在登录页面重新申请。",
	"Forgot your password?": "忘记密码？",
	"Your password is set.": "您的密码已设置。",

	// web/handlers/pcconnect.go
	"Save the Partner Center connection (tenant, app id and secret) before connecting a partner admin account.":                                                       "请先保存合作伙伴中心连接（租户、应用 ID 和密码），再连接合作伙伴管理员账户。",
	"This sign-in answer does not belong to a connection started in this browser session, or it took longer than 15 minutes. Start again.":                            "此登录响应不属于在此浏览器会话中发起的连接，或者耗时超过了 15 分钟。请重新开始。",
	"The sign-in page answered without an authorization code. Start again.":                                                                                           "登录页面返回的响应中没有授权码。请重新开始。",
	"The partner admin account is disconnected. Accepting the Microsoft Customer Agreement and reading license usage stop working until an admin connects one again.": "合作伙伴管理员账户已断开连接。在管理员重新连接账户之前，将无法接受 Microsoft 客户协议，也无法读取许可证使用情况。",
	"Partner Center did not answer.": "合作伙伴中心没有响应。",
	"This needs a partner admin's sign-in, and no partner admin account is connected.":                                 "此操作需要合作伙伴管理员登录，但尚未连接任何合作伙伴管理员账户。",
	"This needs a partner admin's sign-in, and the connected one has expired or was revoked.":                          "此操作需要合作伙伴管理员登录，但已连接账户的登录已过期或已被撤销。",
	"This needs a partner admin's sign-in with multi-factor authentication; the connected admin signed in without it.": "此操作需要合作伙伴管理员使用多重身份验证（MFA）登录；已连接的管理员登录时未使用多重身份验证。",
	"This needs a partner admin's sign-in, and Partner Center refused the connected one for this operation.":           "此操作需要合作伙伴管理员登录，但合作伙伴中心拒绝已连接的账户执行此操作。",

	// web/handlers/pctest.go
	"Connected: got an app-only token and read your customer list.": "已连接：已获取仅限应用的令牌，并读取了您的客户列表。",

	// web/handlers/prices.go
	"Enter a two-letter country code, such as US or GB, or leave it empty for every customer's country.": "请输入两个字母的国家/地区代码，例如 US 或 GB；留空则适用于所有客户所在的国家/地区。",
	"The price sheets are already being imported.":                                                       "价目表已在导入中。",
	"Several customers match: type more of the name or the domain.":                                      "有多个客户匹配：请输入更完整的名称或域名。",
	"Enter the markup, such as 15 (percent) or 2.50 (per unit).":                                         "请输入加价，例如 15（百分比）或 2.50（每单位）。",
	"The rule was not saved; see the messages below.":                                                    "规则未保存，请查看下方的提示。",
	"Markup rule saved.":   "加价规则已保存。",
	"Markup rule deleted.": "加价规则已删除。",

	// web/handlers/renewals.go
	"Enter a date (YYYY-MM-DD).":                                  "请输入日期（YYYY-MM-DD）。",
	"The end must be after the start.":                            "结束日期必须晚于开始日期。",
	"Show at most three years at a time.":                         "一次最多显示三年。",
	"Check the dates of the filter.":                              "请检查筛选条件中的日期。",
	"The customer's view no longer shows next-term prices.":       "客户视图不再显示下一期限的价格。",
	"The customer's view now shows next-term prices.":             "客户视图现在会显示下一期限的价格。",
	"You have no calendar feed.":                                  "您没有日历订阅源。",
	"Your calendar feed is revoked: its address no longer works.": "您的日历订阅源已撤销：其地址不再可用。",

	// web/handlers/seat_policy.go
	"The customer's own policy was removed.": "已删除该客户的专属策略。",
	"Unknown form.":                          "未知的表单。",
	"Choose a customer.":                     "请选择一个客户。",
	"Auto-approval policy saved.":            "自动批准策略已保存。",

	// web/handlers/settings.go
	"Partner Center connection saved.": "合作伙伴中心连接已保存。",
	"Sign-in settings saved.":          "登录设置已保存。",
	"Defaults saved.":                  "默认值已保存。",

	// web/handlers/settings_mail.go
	"Enter the server's host name, e.g. smtp.office365.com.":           "请输入服务器的主机名，例如 smtp.office365.com。",
	"Enter a port from 1 to 65535.":                                    "请输入 1 到 65535 之间的端口。",
	"Choose how the connection is encrypted.":                          "请选择连接的加密方式。",
	"Enter the address mails come from, e.g. portal@reseller.example.": "请输入发件地址，例如 portal@reseller.example。",
	"Email settings saved.":                                            "电子邮件设置已保存。",

	// web/handlers/setup.go
	"This setup token is not valid. Copy it again from the server log (restarting the portal prints a new one).": "此设置令牌无效。请从服务器日志中重新复制（重启门户会打印新的令牌）。",
	"Enter a valid email address, like admin@example.com.":                                                       "请输入有效的电子邮件地址，例如 admin@example.com。",
	"Enter your name as it should appear in the portal.":                                                         "请输入您在门户中显示的姓名。",
	"Setup is complete. The initial import has started; its progress is shown below.":                            "设置已完成。首次导入已开始，进度显示在下方。",

	// web/handlers/subscriptions.go
	"The form expired. Check the values and try again.": "表单已过期。请检查各项值后重试。",
	"This form belongs to another subscription.":        "此表单属于另一个订阅。",
	"This subscription changed since you opened the page (another user, a sync, or a change still on its way to Partner Center). Nothing was sent. The current values are shown below: check them and make your change again.": "自您打开此页面以来，此订阅已发生变化（其他用户、同步，或仍在提交到合作伙伴中心途中的更改）。未发送任何内容。当前值显示在下方：请检查后重新进行更改。",

	// web/handlers/support.go
	"Your request was sent to your reseller.":                                                "您的请求已发送给您的经销商。",
	"Your request was approved under your reseller's policy and is on its way to Microsoft.": "您的请求已按照经销商的策略获得批准，正在提交给 Microsoft。",
	"Partner Center did not accept the change yet; your reseller is looking at it.":          "合作伙伴中心尚未接受此更改；您的经销商正在处理。",
	"Unknown status.":        "未知的状态。",
	"Choose a staff member.": "请选择一名员工。",
	"The form expired. Check the change and approve it again.": "表单已过期。请检查更改后重新批准。",
	"The subscription changed since you opened this page (another user, a sync, or a change still on its way). Nothing was sent. Check the change below and approve it again.": "自您打开此页面以来，订阅已发生变化（其他用户、同步，或仍在提交途中的更改）。未发送任何内容。请检查下方的更改后重新批准。",
	"Approved: the seat change is on its way to Partner Center.": "已批准：席位更改正在提交到合作伙伴中心。",

	// web/handlers/support_profile.go
	"Support profile sent to Partner Center.": "支持资料已发送到合作伙伴中心。",

	// web/handlers/users.go
	"Enter the person's name.":                     "请输入此人的姓名。",
	"Choose staff or admin.":                       "请选择员工或管理员。",
	"There is already an account with this email.": "已有账户使用此电子邮件。",
	"You cannot disable your own account.":         "您不能禁用自己的账户。",

	// rules/apitokens.go
	"Name the token after the tool that uses it.": "请以使用此令牌的工具为其命名。",
	"Keep the name to 100 characters.":            "名称不能超过 100 个字符。",
	"Choose read, or read and write.":             "请选择只读或读写。",

	// rules/cart.go
	"Enter a whole number.":                                      "请输入整数。",
	"That subscription does not belong to this customer.":        "该订阅不属于此客户。",
	"That line is not in your cart for this customer.":           "该行不在您为此客户准备的购物车中。",
	"An add-on cannot be the base of another add-on.":            "附加产品不能作为另一个附加产品的基础。",
	"Choose the subscription or cart line the add-on goes with.": "请选择此附加产品所属的订阅或购物车行。",
	"The quantity must be at least 1.":                           "数量必须至少为 1。",

	// rules/escalation.go
	"This ticket was escalated to Microsoft already.":                                      "此工单已上报给 Microsoft。",
	"Only tickets are escalated to Microsoft; decide a seat request here.":                 "只有工单会上报给 Microsoft；席位请求请在此处决定。",
	"Choose the topic Microsoft files the request under.":                                  "请选择 Microsoft 归档此请求所用的主题。",
	"Choose critical, moderate or minimal.":                                                "请选择严重、中等或轻微。",
	"Keep the note for Microsoft under 2,000 characters.":                                  "给 Microsoft 的备注不得超过 2,000 个字符。",
	"Give customers at least one way to reach you: an email, a phone number or a website.": "请至少为客户提供一种联系您的方式：电子邮件、电话号码或网站。",
	"Enter an email address such as support@example.com.":                                  "请输入电子邮件地址，例如 support@example.com。",
	"Enter a phone number: digits, with + - ( ) . or spaces.":                              "请输入电话号码：由数字组成，可包含 + - ( ) . 或空格。",
	"Enter a web address such as support.example.com.":                                     "请输入网址，例如 support.example.com。",
	"Keep each value under 200 characters.":                                                "每个值不得超过 200 个字符。",
	"Keep the status, close the request or reopen it.":                                     "请保持当前状态、关闭请求或重新打开请求。",
	"Write a note for Microsoft or change the status.":                                     "请为 Microsoft 填写备注或更改状态。",
	"Keep the note under 2,000 characters.":                                                "备注不得超过 2,000 个字符。",

	// rules/lifecycle.go
	"The customer's users lose access to this subscription's services until it is reactivated.": "在订阅重新激活之前，客户的用户将无法访问此订阅的服务。",

	// rules/markup.go
	"A negative markup sells below cost: tick “Allow a sale price below cost” to save it.": "负加价会导致低于成本销售：请勾选“允许售价低于成本”后再保存。",
	"A negative amount sells below cost: tick “Allow a sale price below cost” to save it.": "负金额会导致低于成本销售：请勾选“允许售价低于成本”后再保存。",
	"Choose a percentage or a fixed amount.":                                               "请选择百分比或固定金额。",
	"Use at most four decimal places.":                                                     "最多使用四位小数。",
	"Choose how the sale price is rounded.":                                                "请选择售价的舍入方式。",
	"A SKU rule needs its product id too.":                                                 "SKU 规则还需要填写其产品 ID。",
	"A rule is for a family or for a product, not both.":                                   "一条规则只能针对产品系列或单个产品，不能同时针对两者。",

	// rules/nextterm.go
	"Only new-commerce subscriptions take scheduled changes; change a legacy subscription now instead.": "只有新式商务订阅支持计划更改；旧版订阅请改为立即更改。",
	"Scheduled changes apply at renewal: turn auto-renew on first.":                                     "计划的更改在续订时生效：请先开启自动续订。",
	"Choose a product this subscription can renew into.":                                                "请选择此订阅可以续订为的产品。",
	"Enter a whole number of seats.":                                                                    "请输入整数形式的席位数。",
	"That is how the subscription renews already: change the quantity, term, billing plan or product.":  "订阅本来就会按此方式续订：请更改数量、期限、计费计划或产品。",
	"Choose whether the users' licences move with the seats.":                                           "请选择用户的许可证是否随席位一起转移。",
	"Choose one of the upgrades Partner Center offers for this subscription.":                           "请选择合作伙伴中心为此订阅提供的升级之一。",
	"Delegated admin access to the customer's tenant is off; an upgrade needs it.":                      "对客户租户的委派管理员访问权限已关闭；升级需要此权限。",
	"Only an active subscription can be upgraded.":                                                      "只有处于活动状态的订阅才能升级。",
	"The customer has another active subscription of this product, so the users' licences cannot move automatically: upgrade without moving licences and reassign them in the admin center.": "客户还有此产品的另一个活动订阅，因此用户的许可证无法自动转移：请在不转移许可证的情况下升级，然后在管理中心重新分配许可证。",
	"Another upgrade of this subscription is still running: wait until it has finished.":                                                                                                     "此订阅的另一项升级仍在进行中：请等待其完成。",
	"This upgrade needs a partner admin's sign-in.":                                                                                               "此升级需要合作伙伴管理员登录。",
	"The subscription has add-ons that block this upgrade: remove or move them first.":                                                            "此订阅的附加产品阻止了本次升级：请先删除或转移这些附加产品。",
	"Microsoft offers no upgrade from this product.":                                                                                              "Microsoft 不提供此产品的升级。",
	"That product is not one of this subscription's upgrade paths.":                                                                               "该产品不在此订阅的升级路径中。",
	"The subscription is still being provisioned: try again once it is active.":                                                                   "订阅仍在预配中：请在其变为活动状态后重试。",
	"The target product is not sold on this subscription's term and billing plan: pick a target that is, or schedule the change for the renewal.": "目标产品不以此订阅的期限和计费计划销售：请选择以此方式销售的目标产品，或将更改计划在续订时进行。",
	"Partner Center found no conversion for this subscription.":                                                                                   "合作伙伴中心未找到此订阅的可用转换。",
	"Licences assigned to users block the move: unassign them or upgrade without moving licences.":                                                "已分配给用户的许可证阻止了转移：请取消分配这些许可证，或在不转移许可证的情况下升级。",
	"Partner Center does not allow this upgrade.":                                                                                                 "合作伙伴中心不允许此升级。",

	// rules/promotions.go
	"Partner Center says this purchase is not eligible for the promotion.": "合作伙伴中心表示此次购买不符合该促销的条件。",

	// rules/seatpolicy.go
	"No auto-approval policy applies.":                                                      "没有适用的自动批准策略。",
	"Only seat increases are approved automatically.":                                       "只有席位增加会被自动批准。",
	"Set a limit per request or per month: auto-approval without any limit is not allowed.": "请设置每次请求或每月的上限：不允许无任何上限的自动批准。",
	"Microsoft is working on it.":                                                           "Microsoft 正在处理。",
	"Microsoft asked your reseller for more information.":                                   "Microsoft 已要求您的经销商提供更多信息。",
	"Microsoft closed it.":                                                                  "Microsoft 已将其关闭。",
	"Filed with Microsoft.":                                                                 "已提交给 Microsoft。",
	"Your reseller is filing it with Microsoft.":                                            "您的经销商正在将其提交给 Microsoft。",

	// rules/subscription.go
	"This subscription is billed by usage: it has no seat count.":                             "此订阅按使用量计费：没有席位数。",
	"Usage-based new-commerce subscriptions cannot be suspended (Partner Center refuses it).": "按使用量计费的新式商务订阅无法暂停（合作伙伴中心会拒绝）。",
	"Enter a name.": "请输入名称。",
	"Unassign licences in the Microsoft 365 admin center first to choose who keeps one.": "请先在 Microsoft 365 管理中心取消分配许可证，以选择由谁保留许可证。",

	// rules/support.go
	"Approve or reject a seat request with its own buttons.":               "请使用席位请求自带的按钮来批准或拒绝该请求。",
	"Only seat requests are approved or rejected; close a ticket instead.": "只有席位请求需要批准或拒绝；工单请直接关闭。",
	"Give the customer the reason (3 to 500 characters).":                  "请向客户说明原因（3 到 500 个字符）。",
	"The request is finished: open a new one to ask something else.":       "此请求已结束：如有其他问题，请新建一个请求。",
	"Write a reply.":                                                            "请填写回复。",
	"Keep the reply under 5,000 characters.":                                    "回复不得超过 5,000 个字符。",
	"Give a subject (3 to 120 characters).":                                     "请填写主题（3 到 120 个字符）。",
	"Describe what you need (10 to 5,000 characters).":                          "请描述您的需求（10 到 5,000 个字符）。",
	"Choose a severity.":                                                        "请选择严重性。",
	"Enter the number of seats you need in total (a whole number, at least 1).": "请输入您总共需要的席位数（整数，至少为 1）。",

	// commerce/cart.go
	"Promotions apply to new-commerce products only.":                                               "促销仅适用于新式商务产品。",
	"Only new-commerce terms can end early to align with other subscriptions.":                      "只有新式商务的期限可以提前结束，以便与其他订阅对齐。",
	"Partner Center's promotions could not be read just now, so none are offered.":                  "暂时无法读取合作伙伴中心的促销，因此不提供任何促销。",
	"Partner Center's custom end dates could not be read just now, so only full terms are offered.": "暂时无法读取合作伙伴中心的自定义结束日期，因此仅提供完整期限。",

	// commerce/coterm.go
	"Choose one of the listed end dates, or a full term.":          "请选择列出的结束日期之一，或完整期限。",
	"Partner Center no longer allows this end date; choose again.": "合作伙伴中心已不再允许此结束日期，请重新选择。",

	// commerce/escalate.go
	"The ticket has no service request with Microsoft yet.": "此工单尚未在 Microsoft 创建服务请求。",

	// commerce/lifecycle.go
	"Partner Center did not say this kind of upgrade is possible.": "合作伙伴中心未表明可以进行此类升级。",
	"No change is scheduled for the next term.":                    "下一期限没有计划的更改。",

	// commerce/orders.go
	"Add at least one line.": "请至少添加一行。",

	// commerce/seatpolicy.go
	"Choose one of your customers, or all customers.": "请选择您的某个客户，或所有客户。",

	// commerce/subscriptions.go
	"Give the reason for suspending (3 to 500 characters).": "请填写暂停原因（3 到 500 个字符）。",
	"The name is unchanged.":                                "名称未更改。",
	"Choose a change to make.":                              "请选择要进行的更改。",

	// commerce/support.go
	"Choose one of your subscriptions, or none.": "请选择您的某个订阅，或不选择。",

	// auth/throttle.go
	"Too many sign-in attempts. Try again in 1 second.": "登录尝试次数过多。请 1 秒后重试。",
	"Too many sign-in attempts. Try again in 1 minute.": "登录尝试次数过多。请 1 分钟后重试。",

	// prices/markup.go
	"Enter a number, such as 15 or 2.50.": "请输入数字，例如 15 或 2.50。",
	"No such customer.":                   "找不到此客户。",
	"No such reseller.":                   "找不到此经销商。",
	"Your prices":                         "您的价格",

	// prices/prices.go
	"Partner Center is not connected yet.":                       "尚未连接合作伙伴中心。",
	"Partner Center has no price change planned for next month.": "合作伙伴中心没有计划在下个月调整价格。",

	// Page titles (web/handlers: page, basePage).
	"Alerts":                               "提醒",
	"API tokens":                           "API 令牌",
	"Audit trail":                          "审核日志",
	"Sign-in refused":                      "登录被拒绝",
	"Billing":                              "账单",
	"Catalog":                              "产品目录",
	"Customers":                            "客户",
	"Accept the invitation":                "接受邀请",
	"Change the next term":                 "更改下一期限",
	"Upgrade":                              "升级",
	"Onboard a customer":                   "添加新客户",
	"Review the order":                     "核对订单",
	"Order":                                "订单",
	"Partner admin not connected":          "未连接合作伙伴管理员",
	"Disconnect the partner admin account": "断开合作伙伴管理员账户",
	"Partner Center connection":            "合作伙伴中心连接",
	"Price changes at renewal":             "续订时的价格变化",
	"Prices":                               "价格",
	"Indirect resellers":                   "间接经销商",
	"Seat request auto-approval":           "席位请求自动批准",
	"Settings":                             "设置",
	"Support requests":                     "支持请求",
	"Support profile":                      "支持资料",
	"Sync":                                 "同步",
	"Users":                                "用户",
	"Partner admin sign-in needed":         "需要合作伙伴管理员登录",
})
