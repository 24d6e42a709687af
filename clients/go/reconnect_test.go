package ringside

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// The server restarts under a queued player, who comes back, is queued again by the
// client (the new process has an empty queue) and is still matched.
func TestSurvivesAServerRestartAndRejoinsTheQueue(t *testing.T) {
	url := setting(t, "RINGSIDE_TEST_URL")
	alice, bob := newAccount(t), newAccount(t)
	a := NewArenaClient(fastConfig(alice.Token, url))
	defer a.Close()
	var mu sync.Mutex
	var closes []CloseInfo
	var opens []OpenInfo
	retries := 0
	a.OnClose(func(info CloseInfo) { mu.Lock(); closes = append(closes, info); mu.Unlock() })
	a.OnOpen(func(info OpenInfo) { mu.Lock(); opens = append(opens, info); mu.Unlock() })
	a.OnReconnecting(func(ReconnectingInfo) { mu.Lock(); retries++; mu.Unlock() })
	rejoined := make(chan RejoinReport, 4)
	a.OnRejoin(func(r RejoinReport) { rejoined <- r })

	if err := a.Connect(); err != nil {
		t.Fatal(err)
	}
	if r, err := a.JoinBattle(map[string]any{"difficulty": "medium", "language": "javascript"}); err != nil || r["status"] != "queued" {
		t.Fatalf("join: %v %v", r, err)
	}
	restartServer(t)
	report := receive(t, rejoined, "rejoin")
	if report.Event != "battle:join" || report.Err != nil || report.Response["status"] != "queued" ||
		report.Data["difficulty"] != "medium" || report.Data["language"] != "javascript" {
		t.Fatalf("rejoin: %+v", report)
	}
	mu.Lock()
	if len(closes) == 0 || closes[0].Code != 1001 || !closes[0].WillReconnect || !closes[0].WasOpen {
		t.Errorf("closes: %+v", closes)
	}
	if len(opens) != 2 || opens[0].Reconnected || !opens[1].Reconnected || retries < 1 {
		t.Errorf("opens %+v, %d reconnect attempts", opens, retries)
	}
	mu.Unlock()

	// The re-joined queue entry is real: a new player is matched with Alice.
	matched := next(a, "battle:matched")
	b := NewArenaClient(fastConfig(bob.Token, url))
	defer b.Close()
	if _, err := b.JoinBattle(map[string]any{"difficulty": "medium", "language": "javascript"}); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, matched, "battle:matched"); m["opponent"].(map[string]any)["username"] != bob.User.Username {
		t.Fatalf("matched with %v", m["opponent"])
	}
	if _, _, err := a.Ping(timeout(t)); err != nil {
		t.Fatal(err)
	}
}

// Requests made offline wait in a bounded queue; Close fails them.
func TestTheOfflineQueueIsBoundedAndDroppedOnClose(t *testing.T) {
	cfg := fastConfig("t", "ws://127.0.0.1:"+closedPort(t))
	cfg.MaxQueued = 2
	cfg.BaseDelay = 200 * time.Millisecond
	c := NewArenaClient(cfg)
	results := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func() { _, _, err := c.Ping(timeout(t)); results <- err }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.Queued() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if state := c.State(); state != StateConnecting && state != StateReconnecting {
		t.Fatalf("state %s", state)
	}
	_, _, err := c.Ping(timeout(t))
	var full *QueueFullError
	if !errors.As(err, &full) || full.MaxQueued != 2 {
		t.Fatalf("third request: %v", err)
	}
	c.Close()
	for i := 0; i < 2; i++ {
		if err := receive(t, results, "queued request"); !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "was never sent") {
			t.Fatalf("queued request after Close: %v", err)
		}
	}
}

// Reconnecting gives up after MaxAttempts consecutive failures, with backoff between.
func TestGivesUpAfterMaxAttempts(t *testing.T) {
	cfg := Config{Token: "t", URL: "ws://127.0.0.1:" + closedPort(t), BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxAttempts: 3}
	c := NewArenaClient(cfg)
	defer c.Close()
	var mu sync.Mutex
	var delays []time.Duration
	c.OnReconnecting(func(info ReconnectingInfo) { mu.Lock(); delays = append(delays, info.Delay); mu.Unlock() })
	failed := make(chan FailedInfo, 1)
	c.OnFailed(func(info FailedInfo) { failed <- info })
	err := c.Connect()
	if !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "gave up after 3 reconnect attempts") {
		t.Fatalf("Connect: %v", err)
	}
	if info := receive(t, failed, "failed"); info.Attempts != 3 {
		t.Fatalf("failed: %+v", info)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(delays) != 3 {
		t.Fatalf("reconnect delays %v", delays)
	}
}

