package demo

import (
	"log/slog"
	"sync"
	"time"
)

// The demo's resource limits. The real server has almost none (api.md §5:
// only a complexity limit, on HTTP), but it runs on a database and a
// cluster; the demo keeps everything in one process, so every resource a
// client can make it hold is bounded here. Past a limit the demo answers
// the way a real server refuses: a GraphQL error, a phx_reply with status
// "error", a 503 on the upgrade, or a closed socket.
const (
	// maxComplexity is Absinthe's max_complexity on GT's /api/graph (each
	// field costs 1 plus its children). The real server checks it on HTTP
	// only; the demo checks socket docs too, where an alias bomb costs the
	// same. The widget's history query costs about 25.
	maxComplexity = 500

	// maxMessagesPerRequest bounds the chat messages one document may
	// return, summed over all its chatMessages fields (aliases, nesting,
	// a subscription's pushes): complexity ignores page sizes, so 100
	// aliases of last: 1000 would pass it. Two full pages of 1000. The
	// rows of bans, moderators and moderationLogs have a tally of their
	// own with the same bound.
	maxMessagesPerRequest = 2000

	// execTimeout ends a query or mutation that runs longer; with the
	// limits above real ones take milliseconds.
	execTimeout = 5 * time.Second

	// maxHistory is how many messages, bans and moderation log entries a
	// channel keeps (the newest of each); a full page of
	// chatMessages(last: 1000) needs at least 1000. A ban let go no longer
	// counts.
	maxHistory = 5000

	// maxMessageBytes caps a message in bytes as well as in characters:
	// one character may carry any number of combining marks. 255
	// characters of 4 bytes (any single code point) fit.
	maxMessageBytes = 1024

	// maxSockets is how many websockets may be open at once (about 100 KB
	// each when idle); past it the upgrade is answered 503.
	maxSockets = 256

	// maxSubscriptionsPerSocket bounds the subscriptions one socket holds
	// (about 60 KB each); a widget needs one or two per channel it shows
	// (chatMessage, channel).
	maxSubscriptionsPerSocket = 10

	// maxQueuedBytes is what may wait for a slow client before its socket
	// is closed. A frame is always accepted into an empty queue, so one
	// large reply (a page of history) still goes out.
	maxQueuedBytes = 1 << 20
)

// limits holds the limits an Instance enforces: the constants above,
// lowered by tests that need to reach one cheaply.
type limits struct {
	complexity         int
	messagesPerRequest int
	execTimeout        time.Duration
	sockets            int
	subsPerSocket      int
	queuedBytes        int
}

func defaultLimits() limits {
	return limits{
		complexity:         maxComplexity,
		messagesPerRequest: maxMessagesPerRequest,
		execTimeout:        execTimeout,
		sockets:            maxSockets,
		subsPerSocket:      maxSubscriptionsPerSocket,
		queuedBytes:        maxQueuedBytes,
	}
}

// logLimiter lets one line per interval through and counts the rest, so
// that a flood of misbehaving clients cannot flood the log.
type logLimiter struct {
	mu         sync.Mutex
	next       time.Time
	suppressed int
}

const logInterval = time.Second

func (l *logLimiter) warn(log *slog.Logger, msg string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if now.Before(l.next) {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	l.next = now.Add(logInterval)
	n := l.suppressed
	l.suppressed = 0
	l.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	log.Warn(msg, args...)
}
