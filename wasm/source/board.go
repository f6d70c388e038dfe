package source

import (
	"strings"
	"sync"

	"github.com/glimchat/glimchat/wasm/live"
)

// Board keeps the connection state of each source of a page that reads
// several, and what the page shows of them: live while any source is, and
// in plain words which sources have trouble while the others go on. It is
// safe for concurrent use.
type Board struct {
	mu     sync.Mutex
	order  []string // source names, in the order first set
	states map[string]entry
}

type entry struct {
	state   live.State
	problem string
}

// Set records a source's state and its problem ("" none), and returns the
// page's state and the problems of every source, each named.
func (b *Board) Set(name string, st live.State, problem string) (page live.State, problems string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.states == nil {
		b.states = map[string]entry{}
	}
	if _, ok := b.states[name]; !ok {
		b.order = append(b.order, name)
	}
	if st == live.Live {
		problem = ""
	}
	b.states[name] = entry{st, problem}
	page = live.Offline
	var said []string
	for _, n := range b.order {
		e := b.states[n]
		page = better(page, e.state)
		if e.problem != "" {
			said = append(said, n+": "+e.problem)
		}
	}
	return page, strings.Join(said, " ")
}

// better is the more hopeful of two states: live, then reconnecting,
// then connecting, then offline.
func better(a, b live.State) live.State {
	rank := func(s live.State) int {
		switch s {
		case live.Live:
			return 3
		case live.Reconnecting:
			return 2
		case live.Connecting:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}
