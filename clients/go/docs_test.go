package ringside

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Every example of docs/client-go.md is built, in a temporary module whose go.mod is
// the one the page's Install section shows, and run against the server. Each `go`
// block there is preceded by <!-- example: NAME -->; NAME is a scenario below.

var exampleBlock = regexp.MustCompile("(?s)<!-- example: (\\w+) -->\\s*```go\n(.*?)```")

type docExamples struct {
	dir  string // the temporary module
	bins map[string]string
}

var (
	examplesOnce  sync.Once
	builtExamples docExamples
	examplesErr   error
)

// buildExamples writes every example into a module of its own and builds them all.
func buildExamples(t *testing.T) docExamples {
	t.Helper()
	examplesOnce.Do(func() { builtExamples, examplesErr = build() })
	if examplesErr != nil {
		t.Fatal(examplesErr)
	}
	return builtExamples
}

func build() (docExamples, error) {
	text, err := os.ReadFile("../../docs/client-go.md")
	if err != nil {
		return docExamples{}, err
	}
	doc := string(text)
	matches := exampleBlock.FindAllStringSubmatch(doc, -1)
	if blocks := strings.Count(doc, "```go"); blocks != len(matches) {
		return docExamples{}, fmt.Errorf("%d go block(s) without an example marker", blocks-len(matches))
	}
	requires := regexp.MustCompile("(?s)```\n(require \\(.*?replace github.com/gorilla/websocket[^\n]*\n)```").FindStringSubmatch(doc)
	if requires == nil {
		return docExamples{}, fmt.Errorf("no go.mod lines in the Install section")
	}
	self, err := filepath.Abs(".")
	if err != nil {
		return docExamples{}, err
	}
	dir, err := os.MkdirTemp("", "ringside-go-examples-")
	if err != nil {
		return docExamples{}, err
	}
	goMod := "module docexamples\n\ngo 1.19\n\n" + strings.Replace(requires[1], "/path/to/ringside/clients/go", self, 1)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644); err != nil {
		return docExamples{}, err
	}
	built := docExamples{dir: dir, bins: map[string]string{}}
	for _, m := range matches {
		name, code := m[1], m[2]
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			return built, err
		}
		if err := os.WriteFile(filepath.Join(dir, name, "main.go"), []byte(code), 0o644); err != nil {
			return built, err
		}
		built.bins[name] = filepath.Join(dir, "bin", name)
	}
	command := exec.Command("go", "build", "-o", filepath.Join(dir, "bin")+string(filepath.Separator), "./...")
	command.Dir = dir
	if out, err := command.CombinedOutput(); err != nil {
		return built, fmt.Errorf("building the examples: %v\n%s", err, out)
	}
	return built, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtExamples.dir != "" {
		os.RemoveAll(builtExamples.dir)
	}
	os.Exit(code)
}

