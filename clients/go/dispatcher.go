package ringside

import (
	"log"
	"sync"
)

// dispatcher runs callbacks one at a time, in the order they were posted, on a
// goroutine of its own, so a handler may block or call the client (even wait for a
// request) without stopping the reading of the connection. The goroutine exists only
// while there is work: it starts on a post and ends when the queue is empty.
type dispatcher struct {
	mu      sync.Mutex
	queue   []func()
	running bool
}

func newDispatcher() *dispatcher { return &dispatcher{} }

func (d *dispatcher) post(f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queue = append(d.queue, f)
	if !d.running {
		d.running = true
		go d.drain()
	}
}

func (d *dispatcher) drain() {
	for {
		d.mu.Lock()
		if len(d.queue) == 0 {
			d.running = false
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
