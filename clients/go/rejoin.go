// Re-joining after a reconnect: chat channels, the running battle, or the place in
// the matchmaking queue (the server forgets a connection's place when it closes).

package ringside

import (
	"context"
	"errors"
)

// RejoinReport tells what a reconnect re-joined: Event ("chat:join" or
// "battle:join"), the request's Data, and its Response or Err.
type RejoinReport struct {
	Event    string
	Data     map[string]any
	Response map[string]any
	Err      error
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
