package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// Run posts simulated chat into demo at Options.ChatRate until ctx ends,
// and, unless Options.ChatOnly, simulates what else happens on a channel:
// follows with their announcements, the stream ending and starting again
// with a new title, and a moderator deleting a message. Every pace is set
// in seconds and counted in turns of the chat ticker, so that a test can
// run an hour in a moment with a fake ticker and clock.
func (inst *Instance) Run(ctx context.Context) {
	if inst.opts.ChatRate <= 0 {
		<-ctx.Done()
		return
	}
	interval := time.Duration(float64(time.Second) / inst.opts.ChatRate)
	if interval < time.Millisecond {
		interval = time.Millisecond
	}
	tick, stop := inst.ticker(interval)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			inst.chatOnce()
		}
	}
}

// The simulated spammer, the moderator who times it out, and the one who
// deletes a single message now and then.
const (
	spammerName      = "promo_pete"
	simModeratorName = "MartaMod"
	simDeleterName   = "HelperHana"
)

var spamLines = []string{
	"Want more viewers? Buy followers at https://cheap-viewers.example 1000 for $1!!!",
	"FREE FOLLOWERS >>> https://free-follows.example <<< limited time only",
	"become famous today, real viewers guaranteed, DM me",
}

// simState is where the simulation is in its cycles. Each cycle draws
// from a generator of its own, so that none changes another's sequence.
type simState struct {
	rng      *rand.Rand
	turn     int
	spamAt   int  // the turn from which the spammer tries again
	spammed  bool // the spammer posted last turn: the moderator acts now
	delRng   *rand.Rand
	deleteAt int // the turn from which the next single delete is due

	coRng     *rand.Rand // cohost's chat
	sqRng     *rand.Rand // the squad's chat
	evRng     *rand.Rand
	fans      []*user // the simulated followers, in the order they follow
	fanNext   int
	followAt  int // the turn of the next follow
	statusAt  int // the turn at which demo's stream next ends or starts
	titleAt   int // the turn of the title change while offline; 0 for none
	titleNext int // the index in demoTitles of that title
}

// The simulation's paces, in seconds: each gap is drawn between the two.
var (
	firstFollow = [2]int{20, 40}   // from the start to the first follow
	followGap   = [2]int{50, 100}  // between follows
	firstEnd    = [2]int{60, 120}  // from the start to the first end of demo's stream
	liveSpell   = [2]int{150, 300} // from a start to the next end
	offSpell    = [2]int{20, 40}   // from an end to the next start; the title changes halfway
	deleteSpell = [2]int{45, 90}   // between single deletes
)

// turnsIn draws a gap from span and counts it in turns at the chat rate,
// at least one.
func (inst *Instance) turnsIn(rng *rand.Rand, span [2]int) int {
	secs := span[0] + rng.IntN(span[1]-span[0]+1)
	return max(1, int(math.Ceil(float64(secs)*inst.opts.ChatRate)))
}

// initSim seeds the simulation's generators and schedules its first
// events.
func (inst *Instance) initSim(seed uint64) {
	sim := &inst.sim
	sim.rng = rand.New(rand.NewPCG(seed^0x5ba4, seed))
	sim.spamAt = inst.spamGap(0)
	sim.delRng = rand.New(rand.NewPCG(seed^0xde1e, seed))
	sim.deleteAt = inst.deleteGap(0)
	sim.coRng = rand.New(rand.NewPCG(seed^0xc0c0, seed))
	sim.sqRng = rand.New(rand.NewPCG(seed^0x5a5a, seed))
	sim.evRng = rand.New(rand.NewPCG(seed^0xe7e7, seed))
	for _, u := range inst.store.users {
		if u.fan {
			sim.fans = append(sim.fans, u)
		}
	}
	sim.evRng.Shuffle(len(sim.fans), func(i, j int) { sim.fans[i], sim.fans[j] = sim.fans[j], sim.fans[i] })
	sim.followAt = inst.turnsIn(sim.evRng, firstFollow)
	sim.statusAt = inst.turnsIn(sim.evRng, firstEnd)
	sim.titleNext = 1
}

// deleteGap is the turn after turn at which the next single delete is
// due, and never sooner than 10 turns, so that there are messages to
// choose from.
func (inst *Instance) deleteGap(turn int) int {
	return turn + max(10, inst.turnsIn(inst.sim.delRng, deleteSpell))
}

// deleteCandidates is how far back, in messages, the simulated deleter
// looks.
const deleteCandidates = 30

