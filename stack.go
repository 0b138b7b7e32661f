package formation

// StackStatus is a stack's status (spec §2.1). A stack changes status only
// through the stack machine in package fsm.
type StackStatus string

// The stack statuses. There is no DELETION_COMPLETE: a deleted stack is gone.
const (
	StackCreationComplete     StackStatus = "CREATION_COMPLETE"
	StackDeploymentInProgress StackStatus = "DEPLOYMENT_IN_PROGRESS"
	StackDeploymentFailed     StackStatus = "DEPLOYMENT_FAILED"
	StackDeploymentComplete   StackStatus = "DEPLOYMENT_COMPLETE"
	StackRollbackInProgress   StackStatus = "ROLLBACK_IN_PROGRESS"
	StackRollbackFailed       StackStatus = "ROLLBACK_FAILED"
	StackRollbackComplete     StackStatus = "ROLLBACK_COMPLETE"
	StackDeletionInProgress   StackStatus = "DELETION_IN_PROGRESS"
	StackDeletionFailed       StackStatus = "DELETION_FAILED"
)

// StackStatuses lists every stack status, in the order of spec §2.1.
func StackStatuses() []StackStatus {
	return []StackStatus{
		StackCreationComplete, StackDeploymentInProgress, StackDeploymentFailed, StackDeploymentComplete,
		StackRollbackInProgress, StackRollbackFailed, StackRollbackComplete,
		StackDeletionInProgress, StackDeletionFailed,
	}
}

// Valid reports whether s is one of the stack statuses.
func (s StackStatus) Valid() bool {
	for _, v := range StackStatuses() {
		if v == s {
			return true
		}
	}
	return false
}

// InProgress reports whether the status ends in _IN_PROGRESS: an operation is
// running and every mutating request is refused.
func (s StackStatus) InProgress() bool {
	return s == StackDeploymentInProgress || s == StackRollbackInProgress || s == StackDeletionInProgress
}

// Terminal reports whether the status ends in _COMPLETE or _FAILED.
func (s StackStatus) Terminal() bool { return s.Valid() && !s.InProgress() }

// Failed reports whether the status ends in _FAILED.
func (s StackStatus) Failed() bool {
	return s == StackDeploymentFailed || s == StackRollbackFailed || s == StackDeletionFailed
}

// Stack is a stack's metadata, as GetStackMetadata returns it (ListStacks
// returns the summary fields: name, id, description, status, status message
// and times).
type Stack struct {
	Name                     string          `json:"stack_name"`
	ID                       string          `json:"stack_id"`
	Description              string          `json:"description"`
	Status                   StackStatus     `json:"status"`
	StatusMessage            string          `json:"status_message,omitempty"` // only in *_FAILED statuses
	EnableDeletionProtection bool            `json:"enable_deletion_protection"`
	EnableAutoRollback       bool            `json:"enable_auto_rollback"`
	Agencies                 []Agency        `json:"agencies,omitempty"`
	VarsStructure            []VarsStructure `json:"vars_structure,omitempty"`
	VarsBody                 string          `json:"vars_body,omitempty"`
	VarsURIContent           string          `json:"vars_uri_content,omitempty"` // the content of the file vars_uri named, not the URI
	CreateTime               Time            `json:"create_time,omitzero"`
	UpdateTime               Time            `json:"update_time,omitzero"`
}

// Agency names the IAM agency a provider acts through (spec §3.5). Exactly
// one of AgencyName and AgencyURN is set. Formation stores agencies verbatim
// and hands them to providers.
type Agency struct {
	ProviderName string `json:"provider_name"`
	AgencyName   string `json:"agency_name,omitempty"`
	AgencyURN    string `json:"agency_urn,omitempty"`
}

// VarsStructure is one variable given as a key and a string value (spec
// §3.5); the value is converted to the variable's declared type.
type VarsStructure struct {
	VarKey     string          `json:"var_key"`
	VarValue   string          `json:"var_value"`
	Encryption *VarsEncryption `json:"encryption,omitempty"`
}

// VarsEncryption says a vars_structure value is KMS-encrypted. Formation has
// no KMS, so an encrypted value is refused with CodeUnsupported.
type VarsEncryption struct {
	KMS struct {
		ID         string `json:"id"`
		CipherText string `json:"cipher_text"`
	} `json:"kms"`
}
