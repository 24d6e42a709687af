package ringside

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// State of a client's connection.
type State string

const (
	StateIdle         State = "idle"
	StateConnecting   State = "connecting"
	StateOpen         State = "open"
	StateReconnecting State = "reconnecting"
	StateClosed       State = "closed"
)

// OpenInfo describes a connection that opened.
type OpenInfo struct {
	URL string
	// Reconnected is false on the first connection, true on every later one.
	Reconnected bool
}

// CloseInfo describes the end of a connection or of a failed attempt.
type CloseInfo struct {
	Code   int
	Reason string
	// WillReconnect: a reconnect follows. False: the client is now closed.
	WillReconnect bool
	// WasOpen: the connection had opened (false: an attempt that failed).
	WasOpen bool
}

// ReconnectingInfo: reconnect attempt Attempt starts after Delay.
type ReconnectingInfo struct {
	Attempt     int
	Delay       time.Duration
	MaxAttempts int
}

// FailedInfo: reconnecting gave up (or cannot work); the client is closed.
type FailedInfo struct {
	Attempts  int
	LastClose CloseInfo
	// Dropped is the number of queued messages thrown away.
	Dropped int
	Err     error
}

const maxMessageBytes = 16 << 20

type queuedMessage struct {
	data   []byte
	onSent func()
	// key names the message for discard ("" for none).
	key string
}

// socket is the reconnecting connection under a protocol client: states, backoff,
// heartbeat, the offline queue, and hooks for the protocol (text in, open, close).
//
// Locks: writeMu (held for every write, and for the decision to send or queue, so
// that a reconnect's re-joins and queued messages go out before anything newer) is
// taken before mu (the state).
type socket struct {
	cfg    Config
	path   string
	events *dispatcher

	writeMu sync.Mutex
	mu      sync.Mutex
	state   State
	conn    *websocket.Conn
	queue   []queuedMessage
	attempt int
	// everOpened makes every open after the first a reconnect.
	everOpened  bool
	closeReason string
	changed     chan struct{}
	cancel      context.CancelFunc
	runDone     chan struct{}

	// Protocol hooks. onOpened runs holding writeMu, before queued messages go out;
	// it sends with the given function. onClosed runs before the close handlers.
	onText          func(data []byte)
	onOpened        func(info OpenInfo, send func([]byte) error)
	onClosed        func(info CloseInfo)
	shouldReconnect func(info CloseInfo) bool

	handlersMu     sync.Mutex
	openHandlers   []func(OpenInfo)
	closeHandlers  []func(CloseInfo)
	retryHandlers  []func(ReconnectingInfo)
	failedHandlers []func(FailedInfo)
}

func newSocket(cfg Config, path string, events *dispatcher) *socket {
	return &socket{
		cfg:         cfg,
		path:        path,
		events:      events,
		state:       StateIdle,
		closeReason: "not connected yet",
		changed:     make(chan struct{}),
	}
}

func (s *socket) setState(state State) {
	if s.state == state {
		return
	}
	s.state = state
	close(s.changed)
	s.changed = make(chan struct{})
}

// start begins connecting in the background when idle or closed.
func (s *socket) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != StateIdle && s.state != StateClosed {
		return
	}
	s.attempt = 0
	s.setState(StateConnecting)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.runDone = make(chan struct{})
	go s.run(ctx, s.runDone)
}