// pickDeleteLocked chooses the message the simulated deleter takes down:
// one of the last deleteCandidates of c, still visible, by a viewer (no
// streamer, moderator or admin), whose author has posted since, so that
// it is not the author's newest and the old "newest message of the user"
// rule would take the wrong one, and posted in an earlier second than
// now, so that its updatedAt will tell. nil when there is none yet.
// Called with rngMu held.
func (inst *Instance) pickDeleteLocked(c *channel, now time.Time) *message {
	s := inst.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := c.messages.rows
	posted := make(map[*user]bool) // authors of the newer messages
	var picks []*message
	for i := len(rows) - 1; i >= 0 && i >= len(rows)-deleteCandidates; i-- {
		m := rows[i]
		u := m.user
		if posted[u] && m.visible && m.inserted.Before(dbTime(now)) &&
			!u.admin && c.streamer != u && c.moderatorOf(u) == nil {
			picks = append(picks, m)
		}
		posted[u] = true
	}
	if len(picks) == 0 {
		return nil
	}
	return picks[inst.sim.delRng.IntN(len(picks))]
}

// spamGap is the turn after turn at which the spammer comes back: 30 to 60
// turns on, but not before its 5-minute timeout has run out at the chat
// rate, with a fifth more in case the moderator's turn came late (at the
// default rate, about every 6 minutes). So with the real clock the
// sequence depends on the seed alone. At the start, turn 0, there is no
// timeout to wait out.
func (inst *Instance) spamGap(turn int) int {
	gap := 30 + inst.sim.rng.IntN(31)
	if turn > 0 {
		gap = max(gap, int(math.Ceil(shortTimeout.until.Seconds()*inst.opts.ChatRate*1.2))+1)
	}
	return turn + gap
}

// turnPlan is what one simulated turn does, decided under rngMu and done
// after it, through the API's code paths.
type turnPlan struct {
	u       *user // the turn's line in demo, by u
	text    string
	timeout bool     // the moderator times the spammer out first
	doomed  *message // a message HelperHana deletes first
	fan     *user    // a simulated follower who follows fanTo; in demo its announcement replaces the line
	fanTo   *channel
	status  bool   // demo's stream ends, or starts when it has none
	title   string // demo's new title, when not ""
	coU     *user  // every other turn, a line in cohost by coU
	coText  string
	sqU     *user // on the other turns, a line in a squad channel, sqTo, by sqU
	sqTo    *channel
	sqText  string
}

// chatOnce takes one simulated turn: a chatter's line in demo, and every
// other turn one in cohost, on the turns between one in a squad channel; now and then the spammer's ad instead in
// demo, and on the next turn the moderator times the spammer out, through
// the mutations' code path, and says so. Unless Options.ChatOnly, on a
// chatter's turn about once a minute another moderator first deletes one
// earlier message, not its author's newest, and a simulated viewer
// follows demo or cohost (in demo the announcement is that turn's line);
// demo's stream ends and starts again, with a new title while it is off.
// The seeded generators make the sequence repeatable.
func (inst *Instance) chatOnce() {
	s := inst.store
	c, cc := s.channelByID(demoChannelID), s.channelByID(cohostChannelID)
	spammer := s.userByName(spammerName)
	inst.rngMu.Lock()
	p := inst.planTurnLocked(c, cc, spammer)
	inst.rngMu.Unlock()

	if p.status {
		if err := inst.endStream(c); err != nil {
			inst.startStream(c)
		}
	}
	if p.title != "" {
		if _, err := inst.updateTitle(c.streamer, c, p.title); err != nil {
			inst.log.Warn("simulated title refused", "err", err)
		}
	}
	if p.timeout {
		if _, err := inst.moderate(c, p.u, spammer, shortTimeout, nil); err != nil {
			inst.log.Warn("simulated timeout refused", "moderator", p.u.username, "err", err)
		}
	}
	if p.doomed != nil {
		if _, err := inst.moderate(c, s.userByName(simDeleterName), p.doomed.user, deleteMessage, p.doomed); err != nil {
			inst.log.Warn("simulated delete refused", "moderator", simDeleterName, "err", err)
		}
	}
	if p.coU != nil {
		if _, err := inst.createMessage(cc, p.coU, &p.coText); err != nil {
			inst.log.Warn("simulated chat message refused", "user", p.coU.username, "channel", cc.id, "err", err)
		}
	}
	if p.sqU != nil {
		if _, err := inst.createMessage(p.sqTo, p.sqU, &p.sqText); err != nil {
			inst.log.Warn("simulated chat message refused", "user", p.sqU.username, "channel", p.sqTo.id, "err", err)
		}
	}
	if p.fan != nil && inst.simFollow(p.fanTo.streamer, p.fan) && p.fanTo == c {
		return
	}
	if _, err := inst.createMessage(c, p.u, &p.text); err != nil {
		inst.log.Warn("simulated chat message refused", "user", p.u.username, "err", err)
	}
}

