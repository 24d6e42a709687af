package ringside

import (
	"context"
	"os"
	"time"
)

// Config of a client. Only Token is usually needed; zero values mean the defaults.
type Config struct {
	// Token is the JWT (sent as ?token=).
	Token string
	// TokenFunc, if set, is called before every connection attempt for a fresh token
	// (then a 4401 close is retried, as the new token may be valid).
	TokenFunc func(ctx context.Context) (string, error)
	// URL is the server's base address (ws://host:port; the /v1 path is added) or the
	// full endpoint. Default: $RINGSIDE_URL, else ws://localhost:8080.
	URL string

	// DisableReconnect turns reconnecting off (it is on by default).
	DisableReconnect bool
	// MaxAttempts is the number of consecutive reconnect attempts before giving up
	// (default 10; negative: never give up).
	MaxAttempts int
	// BaseDelay is the first reconnect delay before jitter (default 500 ms).
	BaseDelay time.Duration
	// MaxDelay caps the exponential delay before jitter (default 30 s).
	MaxDelay time.Duration
	// Jitter: the delay is multiplied by a factor in [1-Jitter, 1+Jitter) (default
	// 0.5; negative: none).
	Jitter float64
	// ResetAfter: a connection that stayed open this long resets the attempt count
	// (default 3 s).
	ResetAfter time.Duration
	// ConnectTimeout bounds one attempt's dial and handshake (default 10 s).
	ConnectTimeout time.Duration
	// PingInterval: a ping after this long; the connection is dead when nothing (not
	// even the pong) arrives within PingTimeout more (defaults 15 s and 10 s).
	PingInterval time.Duration
	PingTimeout  time.Duration
	// RequestTimeout bounds each request without a context deadline (default 30 s).
	RequestTimeout time.Duration
	// MaxQueued is the number of messages kept while offline (default 100).
	MaxQueued int
	// Random returns numbers in [0, 1) for the jitter (tests pin it).
	Random func() float64
}

func (c Config) withDefaults() Config {
	if c.URL == "" {
		c.URL = os.Getenv("RINGSIDE_URL")
	}
	if c.URL == "" {
		c.URL = "ws://localhost:8080"
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 10
	}
	setDuration(&c.BaseDelay, 500*time.Millisecond)
	setDuration(&c.MaxDelay, 30*time.Second)
	setDuration(&c.ResetAfter, 3*time.Second)
	setDuration(&c.ConnectTimeout, 10*time.Second)
	setDuration(&c.PingInterval, 15*time.Second)
	setDuration(&c.PingTimeout, 10*time.Second)
	setDuration(&c.RequestTimeout, 30*time.Second)
	if c.Jitter == 0 {
		c.Jitter = 0.5
	} else if c.Jitter < 0 {
		c.Jitter = 0
	}
	if c.MaxQueued == 0 {
		c.MaxQueued = 100
	}
	if c.Random == nil {
		c.Random = randomFloat
	}
	return c
}

func setDuration(d *time.Duration, fallback time.Duration) {
	if *d <= 0 {
		*d = fallback
	}
}
