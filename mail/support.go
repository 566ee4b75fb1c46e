package mail

import "strconv"

// The support mails (issue 21): staff hear of a new request or a
// customer's reply; the customer user who asked hears of every status
// change and answer. key makes each one mail per event.

// SupportNew tells staff a customer asked for something.
func SupportNew(to []string, customer, summary, link, key string) Message {
	m := content{Title: "New request from " + customer,
		Paras: []string{summary},
		Link:  link, LinkText: "Open the request",
	}.message("support", "", "["+customer+"] "+summary, key)
	m.To = to
	return m
}

// SupportCustomerReply tells staff the customer answered request id.
func SupportCustomerReply(to []string, customer string, id int64, subject, body, link, key string) Message {
	m := content{Title: customer + " replied to request #" + strconv.FormatInt(id, 10),
		Paras: []string{subject, body},
		Link:  link, LinkText: "Open the request",
	}.message("support", "", "["+customer+"] Re: "+subject, key)
	m.To = to
	return m
}

// SupportUpdate tells the customer user who asked that their request
// changed: a new status (with the reason of a rejection) or a reply.
func SupportUpdate(to string, id int64, subject, what, link, key string) Message {
	return content{Title: "Your request #" + strconv.FormatInt(id, 10) + ": " + subject,
		Paras: []string{what},
		Link:  link, LinkText: "See your request",
	}.message("support", to, "Re: "+subject, key)
}
