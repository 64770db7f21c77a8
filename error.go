package concernmap

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. The api package maps each to one HTTP status.
const (
	ECONFLICT     = "conflict"            // the request conflicts with existing state
	EFORBIDDEN    = "forbidden"           // the caller may not do this
	EUNAUTHORIZED = "unauthorized"        // the caller has not shown who they are
	EGONE         = "gone"                // the resource was soft-deleted
	EINTERNAL     = "internal"            // a bug or an outage; never shown in detail
	EINVALID      = "invalid"             // the input breaks a rule; Fields says which
	ENOTFOUND     = "not_found"           // no such resource
	EPRECONDITION = "precondition_failed" // If-Match named a stale version
	EPRECONDREQ   = "precondition_required"
	ETOOLARGE     = "too_large" // body, vertex count or page over its bound
)

// FieldError names one input field and what is wrong with it. Field is a
// dotted path into the request, such as "properties.severity" or "bbox".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"detail"`
}

// Error is the domain error: a machine code, a message safe to show the
// client, and for invalid input the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("concernmap: %s: %s", e.Code, e.Message)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return fmt.Sprintf("concernmap: %s: %s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf returns an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming one field.
func Invalid(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: EINVALID, Message: "invalid " + field, Fields: []FieldError{{Field: field, Message: msg}}}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the client-safe message of err; other errors give
// "internal error" so that no database text reaches a client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the field errors in err's chain, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// fieldErrors collects validation failures so that a client sees every bad
// field at once, not one per round trip.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (fe fieldErrors) err(what string) error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "invalid " + what, Fields: fe}
}
