package ringside

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// The test problem bank's `add` (test/apps/arena-client.ts): four tests, two hidden.
const (
	rightAnswer = "function add(a, b) {\n  return a + b;\n}\n"
	// wrongAnswer passes only the test whose second argument is 0.
	wrongAnswer = "function add(a, b) {\n  return a - b;\n}\n"
)

// setting reads an address given by test/clients/go.test.ts, which starts the server.
func setting(t *testing.T, name string) string {
	t.Helper()
	value := os.Getenv(name)
	if value == "" {
		t.Fatalf("%s is not set: run these tests through test/clients/go.test.ts", name)
	}
	return value
}

type account struct {
	Token string `json:"token"`
	User  struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"user"`
}

func postJSON(t *testing.T, url string, body any, out any) {
	t.Helper()
	payload, _ := json.Marshal(body)
	client := http.Client{Timeout: 60 * time.Second}
	response, err := client.Post(url, "application/json", bytes.NewReader(payload))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer response.Body.Close()
	if response.StatusCode >= 300 {
		t.Fatalf("POST %s: status %d", url, response.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(response.Body).Decode(out); err != nil {
			t.Fatalf("POST %s: %v", url, err)
		}
	}
}

func newAccount(t *testing.T) account {
	t.Helper()
	name := make([]byte, 5)
	_, _ = rand.Read(name)
	var a account
	postJSON(t, setting(t, "RINGSIDE_TEST_HTTP")+"/api/auth/register",
		map[string]string{"username": "go_" + hex.EncodeToString(name), "password": "correct-horse-battery"}, &a)
	return a
}

// restartServer stops `ringside serve` and starts it again on the same port and data.
func restartServer(t *testing.T) {
	t.Helper()
	postJSON(t, setting(t, "RINGSIDE_TEST_CONTROL")+"/restart", map[string]any{}, nil)
}

// fast reconnects for tests.
func fastConfig(token, url string) Config {
	return Config{Token: token, URL: url, BaseDelay: 50 * time.Millisecond, MaxDelay: 500 * time.Millisecond, MaxAttempts: 100}
}

// next returns a channel that gets the data of the client's next `event`.
func next(c *ArenaClient, event string) <-chan map[string]any {
	ch := make(chan map[string]any, 1)
	var remove func()
	remove = c.On(event, func(data any) {
		m, _ := data.(map[string]any)
		select {
		case ch <- m:
			remove()
		default:
		}
	})
	return ch
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s within 30 s", what)
		panic("unreachable")
	}
}

func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// closedPort is a port on 127.0.0.1 where nothing listens (bound, then released).
func closedPort(t *testing.T) string {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	return fmt.Sprint(listener.Addr().(*net.TCPAddr).Port)
}
