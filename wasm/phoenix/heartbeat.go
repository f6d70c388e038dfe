package phoenix

// The heartbeat finds a link that looks open but is dead; Wake checks one
// at once.

// Wake reconnects at once if the socket is down and waiting out its
// backoff, and checks a live link with an immediate heartbeat. Call it when
// the link may have died unnoticed or may work again: after a suspend, or
// when the network comes back.
func (s *Socket) Wake() { signal(s.wake) }

func (s *Socket) onWake() {
	switch {
	case s.dialing:
	case s.conn == nil:
		s.log.Debug("phoenix: wake: reconnecting now")
		s.connect()
	case !s.control.joined:
		s.control.rejoinNow()
	case s.hbRef == "":
		s.sendHeartbeat()
	}
}

// linkDead closes a connection that still looks open but does not work.
func (s *Socket) linkDead(cause error) {
	if s.conn == nil {
		return
	}
	s.log.Warn("phoenix: link dead, reconnecting", "err", cause)
	s.retry(cause)
}

func (s *Socket) heartbeatTick() {
	if s.conn == nil {
		return
	}
	if s.hbRef != "" {
		s.linkDead(ErrHeartbeatTimeout)
		return
	}
	s.sendHeartbeat()
	s.arm(&s.hbT, s.cfg.HeartbeatInterval, s.heartbeatTick)
}

func (s *Socket) sendHeartbeat() {
	ref := s.nextRef()
	s.hbRef = ref
	s.arm(&s.hbDeadline, s.cfg.HeartbeatTimeout, func() {
		if s.hbRef == ref {
			s.linkDead(ErrHeartbeatTimeout)
		}
	})
	s.send(Frame{Ref: ref, Topic: TopicPhoenix, Event: EventHeartbeat})
}
