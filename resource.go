package formation

// ResourceStatus is a stack resource's status (spec §2.5).
type ResourceStatus string

// The stack resource statuses. UPDATE_* is an in-place update; a replacement
// shows as creation then deletion (or the reverse).
const (
	ResourceCreationInProgress ResourceStatus = "CREATION_IN_PROGRESS"
	ResourceCreationFailed     ResourceStatus = "CREATION_FAILED"
	ResourceCreationComplete   ResourceStatus = "CREATION_COMPLETE"
	ResourceDeletionInProgress ResourceStatus = "DELETION_IN_PROGRESS"
	ResourceDeletionFailed     ResourceStatus = "DELETION_FAILED"
	ResourceDeletionComplete   ResourceStatus = "DELETION_COMPLETE"
	ResourceUpdateInProgress   ResourceStatus = "UPDATE_IN_PROGRESS"
	ResourceUpdateFailed       ResourceStatus = "UPDATE_FAILED"
	ResourceUpdateComplete     ResourceStatus = "UPDATE_COMPLETE"
)

// StackResource is one resource of a stack as ListStackResources returns it
// (spec §3.2). Attributes are present only while the stack is in a terminal
// status. ModuleAddress, Formation's own, is the module instance of a
// resource inside a local module ("module.net[0]"), absent in the root
// module.
type StackResource struct {
	PhysicalResourceID   string              `json:"physical_resource_id,omitempty"`
	PhysicalResourceName string              `json:"physical_resource_name,omitempty"`
	LogicalResourceName  string              `json:"logical_resource_name"`
	LogicalResourceType  string              `json:"logical_resource_type"`
	IndexKey             string              `json:"index_key,omitempty"`
	ModuleAddress        string              `json:"module_address,omitempty"`
	ResourceStatus       ResourceStatus      `json:"resource_status"`
	StatusMessage        string              `json:"status_message,omitempty"` // only in *_FAILED
	ResourceAttributes   []ResourceAttribute `json:"resource_attributes,omitempty"`
}

// ResourceAttribute is one attribute of a stack resource; values are strings.
type ResourceAttribute struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// StackOutput is one output of a stack (spec §3.3). A sensitive output's
// Value and Type are both "<sensitive>".
type StackOutput struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Value       string `json:"value"`
	Sensitive   bool   `json:"sensitive"`
}

// SensitiveValue is what RFS shows in place of a sensitive output's value and type.
const SensitiveValue = "<sensitive>"
