package formation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Code is an RFS-style error code, "RF.1001" followed by a class digit and
// three digits: RF.10011010 is a request (400) error, RF.10012519 a state
// (403) error. The package documentation lists every code Formation returns.
type Code string

// Codes RFS publishes, used verbatim.
const (
	CodeInternal              Code = "RF.10010001" // 500: internal error
	CodeMissingParameter      Code = "RF.10011001" // 400: a required parameter is missing
	CodeUnrecognizedParameter Code = "RF.10011002" // 400: a body field or query parameter the operation does not take
	CodeBothTemplateSources   Code = "RF.10011003" // 400: template_body and template_uri both given
	CodeVarsURITooLarge       Code = "RF.10011014" // 400: the file vars_uri names is larger than its limit
	CodeTooLong               Code = "RF.10011005" // 400: a parameter is longer than its limit
	CodeTooShort              Code = "RF.10011006" // 400: a parameter is shorter than its limit
	CodeInvalidName           Code = "RF.10011010" // 400: a name breaks the naming rule
	CodeStackIDMismatch       Code = "RF.10011015" // 400: stack_id does not match the named stack
	CodeInvalidProjectID      Code = "RF.10011016" // 400: project_id has invalid characters or length
	CodeEmptyVarValue         Code = "RF.10011052" // 400: a vars_structure value is empty
	CodeNothingToUpdate       Code = "RF.10011084" // 400: UpdateStack changes nothing
	CodeInvalidEncoding       Code = "RF.10011085" // 400: text is not UTF-8, or holds a NUL byte
	CodeDuplicateQuery        Code = "RF.10011197" // 400: a query parameter is given more than once
	CodeAuthFailed            Code = "RF.10012001" // 401: the request's signature or credentials are not valid
	CodeStackBusy             Code = "RF.10012519" // 403: the stack is *_IN_PROGRESS
	CodeAutoRollback          Code = "RF.10012546" // 403: auto-rollback refused in this state or for this template
	CodePlanNotDeletable      Code = "RF.10012549" // 403: the execution plan cannot be deleted in its status
)

// Codes RFS does not publish (spec §5 [GAP]); Formation picks them in the same
// space and keeps them stable. 404s use class digit 4 and 409s class digit 9.
const (
	CodeUnavailable        Code = "RF.10010002" // 503: the store is locked by another process, or the engine is closed
	CodeCanceled           Code = "RF.10010003" // 499: the caller's context was cancelled
	CodeTimeout            Code = "RF.10010004" // 504: the caller's context passed its deadline
	CodeInvalidID          Code = "RF.10011011" // 400: an id is not a 36-character UUID
	CodePlanIDMismatch     Code = "RF.10011017" // 400: execution_plan_id does not match the named plan
	CodeInvalidParameter   Code = "RF.10011020" // 400: a parameter has an invalid value (limit, marker, option)
	CodeInvalidTemplate    Code = "RF.10011030" // 400: the template does not parse or evaluate; hcl diagnostics inside
	CodeInvalidVariables   Code = "RF.10011050" // 400: variables are undeclared, missing, duplicated or of the wrong type
	CodeInvalidAgency      Code = "RF.10011060" // 400: agencies break a rule (count, duplicates, name/urn)
	CodeInvalidFilter      Code = "RF.10011070" // 400: an events filter or field list is malformed
	CodeUnsupported        Code = "RF.10011099" // 400: the request asks for something Formation does not support (yet)
	CodeNotImplemented     Code = "RF.10010501" // 501: an RFS operation outside Formation's scope (template library, stack sets, prices)
	CodeForbidden          Code = "RF.10012003" // 403: the access key may not use this project
	CodeTooManyRequests    Code = "RF.10012429" // 429: the client sent too many requests; retry later
	CodeNoSuchOperation    Code = "RF.10014000" // 404: no RFS operation has this method and path
	CodeInvalidStackStatus Code = "RF.10012520" // 403: the stack's status does not allow the operation
	CodeDeletionProtected  Code = "RF.10012521" // 403: deletion protection is on
	CodePlanExpired        Code = "RF.10012530" // 403: the plan was made before the stack's latest deployment, or was already applied
	CodeInvalidPlanStatus  Code = "RF.10012531" // 403: the plan's status does not allow the operation
	CodeStackQuota         Code = "RF.10012540" // 403: stack count reached the limit
	CodePlanQuota          Code = "RF.10012541" // 403: execution plan count reached the limit
	CodeStackNotFound      Code = "RF.10014001" // 404: the stack does not exist
	CodePlanNotFound       Code = "RF.10014002" // 404: the execution plan does not exist
	CodeDeploymentNotFound Code = "RF.10014003" // 404: the deployment does not exist
	CodeTemplateNotFound   Code = "RF.10014004" // 404: the stack has no deployed template
	CodeNameConflict       Code = "RF.10019001" // 409: a stack or plan of that name exists
	CodeConcurrentRequest  Code = "RF.10019002" // 409: another request is operating this stack or plan
	CodeImportConflict     Code = "RF.10019003" // 409: an import names an object another stack manages
)

