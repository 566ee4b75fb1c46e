package i18n

// The sentences the handlers write as form errors and flashes, keyed by
// their English text.
var _ = registerSentences(map[string]string{
	"Enter a valid email address.": "请输入有效的电子邮件地址。",
})
