module ringside/clients/go

go 1.19

// No module proxy is needed: Debian's golang-github-gorilla-websocket-dev puts the
// source (with its go.mod) here. Build with GOFLAGS=-mod=mod GOPROXY=off.
replace github.com/gorilla/websocket => /usr/share/gocode/src/github.com/gorilla/websocket

require github.com/gorilla/websocket v1.5.0