// Class sentinels. Every *Error belongs to exactly one class, decided by its
// Code, and errors.Is(err, ErrNotFound) holds for every not-found code.
// Callers branch on classes or on codes, never on message text.
var (
	// ErrInvalidArgument: the request is malformed (HTTP 400). Nothing changed.
	ErrInvalidArgument = &classError{"invalid argument"}
	// ErrNotFound: the stack, plan, deployment or template does not exist (404).
	ErrNotFound = &classError{"not found"}
	// ErrInvalidStatus: the target's status forbids the operation, including a
	// stack that is busy (*_IN_PROGRESS) or deletion-protected (403). Retry
	// after the status changes.
	ErrInvalidStatus = &classError{"invalid status"}
	// ErrConflict: a name is taken, or another request won a race (409).
	ErrConflict = &classError{"conflict"}
	// ErrExpiredPlan: the plan was overtaken by a deployment or already
	// applied (403). Create a new plan.
	ErrExpiredPlan = &classError{"expired plan"}
	// ErrQuotaExceeded: a count limit was reached (403).
	ErrQuotaExceeded = &classError{"quota exceeded"}
	// ErrUnauthenticated: the request is not signed by a known access key,
	// or its signature or date is wrong (401).
	ErrUnauthenticated = &classError{"unauthenticated"}
	// ErrForbidden: the caller may not act on the project (403), or has
	// sent too many requests (429).
	ErrForbidden = &classError{"forbidden"}
	// ErrUnavailable: the store cannot be used (locked by another process,
	// closed) (503).
	ErrUnavailable = &classError{"unavailable"}
	// ErrCanceled: the caller's context was cancelled (499) or passed its
	// deadline (504) before the call finished. errors.Is also matches
	// context.Canceled or context.DeadlineExceeded through the error.
	ErrCanceled = &classError{"canceled"}
	// ErrInternal: a bug or an I/O failure inside Formation (500).
	ErrInternal = &classError{"internal error"}
)

type classError struct{ name string }

func (c *classError) Error() string { return "formation: " + c.name }

// codeInfo is the single table behind Code.HTTPStatus, the classes and the
// package documentation's code list.
var codeInfo = map[Code]struct {
	status int
	class  *classError
}{
	CodeInternal:              {http.StatusInternalServerError, ErrInternal},
	CodeUnavailable:           {http.StatusServiceUnavailable, ErrUnavailable},
	CodeCanceled:              {statusClientClosedRequest, ErrCanceled},
	CodeTimeout:               {http.StatusGatewayTimeout, ErrCanceled},
	CodeMissingParameter:      {http.StatusBadRequest, ErrInvalidArgument},
	CodeBothTemplateSources:   {http.StatusBadRequest, ErrInvalidArgument},
	CodeVarsURITooLarge:       {http.StatusBadRequest, ErrInvalidArgument},
	CodeUnrecognizedParameter: {http.StatusBadRequest, ErrInvalidArgument},
	CodeInvalidProjectID:      {http.StatusBadRequest, ErrInvalidArgument},
	CodeDuplicateQuery:        {http.StatusBadRequest, ErrInvalidArgument},
	CodeNotImplemented:        {http.StatusNotImplemented, ErrInvalidArgument},
	CodeNoSuchOperation:       {http.StatusNotFound, ErrNotFound},
	CodeAuthFailed:            {http.StatusUnauthorized, ErrUnauthenticated},
	CodeForbidden:             {http.StatusForbidden, ErrForbidden},
	CodeTooManyRequests:       {http.StatusTooManyRequests, ErrForbidden},
	CodeTooLong:               {http.StatusBadRequest, ErrInvalidArgument},
	CodeTooShort:              {http.StatusBadRequest, ErrInvalidArgument},
	CodeInvalidName:           {http.StatusBadRequest, ErrInvalidArgument},
	CodeInvalidID:             {http.StatusBadRequest, ErrInvalidArgument},
	CodeStackIDMismatch:       {http.StatusBadRequest, ErrInvalidArgument},
	CodePlanIDMismatch:        {http.StatusBadRequest, ErrInvalidArgument},
	CodeInvalidParameter:      {http.StatusBadRequest, ErrInvalidArgument},
	CodeInvalidTemplate:       {http.StatusBadRequest, ErrInvalidArgument},
	CodeInvalidVariables:      {http.StatusBadRequest, ErrInvalidArgument},
	CodeEmptyVarValue:         {http.StatusBadRequest, ErrInvalidArgument},
	CodeInvalidAgency:         {http.StatusBadRequest, ErrInvalidArgument},
	CodeInvalidFilter:         {http.StatusBadRequest, ErrInvalidArgument},
	CodeNothingToUpdate:       {http.StatusBadRequest, ErrInvalidArgument},
	CodeInvalidEncoding:       {http.StatusBadRequest, ErrInvalidArgument},
	CodeUnsupported:           {http.StatusBadRequest, ErrInvalidArgument},
	CodeStackBusy:             {http.StatusForbidden, ErrInvalidStatus},
	CodeInvalidStackStatus:    {http.StatusForbidden, ErrInvalidStatus},
	CodeDeletionProtected:     {http.StatusForbidden, ErrInvalidStatus},
	CodeAutoRollback:          {http.StatusForbidden, ErrInvalidStatus},
	CodeInvalidPlanStatus:     {http.StatusForbidden, ErrInvalidStatus},
	CodePlanNotDeletable:      {http.StatusForbidden, ErrInvalidStatus},
	CodePlanExpired:           {http.StatusForbidden, ErrExpiredPlan},
	CodeStackQuota:            {http.StatusForbidden, ErrQuotaExceeded},
	CodePlanQuota:             {http.StatusForbidden, ErrQuotaExceeded},
	CodeStackNotFound:         {http.StatusNotFound, ErrNotFound},
	CodePlanNotFound:          {http.StatusNotFound, ErrNotFound},
	CodeDeploymentNotFound:    {http.StatusNotFound, ErrNotFound},
	CodeTemplateNotFound:      {http.StatusNotFound, ErrNotFound},
	CodeNameConflict:          {http.StatusConflict, ErrConflict},
	CodeConcurrentRequest:     {http.StatusConflict, ErrConflict},
}

