// Package ringside is a Go client for a ringside server's arena protocol (spec 000,
// the /v1 endpoint): matchmaking, battles, code submission, chat channels,
// notifications and teams, over a WebSocket that reconnects by itself.
//
//	client := ringside.NewArenaClient(ringside.Config{Token: token, URL: "ws://localhost:8080"})
//	client.On("battle:matched", func(data any) { fmt.Println("matched:", data) })
//	if err := client.Connect(); err != nil { ... }
//	status, err := client.JoinBattle(map[string]any{"difficulty": "medium"})
//
// Handlers run one at a time, in the order the server sent the events, on the client's
// own event goroutine; they may call any method of the client (a request made in a
// handler does not block the reading of its answer). Every method is safe to call from
// any goroutine.
//
// After an unexpected close the client reconnects with exponential backoff and jitter,
// then re-joins what it had joined: its chat channels, the matchmaking queue, its
// running battle. Requests made while offline wait in a bounded queue.
package ringside
