// Package formation holds the domain types every part of Formation shares:
// stacks, execution plans, events, stack resources and outputs, and the one
// error type with its RFS-style codes.
//
// Formation is an embedded deployment engine that reproduces Huawei Cloud's
// Resource Formation Service (RFS) in-process. The API users call lives in
// package engine; this package is the vocabulary it speaks.
//
// # Errors
//
// Every error a caller can act on is an *Error with a Code. Branch on the
// class with errors.Is (ErrNotFound, ErrInvalidArgument, ErrInvalidStatus,
// ErrConflict, ErrExpiredPlan, ErrQuotaExceeded, ErrUnavailable,
// ErrCanceled, ErrInternal), or on one code with HasCode. Codes RFS publishes are used
// verbatim; the others are Formation's own, picked in the same space (404s
// with class digit 4, 409s with class digit 9) and stable across releases.
//
//	code         HTTP  class               meaning
//	RF.10010001  500   ErrInternal         internal error
//	RF.10010002  503   ErrUnavailable      store locked by another process, or closed
//	RF.10010003  499   ErrCanceled         the caller's context was cancelled
//	RF.10010004  504   ErrCanceled         the caller's context passed its deadline
//	RF.10010501  501   ErrInvalidArgument  an RFS operation outside Formation's scope
//	RF.10011001  400   ErrInvalidArgument  a required parameter is missing
//	RF.10011002  400   ErrInvalidArgument  an unrecognized body field or query parameter
//	RF.10011003  400   ErrInvalidArgument  template_body and template_uri both given
//	RF.10011005  400   ErrInvalidArgument  a parameter is longer than its limit
//	RF.10011006  400   ErrInvalidArgument  a parameter is shorter than its limit
//	RF.10011010  400   ErrInvalidArgument  a name breaks the naming rule
//	RF.10011011  400   ErrInvalidArgument  an id is not a 36-character UUID
//	RF.10011014  400   ErrInvalidArgument  the file vars_uri names is larger than its limit
//	RF.10011015  400   ErrInvalidArgument  stack_id does not match the named stack
//	RF.10011016  400   ErrInvalidArgument  project_id has invalid characters or length
//	RF.10011017  400   ErrInvalidArgument  execution_plan_id does not match the named plan
//	RF.10011020  400   ErrInvalidArgument  a parameter has an invalid value
//	RF.10011030  400   ErrInvalidArgument  the template is invalid (hcl diagnostics inside)
//	RF.10011050  400   ErrInvalidArgument  variables are undeclared, missing, duplicated or mistyped
//	RF.10011052  400   ErrInvalidArgument  a vars_structure value is empty
//	RF.10011060  400   ErrInvalidArgument  agencies break a rule
//	RF.10011070  400   ErrInvalidArgument  an events filter or field list is malformed
//	RF.10011084  400   ErrInvalidArgument  UpdateStack changes nothing
//	RF.10011085  400   ErrInvalidArgument  text is not UTF-8, or holds a NUL byte
//	RF.10011099  400   ErrInvalidArgument  not supported (yet) by Formation
//	RF.10011197  400   ErrInvalidArgument  a query parameter given more than once
//	RF.10012001  401   ErrUnauthenticated  signature, access key or X-Sdk-Date not valid
//	RF.10012003  403   ErrForbidden        the access key may not use this project
//	RF.10012429  429   ErrForbidden        too many requests from this client
//	RF.10012519  403   ErrInvalidStatus    the stack is *_IN_PROGRESS
//	RF.10012520  403   ErrInvalidStatus    the stack's status does not allow the operation
//	RF.10012521  403   ErrInvalidStatus    deletion protection is on
//	RF.10012531  403   ErrInvalidStatus    the plan's status does not allow the operation
//	RF.10012546  403   ErrInvalidStatus    auto-rollback refused (failed status, or import blocks)
//	RF.10012549  403   ErrInvalidStatus    the execution plan cannot be deleted in its status
//	RF.10012530  403   ErrExpiredPlan      the plan is expired (stack deployed since, or plan applied)
//	RF.10012540  403   ErrQuotaExceeded    stack count reached the limit
//	RF.10012541  403   ErrQuotaExceeded    execution plan count reached the limit
//	RF.10014000  404   ErrNotFound         no RFS operation has this method and path
//	RF.10014001  404   ErrNotFound         the stack does not exist
//	RF.10014002  404   ErrNotFound         the execution plan does not exist
//	RF.10014003  404   ErrNotFound         the deployment does not exist
//	RF.10014004  404   ErrNotFound         the stack has no deployed template
//	RF.10019001  409   ErrConflict         a stack or plan of that name exists
//	RF.10019002  409   ErrConflict         another request is operating this stack or plan
//	RF.10019003  409   ErrConflict         an import names an object another stack manages
//
// # Times
//
// Times are Time values: to the second, in UTC, rendered as RFC3339
// ("2023-05-15T12:23:38Z") and left out of JSON when zero.
package formation
