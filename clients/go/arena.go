package ringside

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
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

// RejoinReport tells what a reconnect re-joined: Event ("chat:join" or
// "battle:join"), the request's Data, and its Response or Err.
type RejoinReport struct {
	Event    string
	Data     map[string]any
	Response map[string]any
	Err      error
}

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

var requestCounter uint64

func newRequestID() string {
	n := atomic.AddUint64(&requestCounter, 1)
	return "req-" + strconv.FormatInt(time.Now().UnixNano()/1e6, 36) + "-" + strconv.FormatUint(n, 36) + "-" + randomHex(6)
}

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

// -- requests --------------------------------------------------------------------

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

// -- the protocol's requests -----------------------------------------------------

// JoinBattle joins the matchmaking queue ({"difficulty", "language"?, "mode"?}) or a
// battle by id ({"battleId", "language"?}). It returns the response (for the queue,
// {"status": "queued", ...}); the match arrives as "battle:matched".
func (c *ArenaClient) JoinBattle(data map[string]any) (map[string]any, error) {
	return c.JoinBattleContext(context.Background(), data)
}

func (c *ArenaClient) JoinBattleContext(ctx context.Context, data map[string]any) (map[string]any, error) {
	response, err := c.request(ctx, "battle:join", copyMap(data), "subscribe")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if _, ok := data["difficulty"]; ok && response["status"] == "queued" {
		c.queued = copyMap(data)
	}
	if id, ok := data["battleId"].(string); ok && response["status"] != "pending" {
		c.battleID = id
	}
	c.mu.Unlock()
	return response, nil
}

// LeaveBattle leaves the queue (battleID "") or gives up / withdraws from a battle.
func (c *ArenaClient) LeaveBattle(ctx context.Context, battleID string) (map[string]any, error) {
	data := map[string]any{}
	if battleID != "" {
		data["battleId"] = battleID
	}
	response, err := c.request(ctx, "battle:leave", data, "unsubscribe")
	if err == nil && battleID == "" {
		c.mu.Lock()
		c.queued = nil
		c.mu.Unlock()
	}
	return response, err
}

// Submit submits code to the current battle (battleID "": the one BattleID names). It
// returns the verdict ({"verdict", "testsPassed", "totalTests", "score", ...}).
func (c *ArenaClient) Submit(ctx context.Context, battleID, code, language string) (map[string]any, error) {
	if battleID == "" {
		battleID = c.BattleID()
	}
	if battleID == "" {
		return nil, errors.New("ringside: Submit: no battle (pass a battle id)")
	}
	return c.request(ctx, "battle:submit", map[string]any{"battleId": battleID, "code": code, "language": language}, "action")
}

// Invite invites a user to a battle ({"username", "difficulty", "language"?, "mode"?}).
func (c *ArenaClient) Invite(ctx context.Context, data map[string]any) (map[string]any, error) {
	return c.request(ctx, "battle:invite", copyMap(data), "action")
}

// RespondToNotification answers an invitation: action "accept" or "decline".
func (c *ArenaClient) RespondToNotification(ctx context.Context, notificationID, action, language string) (map[string]any, error) {
	data := map[string]any{"notificationId": notificationID, "action": action}
	if language != "" {
		data["language"] = language
	}
	return c.request(ctx, "notification:respond", data, "action")
}

// JoinChannel joins a chat channel (battleID: the battle's channel); it is re-joined
// after every reconnect until LeaveChannel. The response names the channel to use.
func (c *ArenaClient) JoinChannel(ctx context.Context, channel, battleID string) (map[string]any, error) {
	data := map[string]any{"channel": channel}
	if battleID != "" {
		data["battleId"] = battleID
	}
	response, err := c.request(ctx, "chat:join", data, "subscribe")
	if err != nil {
		return nil, err
	}
	name, _ := response["channel"].(string)
	if name == "" {
		name = channel
	}
	remembered := copyMap(data)
	remembered["channel"] = name
	c.mu.Lock()
	c.channels[name] = remembered
	c.mu.Unlock()
	return response, nil
}

// LeaveChannel leaves a chat channel.
func (c *ArenaClient) LeaveChannel(ctx context.Context, channel string) (map[string]any, error) {
	c.mu.Lock()
	delete(c.channels, channel)
	c.mu.Unlock()
	return c.request(ctx, "chat:leave", map[string]any{"channel": channel}, "unsubscribe")
}

