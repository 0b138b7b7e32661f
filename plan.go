package formation

// PlanStatus is an execution plan's status (spec §2.2). Expiry is not a
// status: an expired plan is AVAILABLE and refuses to apply.
type PlanStatus string

// The execution plan statuses.
const (
	PlanCreationInProgress PlanStatus = "CREATION_IN_PROGRESS"
	PlanCreationFailed     PlanStatus = "CREATION_FAILED"
	PlanAvailable          PlanStatus = "AVAILABLE"
	PlanApplyInProgress    PlanStatus = "APPLY_IN_PROGRESS"
	PlanApplied            PlanStatus = "APPLIED"
)

// PlanStatuses lists every plan status in lifecycle order.
func PlanStatuses() []PlanStatus {
	return []PlanStatus{PlanCreationInProgress, PlanCreationFailed, PlanAvailable, PlanApplyInProgress, PlanApplied}
}

// Valid reports whether s is one of the plan statuses.
func (s PlanStatus) Valid() bool {
	for _, v := range PlanStatuses() {
		if v == s {
			return true
		}
	}
	return false
}

// ExecutionPlan is a plan's metadata, as GetExecutionPlanMetadata returns it
// (ListExecutionPlans leaves out the variables and the summary).
type ExecutionPlan struct {
	StackName      string          `json:"stack_name"`
	StackID        string          `json:"stack_id"`
	ID             string          `json:"execution_plan_id"`
	Name           string          `json:"execution_plan_name"`
	Description    string          `json:"description"`
	Status         PlanStatus      `json:"status"`
	StatusMessage  string          `json:"status_message,omitempty"` // only in CREATION_FAILED
	VarsStructure  []VarsStructure `json:"vars_structure,omitempty"`
	VarsBody       string          `json:"vars_body,omitempty"`
	VarsURIContent string          `json:"vars_uri_content,omitempty"` // the content of the file vars_uri named, not the URI
	Summary        *PlanSummary    `json:"summary,omitempty"`
	CreateTime     Time            `json:"create_time,omitzero"`
	ApplyTime      Time            `json:"apply_time,omitzero"`
}

// PlanSummary counts a plan's changes. A replacement counts as one add and
// one delete; zero counts are left out of JSON, as RFS does.
type PlanSummary struct {
	ResourceAdd    int `json:"resource_add,omitempty"`
	ResourceUpdate int `json:"resource_update,omitempty"`
	ResourceDelete int `json:"resource_delete,omitempty"`
	ResourceImport int `json:"resource_import,omitempty"`
}

// Action is what a plan item does to a resource (spec §2.4).
type Action string

// The plan item actions.
const (
	ActionAdd           Action = "ADD"
	ActionUpdate        Action = "UPDATE"
	ActionDelete        Action = "DELETE"
	ActionDeleteThenAdd Action = "DELETE_THEN_ADD" // replacement: delete the old, then create
	ActionAddThenDelete Action = "ADD_THEN_DELETE" // replacement: create the new, then delete the old
	ActionNoOperation   Action = "NO_OPERATION"
)

// Replaces reports whether the action replaces the resource.
func (a Action) Replaces() bool { return a == ActionDeleteThenAdd || a == ActionAddThenDelete }

// Mode says whether a plan item is a managed resource or a data source.
type Mode string

// The plan item modes.
const (
	ModeResource Mode = "RESOURCE"
	ModeData     Mode = "DATA"
)

// PlanItem is one entry of GetExecutionPlan (spec §3.1). Values are strings:
// unknown values read "(known after apply)" and sensitive ones "(sensitive)".
// ModuleAddress, Formation's own, is the module instance of a resource
// inside a local module ("module.net[0]", as RFS's price items name it),
// absent in the root module.
type PlanItem struct {
	ResourceType  string          `json:"resource_type"`
	ResourceName  string          `json:"resource_name"`
	Index         string          `json:"index,omitempty"`
	ModuleAddress string          `json:"module_address,omitempty"`
	Action        Action          `json:"action"`
	ActionReason  string          `json:"action_reason,omitempty"`
	ProviderName  string          `json:"provider_name"`
	Mode          Mode            `json:"mode"`
	Drifted       bool            `json:"drifted"`
	Imported      bool            `json:"imported"`
	ResourceID    string          `json:"resource_id,omitempty"`
	Attributes    []PlanAttribute `json:"attributes"`
}

// PlanAttribute is one attribute change of a plan item: previous_value is
// empty for a create, target_value empty for a delete.
type PlanAttribute struct {
	Name          string `json:"name"`
	PreviousValue string `json:"previous_value"`
	TargetValue   string `json:"target_value"`
}
