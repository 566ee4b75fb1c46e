package commerce

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store/db"
)

// The partner's support profile (issue 21): how customers reach the
// partner's support, kept in Partner Center. Admins change it through the
// outbox like every write to PC (one transaction: command + outbox row +
// audit + job, then delivered at once); the mirror keeps PC's copy, which
// the customers' requests page shows.

// UpdateSupportProfilePayload replaces the support profile in PC.
type UpdateSupportProfilePayload struct {
	Profile pccclient.SupportProfile `json:"profile"`
}

// SupportProfileInput is the admins' form.
type SupportProfileInput struct {
	Email, Telephone, Website string
}

// UpdateSupportProfile sends the admins' support profile to Partner
// Center; problems come back by field ("email", "telephone", "website",
// "_form").
func (s *Service) UpdateSupportProfile(ctx context.Context, by Actor, in SupportProfileInput) (map[string]string, error) {
	if p := rules.CheckSupportProfile(in.Email, in.Telephone, in.Website); p != nil {
		return p, nil
	}
	var id int64
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = s.enqueue(ctx, tx, Command{Kind: CmdUpdateSupportProfile, TargetID: "support_profile", By: by,
			Payload: UpdateSupportProfilePayload{Profile: pccclient.SupportProfile{Email: strings.TrimSpace(in.Email),
				Telephone: strings.TrimSpace(in.Telephone), Website: strings.TrimSpace(in.Website)}}}, s.opt.InlineHold)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.deliverInline(ctx, id)
	return nil, nil
}

func (s *Service) deliverSupportProfile(ctx context.Context, pc *pccclient.Client, cmd *db.Command) error {
	var p UpdateSupportProfilePayload
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
	}
	out, err := pc.UpdateSupportProfile(ctx, cmd.MsRequestID.String(), p.Profile)
	if err != nil {
		return err
	}
	return s.finishCommand(ctx, cmd, CommandSucceeded, nil, out, nil, "", func(tx pgx.Tx, at time.Time) error {
		return s.mir.ApplySupportProfile(ctx, tx, out, at)
	})
}