// SendChat sends a message to a joined channel (replyTo: a message id, or "").
func (c *ArenaClient) SendChat(ctx context.Context, channel, message, replyTo string) (map[string]any, error) {
	data := map[string]any{"channel": channel, "message": message}
	if replyTo != "" {
		data["replyTo"] = replyTo
	}
	return c.request(ctx, "chat:send", data, "action")
}

// StartTeamPractice starts a team practice session ({"teamId", "topic", "participants"?}).
func (c *ArenaClient) StartTeamPractice(ctx context.Context, data map[string]any) (map[string]any, error) {
	return c.request(ctx, "team:practice_start", copyMap(data), "action")
}

// ShareCode shares code with a team ({"teamId", "problemId", "code", "language", "note"?}).
func (c *ArenaClient) ShareCode(ctx context.Context, data map[string]any) (map[string]any, error) {
	return c.request(ctx, "team:share_code", copyMap(data), "action")
}

// Ping is a round trip to the server: its time and the measured latency.
func (c *ArenaClient) Ping(ctx context.Context) (serverTime string, latency time.Duration, err error) {
	started := time.Now()
	response, err := c.request(ctx, "system:ping", nil, "action")
	if err != nil {
		return "", 0, err
	}
	serverTime, _ = response["serverTime"].(string)
	return serverTime, time.Since(started), nil
}

// -- incoming --------------------------------------------------------------------

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

// onOpened re-joins after a reconnect (writeMu held: these go out before any queued
// message). Only sent here; the answers are awaited on other goroutines.
func (c *ArenaClient) onOpened(info OpenInfo, send func([]byte) error) {
	if !info.Reconnected {
		return
	}
	direct := func(data []byte, onSent func()) error {
		onSent()
		return send(data)
	}
	c.mu.Lock()
	var joins []map[string]any
	for _, channel := range c.channels {
		joins = append(joins, copyMap(channel))
	}
	battleID, queued := c.battleID, copyMap(c.queued)
	c.mu.Unlock()
	for _, data := range joins {
		c.rejoin("chat:join", data, direct)
	}
	if battleID != "" {
		c.rejoin("battle:join", map[string]any{"battleId": battleID}, direct)
	} else if queued != nil {
		c.rejoin("battle:join", queued, direct)
	}
}

func (c *ArenaClient) rejoin(event string, data map[string]any, send func([]byte, func()) error) {
	p, err := c.start(event, data, "subscribe", send)
	if err != nil {
		c.reportRejoin(RejoinReport{Event: event, Data: data, Err: err})
		return
	}
	go func() {
		response, err := c.wait(context.Background(), p)
		if err != nil {
			c.rejoinFailed(event, data, err)
		} else if _, queue := data["difficulty"]; queue && event == "battle:join" && response["status"] != "queued" {
			c.mu.Lock()
			c.queued = nil
			c.mu.Unlock()
		}
		c.reportRejoin(RejoinReport{Event: event, Data: data, Response: response, Err: err})
	}()
}

func (c *ArenaClient) rejoinFailed(event string, data map[string]any, err error) {
	if event != "battle:join" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := data["battleId"].(string); ok {
		// The battle ended while we were away.
		if c.battleID == id {
			c.battleID = ""
		}
		return
	}
	c.queued = nil
	// Matched just before the drop (battle:matched was lost with it): go to the battle.
	var requestErr *RequestError
	if errors.As(err, &requestErr) && requestErr.Code == "ALREADY_IN_BATTLE" {
		if id, ok := requestErr.Details["battleId"].(string); ok {
			c.battleID = id
			go func() {
				_, err := c.JoinBattle(map[string]any{"battleId": id})
				c.reportRejoin(RejoinReport{Event: "battle:join", Data: map[string]any{"battleId": id}, Err: err})
			}()
		}
	}
}

func (c *ArenaClient) reportRejoin(report RejoinReport) {
	c.mu.Lock()
	handlers := append([]func(RejoinReport){}, c.rejoinH...)
	c.mu.Unlock()
	for _, h := range handlers {
		h := h
		c.events.post(func() { h(report) })
	}
}

func (s *socket) reasonLocked() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeReason
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
