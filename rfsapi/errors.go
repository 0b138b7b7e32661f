package rfsapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/formation-engine/formation"
)

// errorBody is RFS's error response (spec §5), which the SDK reads into
// sdkerr.ServiceResponseError.
type errorBody struct {
	Code    formation.Code `json:"error_code"`
	Message string         `json:"error_msg"`
}

var errNotImplemented = formation.Errorf(formation.CodeNotImplemented, "", "",
	"Formation does not reproduce this RFS operation (template library, stack sets, private providers, hooks and modules, price estimation)")

func notImplemented(*call) (int, any, error) { return 0, nil, errNotImplemented }

// writeError answers err as RFS does: its code's status and an error body.
// Anything that is not a *formation.Error is an internal error, whose
// cause is logged, not shown.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var fe *formation.Error
	switch {
	case errors.As(err, &fe) && fe.Code.Known():
	case errors.Is(err, context.DeadlineExceeded):
		fe = &formation.Error{Code: formation.CodeTimeout, Message: "the request timed out"}
	case errors.Is(err, context.Canceled):
		fe = &formation.Error{Code: formation.CodeCanceled, Message: "the request was canceled"}
	default:
		fe = &formation.Error{Code: formation.CodeInternal, Message: "Internal Server Error."}
	}
	if fe.Code == formation.CodeInternal {
		h.log.LogAttrs(r.Context(), slog.LevelError, "internal error", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.String("request_id", w.Header().Get("X-Request-Id")), slog.Any("err", err))
		fe = &formation.Error{Code: formation.CodeInternal, Message: "Internal Server Error."}
	}
	writeJSON(w, fe.HTTPStatus(), errorBody{Code: fe.Code, Message: message(fe)})
}

// message is the error_msg of fe: what it was about and why, without the
// Go operation name.
func message(fe *formation.Error) string {
	s := fe.Message
	if fe.Resource != "" {
		if s == "" {
			s = fe.Resource
		} else {
			s = fe.Resource + ": " + s
		}
	}
	if fe.Err != nil && fe.Code != formation.CodeUnavailable {
		if s == "" {
			return fe.Err.Error()
		}
		s += ": " + fe.Err.Error()
	}
	return s
}

// writeJSON writes v as the JSON body of a response with status; a nil v
// writes no body (204, and the 202 of DeleteStack).
func writeJSON(w http.ResponseWriter, status int, v any) {
	if v == nil {
		w.WriteHeader(status)
		return
	}
	b, err := json.Marshal(v)
	if err != nil { // only an engine bug: every body is plain data
		status, b = http.StatusInternalServerError, []byte(`{"error_code":"RF.10010001","error_msg":"Internal Server Error."}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
