package provider

import formation "github.com/formation-engine/formation"

// ReplaceOrder is the order in which a resource is replaced when a force-new
// attribute changes. RFS leaves it to the provider (spec §2.4: DELETE_THEN_ADD
// or ADD_THEN_DELETE).
type ReplaceOrder string

// The replacement orders.
const (
	// DeleteThenCreate deletes the old resource first, then creates the new
	// one. It is the default, and the only choice when the new resource
	// would clash with the old (a unique name, a CIDR that must not
	// overlap).
	DeleteThenCreate ReplaceOrder = "delete_then_create"
	// CreateThenDelete creates the new resource first and deletes the old
	// one once its dependents have moved, keeping the service up.
	CreateThenDelete ReplaceOrder = "create_then_delete"
)

// ReplaceOrderer is implemented by a provider that chooses the replacement
// order of its resource types. It is pure and cheap, like Schemas.
type ReplaceOrderer interface {
	// ReplaceOrder returns the order for a resource type; "" means the
	// default (DeleteThenCreate).
	ReplaceOrder(typeName string) ReplaceOrder
}

// ReplaceOrderOf returns the order p chooses for typeName, DeleteThenCreate
// when p does not choose or chooses an invalid order.
func ReplaceOrderOf(p Provider, typeName string) ReplaceOrder {
	if r, ok := p.(ReplaceOrderer); ok {
		if o := r.ReplaceOrder(typeName); o.Valid() {
			return o
		}
	}
	return DeleteThenCreate
}

// String returns the order's name.
func (o ReplaceOrder) String() string { return string(o) }

// Valid reports whether o is one of the replacement orders.
func (o ReplaceOrder) Valid() bool { return o == DeleteThenCreate || o == CreateThenDelete }

// Action is the plan item action of a replacement in this order:
// DELETE_THEN_ADD or ADD_THEN_DELETE (DELETE_THEN_ADD for an invalid order).
func (o ReplaceOrder) Action() formation.Action {
	if o == CreateThenDelete {
		return formation.ActionAddThenDelete
	}
	return formation.ActionDeleteThenAdd
}