// planTurnLocked decides the next turn in demo (c) and cohost (cc).
// Called with rngMu held.
func (inst *Instance) planTurnLocked(c, cc *channel, spammer *user) turnPlan {
	s := inst.store
	sim := &inst.sim
	sim.turn++
	var p turnPlan
	if sim.turn%2 == 0 {
		coCast := cohostCast(s)
		p.coU, p.coText = coCast[sim.coRng.IntN(len(coCast))], chatterLine(sim.coRng, -1)
	} else {
		// The squad channels in turn: a line in each every tenth turn.
		i := (sim.turn / 2) % len(squad)
		cast := squadCast(s, i)
		p.sqTo = s.channelByID(squadFirstChannelID + i)
		p.sqU, p.sqText = cast[sim.sqRng.IntN(len(cast))], chatterLine(sim.sqRng, -1)
	}
	events := !inst.opts.ChatOnly
	if events && sim.turn >= sim.statusAt {
		p.status = true
		if inst.liveNow(c) {
			off := inst.turnsIn(sim.evRng, offSpell)
			sim.statusAt = sim.turn + off
			sim.titleAt = sim.turn + max(1, off/2)
		} else {
			sim.statusAt = sim.turn + inst.turnsIn(sim.evRng, liveSpell)
		}
	}
	if events && sim.titleAt > 0 && sim.turn >= sim.titleAt {
		p.title = demoTitles[sim.titleNext%len(demoTitles)]
		sim.titleNext++
		sim.titleAt = 0
	}
	switch {
	case sim.spammed:
		sim.spammed = false
		p.timeout = true
		p.u, p.text = s.userByName(simModeratorName), "@"+spammerName+" no ads in here. Take five."
	// A slower clock than the ticker's (or a human moderator) may keep
	// the spammer out for longer: then the turn is a chatter's.
	case sim.turn >= sim.spamAt && inst.mayPost(c, spammer):
		p.u, p.text = spammer, spamLines[sim.rng.IntN(len(spamLines))]
		sim.spammed = true
		sim.spamAt = inst.spamGap(sim.turn)
	default:
		cast := chatterCast(s)
		p.u = cast[inst.chatSeq%len(cast)]
		if inst.chatSeq >= len(cast) {
			p.u = cast[inst.rng.IntN(len(cast))]
		}
		p.text = chatterLine(inst.rng, -1)
		inst.chatSeq++
		if !events {
			break
		}
		if sim.turn >= sim.deleteAt {
			if p.doomed = inst.pickDeleteLocked(c, inst.now()); p.doomed != nil {
				sim.deleteAt = inst.deleteGap(sim.turn)
			}
		}
		if sim.turn >= sim.followAt && len(sim.fans) > 0 {
			// Follows go to demo and cohost in turn. With an odd number of
			// fans each one's next follow is of the other channel, and its
			// follow of the same one comes round after two laps, more
			// than six hours on, so its announcement shows again.
			p.fan, p.fanTo = sim.fans[sim.fanNext%len(sim.fans)], c
			if sim.fanNext%2 == 1 {
				p.fanTo = cc
			}
			sim.fanNext++
			sim.followAt = sim.turn + inst.turnsIn(sim.evRng, followGap)
		}
	}
	return p
}

// liveNow reports whether c is live.
func (inst *Instance) liveNow(c *channel) bool {
	return inst.store.snap(c).live
}

// simFollow has fan follow streamer, unfollowing first when it follows
// already (a fan comes round again after its whole cycle), and reports
// whether the announcement was posted.
func (inst *Instance) simFollow(streamer, fan *user) bool {
	s := inst.store
	s.mu.RLock()
	following := s.follows[followKey{streamer, fan}] != nil
	s.mu.RUnlock()
	if following {
		if _, err := inst.unfollow(streamer, fan); err != nil {
			inst.log.Warn("simulated unfollow refused", "user", fan.username, "err", err)
		}
	}
	_, m, err := inst.follow(streamer, fan, fan.id%2 == 0)
	if err != nil {
		inst.log.Warn("simulated follow refused", "user", fan.username, "err", err)
	}
	return m != nil
}

// mayPost reports whether no ban or timeout keeps u out of c now.
func (inst *Instance) mayPost(c *channel, u *user) bool {
	s := inst.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := c.activeBanLocked(u, inst.now())
	return b == nil && err == nil
}
