package live

import "strconv"

// State is the widget's connection state, whatever carries the chat: the
// page shows it as data-state. Poll mode, which has no socket, reports it
// too.
type State int

const (
	Connecting   State = iota + 1 // first attempt, never live yet
	Live                          // messages flow: subscribed, or polling works
	Reconnecting                  // lost or failed; a retry is due
	Offline                       // stopped
)

// String is the data-state value.
func (s State) String() string {
	switch s {
	case Connecting:
		return "connecting"
	case Live:
		return "live"
	case Reconnecting:
		return "reconnecting"
	case Offline:
		return "offline"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}
