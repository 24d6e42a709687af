// ArenaClient: construction, handlers, the connection and what it tracks.

package ringside

import (
	"context"
	"sync"
)

// Events are the arena's server events; On(name, ...) handlers get the event's data
// (a map[string]any decoded from JSON).
var Events = []string{
	"battle:matched",
	"battle:submission",
	"battle:execution_result",
	"battle:ended",
	"chat:message",
	"notification:system",
	"notification:user",
	"team:member_joined",
	"team:practice_started",
	"team:code_shared",
}

// closeUnauthorized is the server's close code for a missing, bad or expired token.
const closeUnauthorized = 4401

const recentEventIDs = 200

// ArenaClient is a client of the arena endpoint (/v1). Create it with NewArenaClient.
type ArenaClient struct {
	cfg    Config
	sock   *socket
	events *dispatcher

	mu       sync.Mutex
	pending  map[string]*pendingRequest
	handlers map[string][]*handler
	anyH     []func(event string, data any)
	errorH   []func(err *RequestError)
	rejoinH  []func(RejoinReport)
	recent   map[string]struct{}
	order    []string
	channels map[string]map[string]any
	queued   map[string]any
	battleID string
}

type handler struct{ fn func(data any) }

// NewArenaClient makes a client; nothing connects until Connect (or the first request).
func NewArenaClient(cfg Config) *ArenaClient {
	cfg = cfg.withDefaults()
	c := &ArenaClient{
		cfg:      cfg,
		events:   newDispatcher(),
		pending:  map[string]*pendingRequest{},
		handlers: map[string][]*handler{},
		recent:   map[string]struct{}{},
		channels: map[string]map[string]any{},
	}
	c.sock = newSocket(cfg, "/v1", c.events)
	c.sock.onText = c.onText
	c.sock.onOpened = c.onOpened
	c.sock.onClosed = c.onClosed
	c.sock.shouldReconnect = func(info CloseInfo) bool {
		return info.Code != closeUnauthorized || cfg.TokenFunc != nil
	}
	return c
}

// -- handlers --------------------------------------------------------------------

// On adds a handler for a server event (see Events) and returns a function that
// removes it. Handlers run one at a time, in the server's order, on the client's event
// goroutine.
func (c *ArenaClient) On(event string, fn func(data any)) (remove func()) {
	h := &handler{fn}
	c.mu.Lock()
	c.handlers[event] = append(c.handlers[event], h)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		list := c.handlers[event]
		for i, x := range list {
			if x == h {
				c.handlers[event] = append(list[:i:i], list[i+1:]...)
				return
			}
		}
	}
}

// OnAny adds a handler for every server event.
func (c *ArenaClient) OnAny(fn func(event string, data any)) {
	c.mu.Lock()
	c.anyH = append(c.anyH, fn)
	c.mu.Unlock()
}

// OnError adds a handler for errors that answer no request of this client (such as
// UNAUTHORIZED before a 4401 close).
func (c *ArenaClient) OnError(fn func(err *RequestError)) {
	c.mu.Lock()
	c.errorH = append(c.errorH, fn)
	c.mu.Unlock()
}

// OnRejoin adds a handler told of every re-join after a reconnect.
func (c *ArenaClient) OnRejoin(fn func(RejoinReport)) {
	c.mu.Lock()
	c.rejoinH = append(c.rejoinH, fn)
	c.mu.Unlock()
}

// OnOpen, OnClose, OnReconnecting and OnFailed add handlers for the connection's life.
func (c *ArenaClient) OnOpen(fn func(OpenInfo)) {
	c.sock.handlersMu.Lock()
	c.sock.openHandlers = append(c.sock.openHandlers, fn)
	c.sock.handlersMu.Unlock()
}

func (c *ArenaClient) OnClose(fn func(CloseInfo)) {
	c.sock.handlersMu.Lock()
	c.sock.closeHandlers = append(c.sock.closeHandlers, fn)
	c.sock.handlersMu.Unlock()
}

func (c *ArenaClient) OnReconnecting(fn func(ReconnectingInfo)) {
	c.sock.handlersMu.Lock()
	c.sock.retryHandlers = append(c.sock.retryHandlers, fn)
	c.sock.handlersMu.Unlock()
}

func (c *ArenaClient) OnFailed(fn func(FailedInfo)) {
	c.sock.handlersMu.Lock()
	c.sock.failedHandlers = append(c.sock.failedHandlers, fn)
	c.sock.handlersMu.Unlock()
}

// -- connection ------------------------------------------------------------------

// Connect connects (if not connected) and returns once open, or with the reason the
// client closed for good first (a *SocketClosedError).
func (c *ArenaClient) Connect() error {
	return c.ConnectContext(context.Background())
}

// ConnectContext is Connect bounded by ctx (the client keeps trying in the background).
func (c *ArenaClient) ConnectContext(ctx context.Context) error {
	c.sock.start()
	return c.sock.waitOpen(ctx)
}

// Close closes for good: no reconnect; waiting requests fail with SocketClosedError.
// Handlers already queued still run. Connect starts the client again.
func (c *ArenaClient) Close() error {
	c.sock.close(1000, "")
	return nil
}

// State is the connection's state.
func (c *ArenaClient) State() State {
	c.sock.mu.Lock()
	defer c.sock.mu.Unlock()
	return c.sock.state
}

// Queued is the number of messages waiting for a connection.
func (c *ArenaClient) Queued() int {
	c.sock.mu.Lock()
	defer c.sock.mu.Unlock()
	return len(c.sock.queue)
}

// BattleID is the battle this user plays (from battle:matched to battle:ended), or "".
func (c *ArenaClient) BattleID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.battleID
}

// JoinedChannels are the chat channels this client has joined (and will re-join).
func (c *ArenaClient) JoinedChannels() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.channels))
	for name := range c.channels {
		names = append(names, name)
	}
	return names
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
