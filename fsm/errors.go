package fsm

import "errors"

// ErrUnknownStatus is the cause inside the *formation.Error (CodeInternal)
// that RestoreStack, RestorePlan, NextStack and NextPlan return for a status
// the machine does not know: a persisted status that is corrupt or was
// written by a newer version. Match it with errors.Is.
//
// A refused transition is never ErrUnknownStatus; it is a *formation.Error
// of class formation.ErrInvalidStatus.
var ErrUnknownStatus = errors.New("fsm: unknown status")
