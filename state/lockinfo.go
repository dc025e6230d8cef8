package state

import (
	"encoding/json"
	"strings"
	"time"
)

// LockInfo is what Terraform says of a lock it takes (the body of its LOCK
// request): its ID, the operation (OperationTypePlan, OperationTypeApply),
// who ran it (user@host) and when. The lock's holder wrote it, so it
// describes the lock and proves nothing: the run that took the lock is
// store.StateLock.RunID, from its credentials.
type LockInfo struct {
	ID        string
	Operation string
	Who       string
	Version   string
	Created   time.Time
}

// ParseLockInfo reads Terraform's lock info; what it cannot read is left
// empty, since any JSON object is a lock's info.
func ParseLockInfo(info []byte) LockInfo {
	var raw struct {
		ID, Operation, Who, Version, Created string
	}
	if json.Unmarshal(info, &raw) != nil {
		return LockInfo{}
	}
	li := LockInfo{ID: raw.ID, Operation: raw.Operation, Who: raw.Who, Version: raw.Version}
	li.Created, _ = time.Parse(time.RFC3339Nano, raw.Created)
	return li
}

// OperationName is the operation without Terraform's prefix: "plan" for
// OperationTypePlan, "apply", "refresh", "invalid".
func (li LockInfo) OperationName() string {
	return strings.ToLower(strings.TrimPrefix(li.Operation, "OperationType"))
}
