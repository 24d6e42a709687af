package ringside

import (
	"errors"
	"fmt"
	"time"
)

// ErrClosed is wrapped by every SocketClosedError: errors.Is(err, ringside.ErrClosed).
var ErrClosed = errors.New("ringside: socket closed")

// SocketClosedError: the client is closed for good (Close was called, or reconnecting
// gave up). Connect starts it again.
type SocketClosedError struct{ Reason string }

func (e *SocketClosedError) Error() string {
	return fmt.Sprintf("ringside: socket is closed (%s); call Connect again or make a new client", e.Reason)
}

func (e *SocketClosedError) Unwrap() error { return ErrClosed }

// QueueFullError: offline, and MaxQueued messages already wait for the connection.
type QueueFullError struct{ MaxQueued int }

func (e *QueueFullError) Error() string {
	return fmt.Sprintf("ringside: offline and %d messages are already queued (MaxQueued); this one was not queued", e.MaxQueued)
}

// RequestTimeoutError: no answer within the request timeout.
type RequestTimeoutError struct {
	Request   string
	RequestID string
	Timeout   time.Duration
	// Sent is false when the request never left the offline queue (and now never will).
	Sent bool
}

func (e *RequestTimeoutError) Error() string {
	never := ""
	if !e.Sent {
		never = "; it was never sent (offline), and will not be"
	}
	return fmt.Sprintf("ringside: no response to %s (request id %s) within %s%s", e.Request, e.RequestID, e.Timeout, never)
}

// ConnectionLostError: the connection dropped after the request went out and before
// its answer came. The server may or may not have acted on it; it is not resent.
type ConnectionLostError struct {
	Request     string
	RequestID   string
	CloseCode   int
	CloseReason string
}

func (e *ConnectionLostError) Error() string {
	return fmt.Sprintf("ringside: connection lost before the response to %s (request id %s) arrived (close %d %q); the server may or may not have processed it",
		e.Request, e.RequestID, e.CloseCode, e.CloseReason)
}

// RequestError: the server answered with {"type": "error"}. Code is one of the
// protocol's codes (UNAUTHORIZED, RATE_LIMITED, BATTLE_FULL, INVALID_CODE,
// INVALID_BATTLE_ID, VALIDATION_ERROR, NOT_FOUND, ...).
type RequestError struct {
	Code      string
	Message   string
	Details   map[string]any
	RequestID any
	// Event is the request's event ("battle:submit"), empty for an error that answers
	// no request of this client.
	Event string
}

func (e *RequestError) Error() string {
	event := e.Event
	if event == "" {
		event = "arena"
	}
	return fmt.Sprintf("ringside: %s failed: %s: %s", event, e.Code, e.Message)
}
