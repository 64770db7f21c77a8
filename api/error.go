package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/concernmap/concernmap"
)

// statuses maps domain error codes to HTTP statuses: the one place where
// that happens.
var statuses = map[string]int{
	concernmap.ECONFLICT:     http.StatusConflict,
	concernmap.EGONE:         http.StatusGone,
	concernmap.EINTERNAL:     http.StatusInternalServerError,
	concernmap.EINVALID:      http.StatusBadRequest,
	concernmap.ENOTFOUND:     http.StatusNotFound,
	concernmap.EPRECONDITION: http.StatusPreconditionFailed,
	concernmap.EPRECONDREQ:   http.StatusPreconditionRequired,
	concernmap.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	concernmap.EFORBIDDEN:    http.StatusForbidden,
	concernmap.EUNAUTHORIZED: http.StatusUnauthorized,
	eUnsupportedMedia:        http.StatusUnsupportedMediaType,
	eMethodNotAllowed:        http.StatusMethodNotAllowed,
}

// Codes that only HTTP has.
const (
	eUnsupportedMedia = "unsupported_media_type"
	eMethodNotAllowed = "method_not_allowed"
)

// problem is an RFC 9457 problem details object.
type problem struct {
	Type      string                  `json:"type"`
	Title     string                  `json:"title"`
	Status    int                     `json:"status"`
	Detail    string                  `json:"detail"`
	Instance  string                  `json:"instance,omitempty"`
	RequestID string                  `json:"request_id,omitempty"`
	Field     string                  `json:"field,omitempty"`
	Errors    []concernmap.FieldError `json:"errors,omitempty"`
}

// handleError writes err as problem+json. Only internal errors are logged,
// and the client then sees "internal error" and the request id, never the
// cause.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		err = fromHTTPError(he)
	}
	code := concernmap.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed",
			slog.String("request_id", reqID), slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path), slog.Any("err", err))
	}
	p := problem{
		Type:      "urn:concernmap:problem:" + code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    concernmap.ErrorMessage(err),
		Instance:  c.Request().URL.Path,
		RequestID: reqID,
		Errors:    concernmap.ErrorFields(err),
	}
	if len(p.Errors) > 0 {
		p.Field = p.Errors[0].Field
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(status)
	if c.Request().Method != http.MethodHead {
		_ = encodeJSON(c.Response(), p)
	}
}

// fromHTTPError turns Echo's own errors (unknown route, wrong method) into
// domain errors so they share one shape.
func fromHTTPError(he *echo.HTTPError) error {
	msg := http.StatusText(he.Code)
	if m, ok := he.Message.(string); ok {
		msg = m
	}
	switch he.Code {
	case http.StatusNotFound:
		return concernmap.Errorf(concernmap.ENOTFOUND, "no such resource")
	case http.StatusMethodNotAllowed:
		return concernmap.Errorf(eMethodNotAllowed, "method not allowed")
	case http.StatusRequestEntityTooLarge:
		return concernmap.Errorf(concernmap.ETOOLARGE, "%s", msg)
	case http.StatusUnsupportedMediaType:
		return concernmap.Errorf(eUnsupportedMedia, "%s", msg)
	}
	if he.Code >= 400 && he.Code < 500 {
		return concernmap.Errorf(concernmap.EINVALID, "%s", msg)
	}
	return errors.New("http error " + strconv.Itoa(he.Code) + ": " + msg)
}
