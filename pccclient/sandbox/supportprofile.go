package sandbox

import (
	"net/http"
	"net/mail"
	"strings"
)

// The partner's support profile: how customers reach the partner's
// support (learn.microsoft.com/partner-center/developer/get-support-profile,
// update-support-profile). App+User only. The how-to article PUTs to
// /v1/profiles/supportprofile, the REST reference to /v1/profiles/support:
// both are served.

// Operation ids of the support profile.
const (
	OpGetSupportProfile    = "get-support-profile"
	OpUpdateSupportProfile = "update-support-profile"
)

type supportProfileWire struct {
	Email       string `json:"email"`
	Telephone   string `json:"telephone"`
	Website     string `json:"website"`
	ProfileType string `json:"profileType"`
	Links       *links `json:"links,omitempty"`
	Attributes  attrs  `json:"attributes"`
}

func defaultSupportProfile() supportProfileWire {
	return supportProfileWire{Email: "support@sandbox-partner.example", Telephone: "4255550100",
		Website: "support.sandbox-partner.example"}
}

func (s *Sandbox) supportProfileRoutes() {
	s.handle("GET /v1/profiles/support", OpGetSupportProfile, lockRead, true, s.getSupportProfile)
	s.handle("PUT /v1/profiles/support", OpUpdateSupportProfile, lockWrite, true, s.updateSupportProfile)
	s.handle("PUT /v1/profiles/supportprofile", OpUpdateSupportProfile, lockWrite, true, s.updateSupportProfile)
}

func (s *Sandbox) supportProfileLocked() supportProfileWire {
	p := defaultSupportProfile()
	if s.st.SupportProfile != nil {
		p = *s.st.SupportProfile
	}
	p.ProfileType, p.Attributes = "support_profile", attrs{ObjectType: "SupportProfile", Etag: etag("supportprofile", s.st.SupportProfileVersion)}
	p.Links = &links{Self: getLink("/profiles/support")}
	return p
}

func (s *Sandbox) getSupportProfile(*call) (int, any) { return 200, s.supportProfileLocked() }

func (s *Sandbox) updateSupportProfile(c *call) (int, any) {
	var in supportProfileWire
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	in.Email, in.Telephone, in.Website = strings.TrimSpace(in.Email), strings.TrimSpace(in.Telephone), strings.TrimSpace(in.Website)
	if in.Email == "" && in.Telephone == "" && in.Website == "" {
		return 0, errBadInput("the support profile needs an email, a telephone or a website")
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			return 0, errInvalidProperty("Email %q is not an email address", in.Email)
		}
	}
	for _, r := range in.Telephone {
		if !strings.ContainsRune("0123456789+-() .", r) {
			return 0, errInvalidProperty("Telephone %q is not a phone number", in.Telephone)
		}
	}
	if strings.ContainsAny(in.Website, " <>\"") {
		return 0, errInvalidProperty("Website %q is not a web address", in.Website)
	}
	s.st.SupportProfile = &supportProfileWire{Email: in.Email, Telephone: in.Telephone, Website: in.Website}
	s.st.SupportProfileVersion++
	return http.StatusOK, s.supportProfileLocked()
}
