package formation

// EventType is a stack event's type (spec §2.3).
type EventType string

// The stack event types.
const (
	EventLog                EventType = "LOG"
	EventError              EventType = "ERROR"
	EventDrift              EventType = "DRIFT"
	EventSummary            EventType = "SUMMARY"
	EventCreationInProgress EventType = "CREATION_IN_PROGRESS"
	EventCreationFailed     EventType = "CREATION_FAILED"
	EventCreationComplete   EventType = "CREATION_COMPLETE"
	EventDeletionInProgress EventType = "DELETION_IN_PROGRESS"
	EventDeletionFailed     EventType = "DELETION_FAILED"
	EventDeletionComplete   EventType = "DELETION_COMPLETE"
	EventUpdateInProgress   EventType = "UPDATE_IN_PROGRESS"
	EventUpdateFailed       EventType = "UPDATE_FAILED"
	EventUpdateComplete     EventType = "UPDATE_COMPLETE"
)

// EventTypes lists every event type.
func EventTypes() []EventType {
	return []EventType{
		EventLog, EventError, EventDrift, EventSummary,
		EventCreationInProgress, EventCreationFailed, EventCreationComplete,
		EventDeletionInProgress, EventDeletionFailed, EventDeletionComplete,
		EventUpdateInProgress, EventUpdateFailed, EventUpdateComplete,
	}
}

// Valid reports whether t is one of the event types.
func (t EventType) Valid() bool {
	for _, v := range EventTypes() {
		if v == t {
			return true
		}
	}
	return false
}

// Event is a stack event (spec §3.4) plus three fields of Formation's own:
// the per-stack sequence number (1, 2, 3, … with no gaps, so a subscriber
// can resume after the last one it saw), the deployment that produced it,
// and the module instance of the resource (module_address, as RFS's price
// items name it: "module.net[0]" for module.net[0].huaweicloud_vpc.vpc,
// absent in the root module).
type Event struct {
	Sequence        uint64    `json:"sequence,omitempty"`
	DeploymentID    string    `json:"deployment_id,omitempty"`
	Time            Time      `json:"time,omitzero"`
	EventType       EventType `json:"event_type"`
	EventMessage    string    `json:"event_message,omitempty"`
	ResourceType    string    `json:"resource_type,omitempty"`
	ResourceName    string    `json:"resource_name,omitempty"`
	ResourceKey     string    `json:"resource_key,omitempty"`
	ModuleAddress   string    `json:"module_address,omitempty"`
	ResourceIDKey   string    `json:"resource_id_key,omitempty"`
	ResourceIDValue string    `json:"resource_id_value,omitempty"`
	ElapsedSeconds  int64     `json:"elapsed_seconds,omitempty"`
}
