package ringside

import (
	"math"
	"time"
)

// BackoffDelay is the wait before reconnect attempt n (0 for the first after a drop):
// min(max, base * 2^n) * (1 - jitter + 2 * jitter * random()), random in [0, 1). The
// jitter spreads the clients of a restarted server so they do not all return at once.
func BackoffDelay(attempt int, base, max time.Duration, jitter float64, random func() float64) time.Duration {
	exponential := math.Min(float64(max), float64(base)*math.Pow(2, math.Min(float64(attempt), 62)))
	factor := 1 - jitter + 2*jitter*random()
	if d := exponential * factor; d > 0 {
		return time.Duration(d)
	}
	return 0
}
