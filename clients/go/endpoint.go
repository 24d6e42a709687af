package ringside

import (
	"fmt"
	"math/rand"
	"net/url"
	"sync"
	"time"
)

// endpointURL is base with path added unless base has a path of its own; http(s)
// becomes ws(s); the token goes in ?token=.
func endpointURL(base, path, token string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("ringside: invalid address %q: %w", base, err)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	case "ws", "wss":
	default:
		return "", fmt.Errorf("ringside: not a ws://, wss://, http:// or https:// address: %q", base)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = path
	}
	q := u.Query()
	q.Del("token")
	if token != "" {
		q.Set("token", token)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

var (
	randomMu sync.Mutex
	random   = rand.New(rand.NewSource(time.Now().UnixNano()))
)

func randomFloat() float64 {
	randomMu.Lock()
	defer randomMu.Unlock()
	return random.Float64()
}

func randomHex(n int) string {
	randomMu.Lock()
	defer randomMu.Unlock()
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[random.Intn(16)]
	}
	return string(b)
}
