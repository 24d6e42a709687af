// Requests: ids, waiting for the answer (timeout, context), and what a dropped
// connection does to the requests it took with it.

package ringside

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"time"
)

type result struct {
	data map[string]any
	err  error
}

type pendingRequest struct {
	label string
	id    string
	sent  bool
	done  chan result
}

var requestCounter uint64

func newRequestID() string {
	n := atomic.AddUint64(&requestCounter, 1)
	return "req-" + strconv.FormatInt(time.Now().UnixNano()/1e6, 36) + "-" + strconv.FormatUint(n, 36) + "-" + randomHex(6)
}

// Request sends a request ({id, type, event, data, timestamp}) and returns its
// response's data. Errors: *RequestError (the server's error), *RequestTimeoutError,
// *ConnectionLostError (sent, then the connection dropped), *QueueFullError,
// *SocketClosedError, or ctx's error.
func (c *ArenaClient) Request(ctx context.Context, event string, data map[string]any) (map[string]any, error) {
	return c.request(ctx, event, data, "action")
}

func (c *ArenaClient) request(ctx context.Context, event string, data map[string]any, kind string) (map[string]any, error) {
	p, err := c.start(event, data, kind, nil)
	if err != nil {
		return nil, err
	}
	return c.wait(ctx, p)
}

// start registers a request and sends it with send (nil: through the socket, queued
// while offline).
func (c *ArenaClient) start(event string, data map[string]any, kind string, send func([]byte, func()) error) (*pendingRequest, error) {
	if data == nil {
		data = map[string]any{}
	}
	id := newRequestID()
	message, err := json.Marshal(map[string]any{
		"id": id, "type": kind, "event": event, "data": data,
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"),
	})
	if err != nil {
		return nil, err
	}
	p := &pendingRequest{label: event, id: id, done: make(chan result, 1)}
	c.mu.Lock()
	c.pending[id] = p
	c.mu.Unlock()
	onSent := func() {
		c.mu.Lock()
		p.sent = true
		c.mu.Unlock()
	}
	if send != nil {
		err = send(message, onSent)
	} else {
		err = c.sock.sendKeyed(message, onSent, id)
	}
	if err != nil {
		c.forget(p)
		return nil, err
	}
	return p, nil
}

// wait waits for the answer until ctx ends, or, when ctx has no deadline, for
// RequestTimeout.
func (c *ArenaClient) wait(ctx context.Context, p *pendingRequest) (map[string]any, error) {
	defer func() {
		c.mu.Lock()
		waiting := c.pending[p.id] == p
		sent := p.sent
		if waiting {
			delete(c.pending, p.id)
		}
		c.mu.Unlock()
		// Given up (timed out, or ctx ended) while still offline: it must not go out later.
		if waiting && !sent {
			c.sock.discard(p.id)
		}
	}()
	var expired <-chan time.Time
	if _, hasDeadline := ctx.Deadline(); !hasDeadline {
		timer := time.NewTimer(c.cfg.RequestTimeout)
		defer timer.Stop()
		expired = timer.C
	}
	select {
	case r := <-p.done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-expired:
		c.mu.Lock()
		sent := p.sent
		c.mu.Unlock()
		return nil, &RequestTimeoutError{Request: p.label, RequestID: p.id, Timeout: c.cfg.RequestTimeout, Sent: sent}
	}
}

func (c *ArenaClient) forget(p *pendingRequest) {
	c.mu.Lock()
	if c.pending[p.id] == p {
		delete(c.pending, p.id)
	}
	c.mu.Unlock()
}

// settle answers a pending request (false: no such request).
func (c *ArenaClient) settle(id string, r result) bool {
	c.mu.Lock()
	p := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if p == nil {
		return false
	}
	p.done <- r
	return true
}

// onClosed fails the requests a dropped connection took with it.
func (c *ArenaClient) onClosed(info CloseInfo) {
	c.mu.Lock()
	var settle []*pendingRequest
	var errs []error
	for id, p := range c.pending {
		switch {
		case p.sent:
			settle = append(settle, p)
			errs = append(errs, &ConnectionLostError{Request: p.label, RequestID: id, CloseCode: info.Code, CloseReason: info.Reason})
		case !info.WillReconnect:
			settle = append(settle, p)
			errs = append(errs, &SocketClosedError{Reason: c.sock.reasonLocked() + "; " + p.label + " was never sent"})
		default:
			continue
		}
		delete(c.pending, id)
	}
	c.mu.Unlock()
	for i, p := range settle {
		p.done <- result{err: errs[i]}
	}
}
