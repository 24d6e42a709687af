package ringside

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// silentServer accepts every WebSocket and reads every message, and never replies.
func silentServer(t *testing.T) (url string, received func() []string) {
	var mu sync.Mutex
	var messages []string
	upgrader := websocket.Upgrader{}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			mu.Lock()
			messages = append(messages, string(data))
			mu.Unlock()
		}
	}))
	t.Cleanup(server.Close)
	return "ws" + strings.TrimPrefix(server.URL, "http"), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string{}, messages...)
	}
}

func TestARequestTheServerNeverAnswersTimesOut(t *testing.T) {
	url, received := silentServer(t)
	cfg := Config{Token: "t", URL: url, RequestTimeout: 500 * time.Millisecond}
	c := NewArenaClient(cfg)
	defer c.Close()
	if err := c.Connect(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	_, err := c.JoinBattle(map[string]any{"difficulty": "medium"})
	elapsed := time.Since(started)
	var timedOut *RequestTimeoutError
	if !errors.As(err, &timedOut) || timedOut.Request != "battle:join" || !strings.HasPrefix(timedOut.RequestID, "req-") {
		t.Fatalf("JoinBattle: %v", err)
	}
	if elapsed < 450*time.Millisecond || elapsed > 5*time.Second {
		t.Fatalf("timed out after %v", elapsed)
	}
	// It did go out, with the id the error names; the connection stays usable.
	found := false
	for _, m := range received() {
		found = found || strings.Contains(m, timedOut.RequestID)
	}
	if !found || c.State() != StateOpen {
		t.Fatalf("sent %v, state %s", received(), c.State())
	}
	// A context's deadline wins over the request timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := c.Ping(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ping with a context deadline: %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) != 0 {
		t.Fatalf("%d requests still pending", len(c.pending))
	}
}
