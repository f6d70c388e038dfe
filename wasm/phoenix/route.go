package phoenix

import "fmt"

// Frames out and in: the write, and where each incoming frame goes.

// send writes a frame; a failed write means the connection is gone.
func (s *Socket) send(f Frame) {
	if s.conn == nil {
		return
	}
	if err := s.conn.Send(f.Encode()); err != nil {
		s.retry(fmt.Errorf("send %s: %w", f.Event, err))
	}
}

// handle routes one incoming frame.
func (s *Socket) handle(gen int, f Frame) {
	if gen != s.gen {
		return
	}
	switch {
	case f.Topic == TopicPhoenix && f.Event == EventReply:
		if f.Ref != "" && f.Ref == s.hbRef {
			s.hbRef = ""
			s.hbDeadline.stop()
		}
	case f.Topic == TopicControl:
		s.control.handle(f)
	case f.Event == EventSubscriptionData:
		sub := s.byTopic[f.Topic]
		if sub == nil {
			s.log.Debug("phoenix: push for an unknown subscription", "topic", f.Topic)
			return
		}
		if h := sub.h.Data; h != nil {
			payload := f.Payload
			s.disp.enqueue(func() { h(payload) })
		}
	case f.Event == EventReply:
		s.reply(f)
	default:
		s.log.Debug("phoenix: ignoring frame", "topic", f.Topic, "event", f.Event)
	}
}