// waitOpen returns when the socket is open, or with a SocketClosedError when it
// closes for good first, or with ctx's error.
func (s *socket) waitOpen(ctx context.Context) error {
	for {
		s.mu.Lock()
		state, changed, reason := s.state, s.changed, s.closeReason
		s.mu.Unlock()
		switch state {
		case StateOpen:
			return nil
		case StateClosed:
			return &SocketClosedError{Reason: reason}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// send writes now when open, else queues. onSent runs (before the write) once the
// message is handed to a connection: if that connection then drops, the request is
// reported lost rather than resent (at most once).
func (s *socket) send(data []byte, onSent func()) error {
	return s.sendKeyed(data, onSent, "")
}

// sendKeyed is send with a key under which a queued message can be discarded.
func (s *socket) sendKeyed(data []byte, onSent func(), key string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	if s.state == StateIdle {
		s.mu.Unlock()
		s.start() // a request before Connect starts the connection
		s.mu.Lock()
	}
	switch {
	case s.state == StateClosed:
		reason := s.closeReason
		s.mu.Unlock()
		return &SocketClosedError{Reason: reason}
	case s.state == StateOpen && s.conn != nil:
		conn := s.conn
		s.mu.Unlock()
		if onSent != nil {
			onSent()
		}
		// A failed write means the connection is going: the read loop reports it.
		_ = writeText(conn, data)
		return nil
	case len(s.queue) >= s.cfg.MaxQueued:
		s.mu.Unlock()
		return &QueueFullError{MaxQueued: s.cfg.MaxQueued}
	default:
		s.queue = append(s.queue, queuedMessage{data, onSent, key})
		s.mu.Unlock()
		return nil
	}
}

// discard takes the queued message with this key out of the offline queue: a request
// given up on before it went out is then never sent.
func (s *socket) discard(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.queue {
		if m.key == key {
			s.queue = append(s.queue[:i:i], s.queue[i+1:]...)
			return true
		}
	}
	return false
}

func writeText(conn *websocket.Conn, data []byte) error {
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return conn.WriteMessage(websocket.TextMessage, data)
}

// close closes for good: no reconnect, queued messages dropped, a close frame sent and
// the server's answer awaited (at most 2 s).
func (s *socket) close(code int, reason string) {
	s.mu.Lock()
	if s.state == StateClosed || s.state == StateIdle {
		if s.state == StateIdle {
			s.closeReason = "Close was called"
			s.setState(StateClosed)
		}
		s.mu.Unlock()
		return
	}
	conn, cancel, done := s.conn, s.cancel, s.runDone
	wasOpen := s.state == StateOpen
	s.conn = nil
	s.queue = nil
	s.closeReason = "Close was called"
	s.setState(StateClosed)
	s.mu.Unlock()

	cancel()
	if conn != nil {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		select {
		case <-done: // the read loop saw the server's close
		case <-time.After(2 * time.Second):
		}
		_ = conn.Close()
	}
	<-done
	info := CloseInfo{Code: code, Reason: reason, WasOpen: wasOpen}
	s.onClosed(info)
	s.emitClose(info)
}

func (s *socket) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		info, wasOpen, openedAt, fatal := s.connectOnce(ctx)
		if ctx.Err() != nil {
			return // Close was called: it reports the end
		}
		s.mu.Lock()
		s.conn = nil
		if wasOpen && time.Since(openedAt) >= s.cfg.ResetAfter {
			s.attempt = 0
		}
		described := fmt.Sprintf("%d", info.Code)
		if info.Reason != "" {
			described += fmt.Sprintf(" %q", info.Reason)
		}
		finalReason := ""
		switch {
		case fatal != nil:
			finalReason = "cannot connect: " + fatal.Error()
		case s.cfg.DisableReconnect:
			finalReason = "connection closed (" + described + ") and reconnecting is off"
		case s.shouldReconnect != nil && !s.shouldReconnect(info):
			finalReason = "connection closed (" + described + "); reconnecting would not help"
		case s.cfg.MaxAttempts > 0 && s.attempt >= s.cfg.MaxAttempts:
			finalReason = fmt.Sprintf("gave up after %d reconnect attempts; last close %s", s.attempt, described)
		}
		if finalReason != "" {
			dropped := len(s.queue)
			s.queue = nil
			s.closeReason = finalReason
			s.setState(StateClosed)
			attempts := s.attempt
			s.mu.Unlock()
			info.WasOpen = wasOpen
			s.onClosed(info)
			s.emitClose(info)
			if fatal != nil || !s.cfg.DisableReconnect {
				s.emitFailed(FailedInfo{Attempts: attempts, LastClose: info, Dropped: dropped, Err: fatal})
			}
			return
		}
		delay := BackoffDelay(s.attempt, s.cfg.BaseDelay, s.cfg.MaxDelay, s.cfg.Jitter, s.cfg.Random)
		s.attempt++
		attempt := s.attempt
		s.setState(StateReconnecting)
		s.mu.Unlock()
		info.WillReconnect, info.WasOpen = true, wasOpen
		s.onClosed(info)
		s.emitClose(info)
		s.emitRetry(ReconnectingInfo{Attempt: attempt, Delay: delay, MaxAttempts: s.cfg.MaxAttempts})

		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return
		}
		s.mu.Lock()
		if ctx.Err() == nil {
			s.setState(StateConnecting)
		}
		s.mu.Unlock()
	}
}