// statusClientClosedRequest is the status servers log for a request whose
// client went away (nginx's 499); net/http has no name for it.
const statusClientClosedRequest = 499

// HTTPStatus is the HTTP status RFS answers with for the code; an unknown
// code is an internal error (500).
func (c Code) HTTPStatus() int {
	if info, ok := codeInfo[c]; ok {
		return info.status
	}
	return http.StatusInternalServerError
}

// Class is the class sentinel of the code (ErrNotFound, ErrInvalidStatus, …);
// an unknown code belongs to ErrInternal.
func (c Code) Class() error {
	if info, ok := codeInfo[c]; ok {
		return info.class
	}
	return ErrInternal
}

// Known reports whether Formation defines the code.
func (c Code) Known() bool {
	_, ok := codeInfo[c]
	return ok
}

// Error is the one error type Formation returns for anything a caller can act
// on. It carries the RFS-style code, the operation, what it was about, a
// human message and an optional cause (an hcl.Diagnostics for template
// problems, a provider's error for a failed resource operation).
//
// Match classes with errors.Is(err, formation.ErrNotFound), a single code with
// errors.Is(err, &formation.Error{Code: formation.CodeStackBusy}) or
// formation.HasCode, and read fields with errors.As.
type Error struct {
	Code     Code   // RFS-style code; decides the class and the HTTP status
	Op       string // the operation, e.g. "engine.UpdateStack"
	Resource string // what it was about: a stack name, "stack/plan", a resource address
	Message  string // human text for error_msg
	Err      error  // cause, may be nil
}

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, op, resource, format string, args ...any) *Error {
	return &Error{Code: code, Op: op, Resource: resource, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an *Error around a cause; the message is the cause's text.
func Wrap(code Code, op, resource string, cause error) *Error {
	return &Error{Code: code, Op: op, Resource: resource, Err: cause}
}

// Error renders "op: CODE resource: message: cause", leaving out what is empty.
func (e *Error) Error() string {
	s := string(e.Code)
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	if e.Resource != "" {
		s += " " + e.Resource
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause, so errors.Is also sees provider sentinels and
// context errors behind an *Error.
func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the HTTP status of the error's code.
func (e *Error) HTTPStatus() int { return e.Code.HTTPStatus() }

// Is matches the error's class sentinel, and any code-only *Error (no Op,
// Resource, Message or cause) with the same code, in the way syscall.Errno
// maps numbers onto fs.ErrNotExist.
func (e *Error) Is(target error) bool {
	if c, ok := target.(*classError); ok {
		return e.Code.Class() == c
	}
	t, ok := target.(*Error)
	return ok && t.Op == "" && t.Resource == "" && t.Message == "" && t.Err == nil && t.Code == e.Code
}

// HasCode reports whether err is, or wraps, an *Error with the code.
func HasCode(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// CodeOf returns the code of the first *Error in err's chain, CodeInternal for
// any other non-nil error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ContextError types a context's error for op: CodeCanceled for
// context.Canceled, CodeTimeout for context.DeadlineExceeded, with the
// context error as the cause so errors.Is still sees it. Any other error is
// returned as it is.
func ContextError(op string, err error) error {
	var fe *Error
	switch {
	case errors.As(err, &fe):
		return err
	case errors.Is(err, context.Canceled):
		return Wrap(CodeCanceled, op, "", err)
	case errors.Is(err, context.DeadlineExceeded):
		return Wrap(CodeTimeout, op, "", err)
	}
	return err
}
