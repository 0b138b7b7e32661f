package sim

// Op names a provider operation, for matching faults and latency and for
// recording calls.
type Op string

// The operations the simulated provider records.
const (
	OpCreate   Op = "create"
	OpRead     Op = "read"
	OpUpdate   Op = "update"
	OpDelete   Op = "delete"
	OpReadData Op = "read_data" // a data-source read
)

// Ops lists every operation.
func Ops() []Op { return []Op{OpCreate, OpRead, OpUpdate, OpDelete, OpReadData} }

// String returns the operation's name.
func (o Op) String() string { return string(o) }

// Valid reports whether o is one of the operations.
func (o Op) Valid() bool {
	for _, v := range Ops() {
		if v == o {
			return true
		}
	}
	return false
}

// mutates reports whether the operation changes the world.
func (o Op) mutates() bool { return o == OpCreate || o == OpUpdate || o == OpDelete }
