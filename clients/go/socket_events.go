// The connection's events, handed to the application's handlers on the event
// goroutine.

package ringside

func (s *socket) emitOpen(info OpenInfo) {
	s.handlersMu.Lock()
	handlers := append([]func(OpenInfo){}, s.openHandlers...)
	s.handlersMu.Unlock()
	for _, h := range handlers {
		h := h
		s.events.post(func() { h(info) })
	}
}

func (s *socket) emitClose(info CloseInfo) {
	s.handlersMu.Lock()
	handlers := append([]func(CloseInfo){}, s.closeHandlers...)
	s.handlersMu.Unlock()
	for _, h := range handlers {
		h := h
		s.events.post(func() { h(info) })
	}
}

func (s *socket) emitRetry(info ReconnectingInfo) {
	s.handlersMu.Lock()
	handlers := append([]func(ReconnectingInfo){}, s.retryHandlers...)
	s.handlersMu.Unlock()
	for _, h := range handlers {
		h := h
		s.events.post(func() { h(info) })
	}
}

func (s *socket) emitFailed(info FailedInfo) {
	s.handlersMu.Lock()
	handlers := append([]func(FailedInfo){}, s.failedHandlers...)
	s.handlersMu.Unlock()
	for _, h := range handlers {
		h := h
		s.events.post(func() { h(info) })
	}
}

func (s *socket) reasonLocked() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeReason
}
