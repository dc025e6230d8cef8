package secrets

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudoven/cloudoven/store"
)

// ResetBy is who a reset discards planned runs as, and what the audit log names.
const ResetBy = "cloudoven secrets reset"

// ResetResult says what Reset found and what it did.
type ResetResult struct {
	// Source says where the key came from (see KeyMismatchError.Source).
	Source string
	// KeyID is the key's id; "" when the key file does not exist and Reset was not
	// confirmed, so no key was made yet.
	KeyID string
	// Matches says the key opens what the database holds sealed: there is nothing to reset.
	Matches bool
	// OldKeyID is the id of the key the database recorded; "" when it recorded none.
	OldKeyID string
	// Forgot is what the database holds sealed with the other key: what was deleted when
	// Done, what a confirmed reset would delete otherwise (Discarded is then unknown, 0).
	Forgot store.ForgotSealed
	// Done says the sealed values were deleted and the key's id recorded.
	Done bool
}

// Reset starts the database over with the key UseKey would load (making the key file when
// it does not exist), for a key that is lost for good. When the key matches the database
// (CheckKey passes), it does nothing. Otherwise, unconfirmed, it only says what it would
// delete; confirmed, it deletes every environment secret and every sealed plan, discards the
// planned runs that waited with one, records the key's id and writes the audit log.
func Reset(ctx context.Context, st *store.Store, path string, confirm bool) (ResetResult, error) {
	box, _, err := UseKey(ctx, st, path)
	if err == nil {
		return ResetResult{Source: box.source, KeyID: box.id, Matches: true}, nil
	}
	var mm *KeyMismatchError
	if !errors.As(err, &mm) {
		return ResetResult{}, err
	}
	res := ResetResult{Source: mm.Source, KeyID: mm.Have, OldKeyID: mm.Want, Forgot: store.ForgotSealed{SealedCounts: mm.Sealed}}
	if !confirm {
		return res, nil
	}
	key, _, err := LoadKey(path) // makes the key file when it is missing
	if err != nil {
		return ResetResult{}, err
	}
	res.KeyID = KeyID(key)
	if res.Forgot, err = st.ForgetSealed(ctx, res.KeyID, ResetBy); err != nil {
		return ResetResult{}, err
	}
	res.Done = true
	detail := fmt.Sprintf("deleted %s sealed with a lost key (id %q), discarded %s; the key in use now has id %s",
		res.Forgot.SealedCounts.String(), res.OldKeyID, count(res.Forgot.Discarded, "planned run", "planned runs"), res.KeyID)
	if err := st.RecordAudit(ctx, store.AuditEntry{User: ResetBy, Action: "secrets.reset", Detail: detail}); err != nil {
		return res, err
	}
	return res, nil
}
