package ringside

import (
	"errors"
	"strings"
	"testing"
)

// Two clients play a whole battle against `ringside serve`: matched, chat in the
// battle's channel, a wrong submission, a right one, battle:ended for both.
func TestTwoClientsPlayAWholeBattle(t *testing.T) {
	url := setting(t, "RINGSIDE_TEST_URL")
	alice, bob := newAccount(t), newAccount(t)
	a := NewArenaClient(fastConfig(alice.Token, url))
	b := NewArenaClient(fastConfig(bob.Token, url))
	defer a.Close()
	defer b.Close()
	ctx := timeout(t)
	if err := a.Connect(); err != nil {
		t.Fatal(err)
	}
	matchedA, matchedB := next(a, "battle:matched"), next(b, "battle:matched")
	queued, err := a.JoinBattle(map[string]any{"difficulty": "easy", "language": "javascript"})
	if err != nil || queued["status"] != "queued" || queued["difficulty"] != "easy" {
		t.Fatalf("join: %v %v", queued, err)
	}
	// b was never connected: its first request connects it.
	if _, err := b.JoinBattle(map[string]any{"difficulty": "easy", "language": "javascript"}); err != nil {
		t.Fatal(err)
	}
	forA, forB := receive(t, matchedA, "battle:matched"), receive(t, matchedB, "battle:matched")
	battleID, _ := forA["battleId"].(string)
	if battleID == "" || forB["battleId"] != battleID {
		t.Fatalf("different battles: %v / %v", forA, forB)
	}
	if forA["opponent"].(map[string]any)["username"] != bob.User.Username ||
		forB["opponent"].(map[string]any)["username"] != alice.User.Username {
		t.Fatalf("opponents: %v / %v", forA["opponent"], forB["opponent"])
	}
	if forA["problem"].(map[string]any)["id"] != "add-easy" {
		t.Fatalf("problem: %v", forA["problem"])
	}
	if a.BattleID() != battleID || b.BattleID() != battleID {
		t.Fatalf("BattleID: %q %q", a.BattleID(), b.BattleID())
	}

	joined, err := a.JoinChannel(ctx, "general", battleID)
	if err != nil || joined["channel"] != "battle:"+battleID {
		t.Fatalf("chat:join: %v %v", joined, err)
	}
	if _, err := b.JoinChannel(ctx, "battle:"+battleID, ""); err != nil {
		t.Fatal(err)
	}
	chat := next(b, "chat:message")
	sent, err := a.SendChat(ctx, "battle:"+battleID, "good luck", "")
	if err != nil {
		t.Fatal(err)
	}
	if m := receive(t, chat, "chat:message"); m["message"] != "good luck" || m["messageId"] != sent["messageId"] {
		t.Fatalf("chat:message %v (sent %v)", m, sent)
	}

	// Bob's wrong answer: one test of four passed; Alice hears of the submission.
	opponentSubmitted := next(a, "battle:submission")
	bobResult := next(b, "battle:execution_result")
	verdict, err := b.Submit(ctx, "", wrongAnswer, "javascript")
	if err != nil || verdict["verdict"] != "Wrong Answer" || verdict["testsPassed"] != 1.0 || verdict["totalTests"] != 4.0 || verdict["score"] != 25.0 {
		t.Fatalf("wrong answer: %v %v", verdict, err)
	}
	if r := receive(t, bobResult, "battle:execution_result"); r["testsPassed"] != 1.0 {
		t.Fatalf("execution result %v", r)
	}
	if s := receive(t, opponentSubmitted, "battle:submission"); s["userId"] != bob.User.ID || s["status"] != "submitted" {
		t.Fatalf("battle:submission %v", s)
	}

	// Alice's right answer ends the battle for both.
	endedA, endedB := next(a, "battle:ended"), next(b, "battle:ended")
	verdict, err = a.Submit(ctx, "", rightAnswer, "javascript")
	if err != nil || verdict["verdict"] != "Accepted" || verdict["testsPassed"] != 4.0 {
		t.Fatalf("right answer: %v %v", verdict, err)
	}
	for _, ended := range []map[string]any{receive(t, endedA, "battle:ended"), receive(t, endedB, "battle:ended")} {
		results := ended["results"].(map[string]any)
		if ended["battleId"] != battleID || ended["winner"] != alice.User.ID || ended["reason"] != "solved" ||
			results[alice.User.ID].(map[string]any)["score"] != 100.0 || results[bob.User.ID].(map[string]any)["score"] != 25.0 {
			t.Fatalf("battle:ended %v", ended)
		}
	}
	// The client tracks the battle before it runs the handlers of its events.
	if a.BattleID() != "" {
		t.Fatalf("BattleID after the end: %q", a.BattleID())
	}

	// An error answer: the server's code, the request and its id.
	_, err = a.Submit(ctx, battleID, rightAnswer, "javascript")
	var requestErr *RequestError
	if !errors.As(err, &requestErr) || requestErr.Code != "INVALID_BATTLE_ID" || requestErr.Event != "battle:submit" ||
		!strings.HasPrefix(requestErr.RequestID.(string), "req-") || requestErr.Details["battleId"] != battleID {
		t.Fatalf("submit after the end: %#v", err)
	}
}

// A forged token: UNAUTHORIZED, close 4401, and no retry.
func TestABadTokenIsNotRetried(t *testing.T) {
	c := NewArenaClient(fastConfig("forged", setting(t, "RINGSIDE_TEST_URL")))
	defer c.Close()
	errs := make(chan *RequestError, 1)
	failed := make(chan FailedInfo, 1)
	c.OnError(func(err *RequestError) { errs <- err })
	c.OnFailed(func(info FailedInfo) { failed <- info })
	_ = c.Connect()
	info := receive(t, failed, "failed")
	if info.LastClose.Code != 4401 || info.Attempts != 0 {
		t.Fatalf("failed: %+v", info)
	}
	if err := receive(t, errs, "error"); err.Code != "UNAUTHORIZED" {
		t.Fatalf("error: %v", err)
	}
	_, _, err := c.Ping(timeout(t))
	if !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "reconnecting would not help") {
		t.Fatalf("ping after the 4401: %v", err)
	}
}
