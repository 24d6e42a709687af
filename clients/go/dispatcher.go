package ringside

import (
	"log"
	"sync"
)

// dispatcher runs callbacks one at a time, in the order they were posted, on its own
// goroutine, so a handler may block or call the client (even wait for a request)
// without stopping the reading of the connection.
type dispatcher struct {
	mu     sync.Mutex
	queue  []func()
	wake   chan struct{}
	done   chan struct{}
	closed bool
}

func newDispatcher() *dispatcher {
	d := &dispatcher{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go d.run()
	return d
}

func (d *dispatcher) post(f func()) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.queue = append(d.queue, f)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// stop runs what is queued, then ends the goroutine.
func (d *dispatcher) stop() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	d.mu.Unlock()
	close(d.done)
}

func (d *dispatcher) run() {
	for {
		select {
		case <-d.wake:
		case <-d.done:
			d.drain()
			return
		}
		d.drain()
	}
}

func (d *dispatcher) drain() {
	for {
		d.mu.Lock()
		if len(d.queue) == 0 {
			d.mu.Unlock()
			return
		}
		f := d.queue[0]
		d.queue[0] = nil
		d.queue = d.queue[1:]
		d.mu.Unlock()
		call(f)
	}
}

func call(f func()) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("ringside: a handler panicked: %v", r)
		}
	}()
	f()
}
