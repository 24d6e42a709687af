// Messages from the server: answers to requests, errors, events (deduplicated,
// tracked, handed to the handlers in order).

package ringside

import (
	"encoding/json"
	"strconv"
)

// envelope is a message from the server, as received.
type envelope struct {
	ID        any             `json:"id"`
	Type      string          `json:"type"`
	Event     string          `json:"event,omitempty"`
	Success   *bool           `json:"success,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Error     *wireError      `json:"error,omitempty"`
	Timestamp string          `json:"timestamp,omitempty"`
}

type wireError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

func (c *ArenaClient) onText(text []byte) {
	var message envelope
	if err := json.Unmarshal(text, &message); err != nil {
		return
	}
	id, _ := message.ID.(string)
	switch message.Type {
	case "response":
		var data map[string]any
		_ = json.Unmarshal(message.Data, &data)
		c.settle(id, result{data: data})
		return
	case "error":
		body := message.Error
		if body == nil {
			body = &wireError{Code: "UNKNOWN", Message: "unknown error"}
		}
		c.mu.Lock()
		label := ""
		if p := c.pending[id]; p != nil {
			label = p.label
		}
		c.mu.Unlock()
		err := &RequestError{Code: body.Code, Message: body.Message, Details: body.Details, RequestID: message.ID, Event: label}
		if err.Details == nil {
			err.Details = map[string]any{}
		}
		if id != "" && c.settle(id, result{err: err}) {
			return
		}
		c.mu.Lock()
		handlers := append([]func(*RequestError){}, c.errorH...)
		c.mu.Unlock()
		for _, h := range handlers {
			h := h
			c.events.post(func() { h(err) })
		}
		return
	case "event":
	default:
		return
	}
	if message.Event == "" {
		return
	}
	var data any
	_ = json.Unmarshal(message.Data, &data)
	c.mu.Lock()
	// Events carry a fresh id, the same for every recipient: drop one seen already.
	if key, ok := eventKey(message.ID); ok {
		if _, seen := c.recent[key]; seen {
			c.mu.Unlock()
			return
		}
		c.recent[key] = struct{}{}
		c.order = append(c.order, key)
		if len(c.order) > recentEventIDs {
			delete(c.recent, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.track(message.Event, data)
	var fns []func(any)
	for _, h := range c.handlers[message.Event] {
		fns = append(fns, h.fn)
	}
	anyH := append([]func(string, any){}, c.anyH...)
	c.mu.Unlock()
	event := message.Event
	c.events.post(func() {
		for _, fn := range fns {
			call(func() { fn(data) })
		}
		for _, fn := range anyH {
			call(func() { fn(event, data) })
		}
	})
}

func eventKey(id any) (string, bool) {
	switch v := id.(type) {
	case string:
		return "s:" + v, true
	case float64:
		return "n:" + strconv.FormatFloat(v, 'g', -1, 64), true
	}
	return "", false
}

// track keeps what a reconnect must re-join in step with the events (c.mu held).
func (c *ArenaClient) track(event string, data any) {
	m, _ := data.(map[string]any)
	battleID, _ := m["battleId"].(string)
	switch {
	case event == "battle:matched" && battleID != "":
		c.queued = nil
		c.battleID = battleID
	case event == "battle:ended" && battleID != "" && battleID == c.battleID:
		c.battleID = ""
	}
}
