package phoenix

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// The connection's life on the loop: dial, read, retry with backoff, and
// tear down what a lost connection takes with it.

// connect dials in a goroutine; dialed picks up the result on the loop.
func (s *Socket) connect() {
	s.reconnectT.stop()
	s.gen++
	gen := s.gen
	ctx, cancel := context.WithCancel(withLogger(s.runCtx, s.log))
	s.dialing = true
	start := s.clock.Now()
	s.arm(&s.dialT, s.cfg.DialTimeout, cancel)
	if s.everLive || s.attempts > 0 {
		s.st.set(StateReconnecting, nil)
	} else {
		s.st.set(StateConnecting, nil)
	}
	go func() {
		c, err := s.cfg.Dial(ctx, s.cfg.URL)
		if err == nil && c == nil {
			err = errors.New("dialer returned no connection")
		}
		if !s.post(context.Background(), func() { s.dialed(gen, start, c, ctx, cancel, err) }) {
			cancel()
			if c != nil {
				c.Close()
			}
		}
	}()
}

func (s *Socket) dialed(gen int, start time.Time, c Conn, ctx context.Context, cancel context.CancelFunc, err error) {
	if gen != s.gen || s.stopping() {
		cancel()
		if c != nil {
			c.Close()
		}
		return
	}
	s.dialing = false
	s.dialT.stop()
	if err != nil {
		cancel()
		quick := s.clock.Now().Sub(start) < s.cfg.QuickFailure
		switch {
		case errors.Is(err, ErrRefused):
			s.quickFails = 0
		case quick:
			s.quickFails++
			if s.quickFails >= s.cfg.RefusedAfter {
				err = fmt.Errorf("%w (closed before opening %d times in a row): %w", ErrRefused, s.quickFails, err)
			}
		default:
			s.quickFails = 0
		}
		cause := fmt.Errorf("connect: %w", err)
		if !s.everLive {
			// Nothing has been reached yet: what waits would only time out.
			s.failWaiting(fmt.Errorf("%w: %w", ErrUnreachable, cause))
		}
		s.retry(cause)
		return
	}
	s.quickFails = 0
	s.conn, s.connCancel = c, cancel
	go s.read(ctx, gen, c) // ctx ends with the connection (teardown cancels it)
	s.arm(&s.hbT, s.cfg.HeartbeatInterval, s.heartbeatTick)
	s.control.join()
}

// joined is the control channel reporting a successful (re)join.
func (s *Socket) joined() {
	s.attempts = 0
	s.everLive = true
	s.st.set(StateLive, nil)
	s.sendWaiting()
	s.syncSubs()
}

// channelFailed is the control channel reporting that it crashed or was
// refused on a working connection; it rejoins by itself. The server lost
// every subscription with it, and pending pushes on it get no reply.
func (s *Socket) channelFailed(cause error) {
	s.forgetSubscriptions()
	s.failPending(func(p *push) bool { return p.topic == TopicControl }, cause)
	s.st.set(StateReconnecting, cause)
}

// read decodes frames off c and hands them to the loop. Malformed frames
// are logged and skipped.
func (s *Socket) read(ctx context.Context, gen int, c Conn) {
	for {
		batch, err := c.Recv(ctx)
		if err != nil {
			s.post(context.Background(), func() { s.connClosed(gen, err) })
			return
		}
		frames := make([]Frame, 0, len(batch))
		for _, data := range batch {
			f, err := DecodeFrame(data)
			if err != nil {
				s.log.Warn("phoenix: skipping a malformed frame", "err", clip(err.Error(), 200), "bytes", len(data))
				continue
			}
			frames = append(frames, f)
		}
		if len(frames) == 0 {
			continue
		}
		if !s.post(context.Background(), func() {
			for _, f := range frames {
				s.handle(gen, f)
			}
		}) {
			return
		}
	}
}

// clip shortens server text for a log line. It cuts before a rune that
// would straddle n, so valid UTF-8 stays valid; it backs off at most one
// rune's length, so invalid text is still cut near n.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for i := n; i >= 0 && n-i < utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			n = i
			break
		}
	}
	return s[:n] + "…"
}

func (s *Socket) connClosed(gen int, err error) {
	if gen != s.gen || s.conn == nil || s.stopping() {
		return
	}
	s.retry(fmt.Errorf("connection closed: %w", err))
}

// retry tears the connection down and schedules the next dial.
func (s *Socket) retry(cause error) {
	s.teardown(fmt.Errorf("%w: %w", ErrConnectionLost, cause))
	delay := s.cfg.Backoff.Delay(s.attempts)
	s.attempts++
	s.arm(&s.reconnectT, delay, s.connect)
	s.st.set(StateReconnecting, cause)
}

// teardown closes the connection and fails everything tied to it.
func (s *Socket) teardown(lost error) {
	s.gen++
	if s.conn != nil {
		s.connCancel()
		if err := s.conn.Close(); err != nil {
			s.log.Debug("phoenix: close", "err", err)
		}
		s.conn = nil
	}
	s.hbT.stop()
	s.hbDeadline.stop()
	s.hbRef = ""
	s.control.reset()
	s.forgetSubscriptions()
	s.failPending(func(*push) bool { return true }, lost)
}