// example starts an example with RINGSIDE_URL and RINGSIDE_TOKEN set.
func example(t *testing.T, name, token string, args ...string) (*exec.Cmd, *strings.Builder, *bufio.Reader) {
	t.Helper()
	bin, ok := buildExamples(t).bins[name]
	if !ok {
		t.Fatalf("no example %q in docs/client-go.md", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	command := exec.CommandContext(ctx, bin, args...)
	command.Env = append(os.Environ(), "RINGSIDE_URL="+setting(t, "RINGSIDE_TEST_URL"), "RINGSIDE_TOKEN="+token)
	command.Stderr = os.Stderr
	stdout, err := command.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	return command, &strings.Builder{}, bufio.NewReader(stdout)
}

// finish reads the rest of the output and waits for a zero exit.
func finish(t *testing.T, command *exec.Cmd, output *strings.Builder, reader *bufio.Reader) string {
	t.Helper()
	all, err := wait(command, output, reader)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// wait is finish for any goroutine (t.Fatal belongs to the test's own).
func wait(command *exec.Cmd, output *strings.Builder, reader *bufio.Reader) (string, error) {
	rest, _ := readAll(reader)
	output.WriteString(rest)
	if err := command.Wait(); err != nil {
		return "", fmt.Errorf("%s: %v\n%s", filepath.Base(command.Path), err, output)
	}
	return output.String(), nil
}

func readAll(reader *bufio.Reader) (string, error) {
	data, err := io.ReadAll(reader)
	return string(data), err
}

func runExample(t *testing.T, name, token string, args ...string) string {
	command, output, reader := example(t, name, token, args...)
	return finish(t, command, output, reader)
}

func TestDocsEveryBlockHasAScenario(t *testing.T) {
	var names []string
	for name := range buildExamples(t).bins {
		names = append(names, name)
	}
	want := map[string]bool{"spec": true, "connect": true, "battle": true, "errors": true, "reconnect": true}
	if len(names) != len(want) {
		t.Fatalf("examples %v, scenarios %v", names, want)
	}
	for _, name := range names {
		if !want[name] {
			t.Fatalf("example %q has no scenario", name)
		}
	}
}

// The spec's example, with only its import and constructor changed: the token and
// address literals point at the test server, through the binary's own source.
func TestDocsSpecExample(t *testing.T) {
	docs := buildExamples(t)
	source, err := os.ReadFile(filepath.Join(docs.dir, "spec", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	waiting, player := newAccount(t), newAccount(t)
	code := strings.Replace(string(source), `"your-jwt-token"`, fmt.Sprintf("%q", player.Token), 1)
	code = strings.Replace(code, `"ws://localhost:8080/v1"`, fmt.Sprintf("%q", setting(t, "RINGSIDE_TEST_URL")+"/v1"), 1)
	if code == string(source) || strings.Count(string(source), "your-jwt-token") != 1 {
		t.Fatal("the spec example's literals were not found")
	}
	dir := filepath.Join(docs.dir, "spec-live")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}

	opponent := NewArenaClient(fastConfig(waiting.Token, setting(t, "RINGSIDE_TEST_URL")))
	defer opponent.Close()
	matched := next(opponent, "battle:matched")
	if _, err := opponent.JoinBattle(map[string]any{"difficulty": "medium"}); err != nil {
		t.Fatal(err)
	}
	command := exec.Command("go", "run", "./spec-live")
	command.Dir = docs.dir
	if out, err := command.CombinedOutput(); err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	if m := receive(t, matched, "battle:matched"); m["opponent"].(map[string]any)["username"] != player.User.Username {
		t.Fatalf("matched with %v", m["opponent"])
	}
}

func TestDocsConnectExample(t *testing.T) {
	output := runExample(t, "connect", newAccount(t).Token)
	if !regexp.MustCompile(`(?m)^connected; server time \d{4}-\d\d-\d\dT.*Z, \d+ ms$`).MatchString(output) {
		t.Fatalf("output:\n%s", output)
	}
}

func TestDocsBattleExampleTwoBotsPlay(t *testing.T) {
	alice, bob := newAccount(t), newAccount(t)
	dir := t.TempDir()
	right, wrong := filepath.Join(dir, "right.js"), filepath.Join(dir, "wrong.js")
	if err := os.WriteFile(right, []byte(rightAnswer), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wrong, []byte(wrongAnswer), 0o644); err != nil {
		t.Fatal(err)
	}
	winner, winnerOut, winnerReader := example(t, "battle", alice.Token, right)
	loser, loserOut, loserReader := example(t, "battle", bob.Token, wrong)
	type outcome struct {
		output string
		err    error
	}
	loserDone := make(chan outcome, 1)
	go func() {
		output, err := wait(loser, loserOut, loserReader)
		loserDone <- outcome{output, err}
	}()
	won := finish(t, winner, winnerOut, winnerReader)
	result := <-loserDone
	if result.err != nil {
		t.Fatal(result.err)
	}
	lost := result.output
	for _, want := range []string{"matched with " + bob.User.Username + " on Add (easy)", "verdict: Accepted (4/4)", "winner: you"} {
		if !strings.Contains(won, want) {
			t.Fatalf("winner's output lacks %q:\n%s", want, won)
		}
	}
	for _, want := range []string{"matched with " + alice.User.Username + " on Add (easy)", "winner: opponent"} {
		if !strings.Contains(lost, want) {
			t.Fatalf("loser's output lacks %q:\n%s", want, lost)
		}
	}
	// Judged before the end, or refused because Alice had already won.
	if !strings.Contains(lost, "verdict: Wrong Answer (1/4)") && !strings.Contains(lost, "submission refused: INVALID_BATTLE_ID") {
		t.Fatalf("loser's output:\n%s", lost)
	}
}

func TestDocsErrorsExample(t *testing.T) {
	output := runExample(t, "errors", newAccount(t).Token)
	if want := "battle:submit: INVALID_BATTLE_ID map[battleId:battle123 status:not_found]"; !strings.Contains(output, want) {
		t.Fatalf("output lacks %q:\n%s", want, output)
	}
}

func TestDocsReconnectExampleThroughARestart(t *testing.T) {
	command, output, reader := example(t, "reconnect", newAccount(t).Token)
	first, err := reader.ReadString('\n')
	if err != nil || first != "connected; joined general\n" {
		t.Fatalf("first line %q (%v)", first, err)
	}
	output.WriteString(first)
	restartServer(t)
	all := finish(t, command, output, reader)
	for _, want := range []string{"closed 1001, reconnecting: true", "re-joined chat:join general: <nil>"} {
		if !strings.Contains(all, want) {
			t.Fatalf("output lacks %q:\n%s", want, all)
		}
	}
	if !regexp.MustCompile(`(?m)^attempt 1 in \d\.\d\d s$`).MatchString(all) {
		t.Fatalf("output:\n%s", all)
	}
}
