// The arena protocol's requests (docs/protocols/arena.md).

package ringside

import (
	"context"
	"errors"
	"time"
)

// JoinBattle joins the matchmaking queue ({"difficulty", "language"?, "mode"?}) or a
// battle by id ({"battleId", "language"?}). It returns the response (for the queue,
// {"status": "queued", ...}); the match arrives as "battle:matched".
func (c *ArenaClient) JoinBattle(data map[string]any) (map[string]any, error) {
	return c.JoinBattleContext(context.Background(), data)
}

func (c *ArenaClient) JoinBattleContext(ctx context.Context, data map[string]any) (map[string]any, error) {
	response, err := c.request(ctx, "battle:join", copyMap(data), "subscribe")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if _, ok := data["difficulty"]; ok && response["status"] == "queued" {
		c.queued = copyMap(data)
	}
	if id, ok := data["battleId"].(string); ok && response["status"] != "pending" {
		c.battleID = id
	}
	c.mu.Unlock()
	return response, nil
}

// LeaveBattle leaves the queue (battleID "") or gives up / withdraws from a battle.
func (c *ArenaClient) LeaveBattle(ctx context.Context, battleID string) (map[string]any, error) {
	data := map[string]any{}
	if battleID != "" {
		data["battleId"] = battleID
	}
	response, err := c.request(ctx, "battle:leave", data, "unsubscribe")
	if err == nil && battleID == "" {
		c.mu.Lock()
		c.queued = nil
		c.mu.Unlock()
	}
	return response, err
}

// Submit submits code to the current battle (battleID "": the one BattleID names). It
// returns the verdict ({"verdict", "testsPassed", "totalTests", "score", ...}).
func (c *ArenaClient) Submit(ctx context.Context, battleID, code, language string) (map[string]any, error) {
	if battleID == "" {
		battleID = c.BattleID()
	}
	if battleID == "" {
		return nil, errors.New("ringside: Submit: no battle (pass a battle id)")
	}
	return c.request(ctx, "battle:submit", map[string]any{"battleId": battleID, "code": code, "language": language}, "action")
}

// Invite invites a user to a battle ({"username", "difficulty", "language"?, "mode"?}).
func (c *ArenaClient) Invite(ctx context.Context, data map[string]any) (map[string]any, error) {
	return c.request(ctx, "battle:invite", copyMap(data), "action")
}

// RespondToNotification answers an invitation: action "accept" or "decline".
func (c *ArenaClient) RespondToNotification(ctx context.Context, notificationID, action, language string) (map[string]any, error) {
	data := map[string]any{"notificationId": notificationID, "action": action}
	if language != "" {
		data["language"] = language
	}
	return c.request(ctx, "notification:respond", data, "action")
}

// JoinChannel joins a chat channel (battleID: the battle's channel); it is re-joined
// after every reconnect until LeaveChannel. The response names the channel to use.
func (c *ArenaClient) JoinChannel(ctx context.Context, channel, battleID string) (map[string]any, error) {
	data := map[string]any{"channel": channel}
	if battleID != "" {
		data["battleId"] = battleID
	}
	response, err := c.request(ctx, "chat:join", data, "subscribe")
	if err != nil {
		return nil, err
	}
	name, _ := response["channel"].(string)
	if name == "" {
		name = channel
	}
	remembered := copyMap(data)
	remembered["channel"] = name
	c.mu.Lock()
	c.channels[name] = remembered
	c.mu.Unlock()
	return response, nil
}

// LeaveChannel leaves a chat channel.
func (c *ArenaClient) LeaveChannel(ctx context.Context, channel string) (map[string]any, error) {
	c.mu.Lock()
	delete(c.channels, channel)
	c.mu.Unlock()
	return c.request(ctx, "chat:leave", map[string]any{"channel": channel}, "unsubscribe")
}

// SendChat sends a message to a joined channel (replyTo: a message id, or "").
func (c *ArenaClient) SendChat(ctx context.Context, channel, message, replyTo string) (map[string]any, error) {
	data := map[string]any{"channel": channel, "message": message}
	if replyTo != "" {
		data["replyTo"] = replyTo
	}
	return c.request(ctx, "chat:send", data, "action")
}

// StartTeamPractice starts a team practice session ({"teamId", "topic", "participants"?}).
func (c *ArenaClient) StartTeamPractice(ctx context.Context, data map[string]any) (map[string]any, error) {
	return c.request(ctx, "team:practice_start", copyMap(data), "action")
}

// ShareCode shares code with a team ({"teamId", "problemId", "code", "language", "note"?}).
func (c *ArenaClient) ShareCode(ctx context.Context, data map[string]any) (map[string]any, error) {
	return c.request(ctx, "team:share_code", copyMap(data), "action")
}

// Ping is a round trip to the server: its time and the measured latency.
func (c *ArenaClient) Ping(ctx context.Context) (serverTime string, latency time.Duration, err error) {
	started := time.Now()
	response, err := c.request(ctx, "system:ping", nil, "action")
	if err != nil {
		return "", 0, err
	}
	serverTime, _ = response["serverTime"].(string)
	return serverTime, time.Since(started), nil
}