func TestBackoffDelayGrowsWithJitterAndIsCapped(t *testing.T) {
	half := func() float64 { return 0.5 }
	for attempt, want := range []time.Duration{500, 1000, 2000, 4000} {
		if got := BackoffDelay(attempt, 500*time.Millisecond, 30*time.Second, 0.5, half); got != want*time.Millisecond {
			t.Errorf("attempt %d: %v, want %v", attempt, got, want*time.Millisecond)
		}
	}
	if got := BackoffDelay(40, 500*time.Millisecond, 30*time.Second, 0.5, func() float64 { return 0 }); got != 15*time.Second {
		t.Errorf("capped, lowest jitter: %v", got)
	}
	if got := BackoffDelay(0, time.Second, 30*time.Second, 0.5, func() float64 { return 0.999999 }); got <= 1490*time.Millisecond || got >= 1500*time.Millisecond {
		t.Errorf("highest jitter: %v", got)
	}
}

// A closed client connects again, and its handlers keep running.
func TestConnectAgainAfterClose(t *testing.T) {
	c := NewArenaClient(fastConfig(newAccount(t).Token, setting(t, "RINGSIDE_TEST_URL")))
	defer c.Close()
	opens := make(chan OpenInfo, 2)
	c.OnOpen(func(info OpenInfo) { opens <- info })
	if err := c.Connect(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, _, err := c.Ping(timeout(t)); !errors.Is(err, ErrClosed) {
		t.Fatalf("ping while closed: %v", err)
	}
	if err := c.Connect(); err != nil {
		t.Fatal(err)
	}
	if first, second := receive(t, opens, "open"), receive(t, opens, "open"); first.Reconnected || !second.Reconnected {
		t.Fatalf("opens %+v %+v", first, second)
	}
	if _, _, err := c.Ping(timeout(t)); err != nil {
		t.Fatal(err)
	}
}

// A handler may wait for a request of its own client: the connection is read on
// another goroutine.
func TestHandlersMayCallTheClient(t *testing.T) {
	c := NewArenaClient(fastConfig(newAccount(t).Token, setting(t, "RINGSIDE_TEST_URL")))
	defer c.Close()
	ctx := timeout(t)
	channel := "go-" + randomHex(6)
	if _, err := c.JoinChannel(ctx, channel, ""); err != nil {
		t.Fatal(err)
	}
	pinged := make(chan error, 1)
	c.On("chat:message", func(any) {
		_, _, err := c.Ping(ctx)
		pinged <- err
	})
	if _, err := c.SendChat(ctx, channel, "hello", ""); err != nil {
		t.Fatal(err)
	}
	if err := receive(t, pinged, "ping from a handler"); err != nil {
		t.Fatal(err)
	}
}

// A request given up on while offline leaves the queue: it is never sent later.
func TestARequestThatTimesOutOfflineIsNeverSentLater(t *testing.T) {
	cfg := fastConfig("t", "ws://127.0.0.1:"+closedPort(t))
	cfg.RequestTimeout = 300 * time.Millisecond
	c := NewArenaClient(cfg)
	defer c.Close()
	kept := make(chan error, 1)
	go func() { _, _, err := c.Ping(timeout(t)); kept <- err }()
	_, err := c.JoinChannel(context.Background(), "general", "")
	var timedOut *RequestTimeoutError
	if !errors.As(err, &timedOut) || timedOut.Sent || !strings.Contains(err.Error(), "never sent") {
		t.Fatalf("offline request: %v", err)
	}
	if queued := c.Queued(); queued != 1 {
		t.Fatalf("%d queued, want only the request still waiting", queued)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.JoinChannel(ctx, "general", ""); !errors.Is(err, context.Canceled) || c.Queued() != 1 {
		t.Fatalf("cancelled request: %v, %d queued", err, c.Queued())
	}
	c.Close()
	if err := receive(t, kept, "the kept request"); !errors.Is(err, ErrClosed) {
		t.Fatalf("kept request after Close: %v", err)
	}
}