// connectOnce is one attempt and, if it opens, the connection's life. It returns how
// it ended, whether it had opened and when, and an error that makes retrying pointless.
func (s *socket) connectOnce(ctx context.Context) (CloseInfo, bool, time.Time, error) {
	token := s.cfg.Token
	if s.cfg.TokenFunc != nil {
		fresh, err := s.cfg.TokenFunc(ctx)
		if err != nil {
			return CloseInfo{Code: 1006, Reason: "no token: " + err.Error()}, false, time.Time{}, nil
		}
		token = fresh
	}
	address, err := endpointURL(s.cfg.URL, s.path, token)
	if err != nil {
		return CloseInfo{Code: 1006, Reason: "invalid address"}, false, time.Time{}, err
	}
	dialer := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: s.cfg.ConnectTimeout}
	dialCtx, cancelDial := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	conn, response, err := dialer.DialContext(dialCtx, address, nil)
	cancelDial()
	if err != nil {
		reason := "cannot connect: " + err.Error()
		if response != nil {
			reason = fmt.Sprintf("cannot connect: HTTP %d", response.StatusCode)
		}
		return CloseInfo{Code: 1006, Reason: reason}, false, time.Time{}, nil
	}
	conn.SetReadLimit(maxMessageBytes)

	s.writeMu.Lock()
	s.mu.Lock()
	if ctx.Err() != nil {
		s.mu.Unlock()
		s.writeMu.Unlock()
		_ = conn.Close()
		return CloseInfo{Code: 1000}, false, time.Time{}, nil
	}
	s.conn = conn
	openedAt := time.Now()
	info := OpenInfo{URL: address, Reconnected: s.everOpened}
	s.everOpened = true
	s.setState(StateOpen)
	queue := s.queue
	s.queue = nil
	s.mu.Unlock()
	if s.onOpened != nil {
		s.onOpened(info, func(data []byte) error { return writeText(conn, data) })
	}
	for _, m := range queue {
		if m.onSent != nil {
			m.onSent()
		}
		_ = writeText(conn, m.data)
	}
	s.writeMu.Unlock()
	s.emitOpen(info)

	stopPings := make(chan struct{})
	defer close(stopPings)
	alive := func() {
		_ = conn.SetReadDeadline(time.Now().Add(s.cfg.PingInterval + s.cfg.PingTimeout))
	}
	alive()
	conn.SetPongHandler(func(string) error { alive(); return nil })
	go s.ping(conn, stopPings)
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			_ = conn.Close()
			return closeInfoOf(err), true, openedAt, nil
		}
		alive()
		s.onText(data)
	}
}

// ping sends a ping every PingInterval; the read deadline (moved by every message and
// pong) finds a connection that stopped answering.
func (s *socket) ping(conn *websocket.Conn, stop <-chan struct{}) {
	ticker := time.NewTicker(s.cfg.PingInterval)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			_ = conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.cfg.PingTimeout))
		}
	}
}

func closeInfoOf(err error) CloseInfo {
	var closeErr *websocket.CloseError
	if errors.As(err, &closeErr) {
		return CloseInfo{Code: closeErr.Code, Reason: closeErr.Text}
	}
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) && netErr.Timeout() {
		return CloseInfo{Code: 1006, Reason: "heartbeat timeout: nothing received"}
	}
	return CloseInfo{Code: 1006, Reason: err.Error()}
}
