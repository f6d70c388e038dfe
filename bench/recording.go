package main

import (
	"fmt"

	"github.com/glimchat/glimchat/internal/wsframes"
)

// startRecording clears the probe's records and starts the frame, paint
// and (with frames) websocket recordings.
const startRecording = `(() => {
	const B = __bench;
	B.track = true; B.painted.clear(); B.maxNodes = 0; B.maxShown = 0;
	B.wsFrames = %t ? [] : null;
	B.recordFrames();
	return B.states.length;
})()`

// recorded is what the probe recorded, read once a run is over.
type recorded struct {
	TimeOrigin float64            `json:"timeOrigin"`
	Frames     []float64          `json:"frames"`
	Painted    map[string]float64 `json:"painted"`
	Arrivals   map[string]float64 `json:"arrivals"`
	MaxNodes   int                `json:"maxNodes"`
	MaxShown   int                `json:"maxShown"`
	States     []string           `json:"states"`
}

// stopRecording reads what startRecording started and stops it; the
// websocket frames are read by wsframes.Arrivals (the %s).
const stopRecording = `(() => {
	const B = __bench;
	const out = {
		timeOrigin: performance.timeOrigin, frames: B.frames, painted: Object.fromEntries(B.painted),
		arrivals: %s, maxNodes: B.maxNodes, maxShown: B.maxShown,
		states: B.states.slice(%d).map(s => s[1]),
	};
	B.frames = null; B.wsFrames = null; B.track = false; B.painted.clear();
	return out;
})()`

// record starts recording (websocket frames too when frames is set) and
// returns the number of states so far, for stop.
func record(t *Tab, frames bool) (int, error) {
	return eval[int](t, fmt.Sprintf(startRecording, frames))
}

// stop ends the recording and reads it, with the states after the first
// states ones.
func stop(t *Tab, states int) (*recorded, error) {
	return eval[*recorded](t, fmt.Sprintf(stopRecording, wsframes.Arrivals("B.wsFrames || []"), states))
}

// framesBetween is the 95th percentile and the maximum of the
// frame-to-frame times between from and to (page clock, ms).
func framesBetween(frames []float64, from, to float64) (p95, most float64) {
	var d []float64
	for i := 1; i < len(frames); i++ {
		if frames[i] >= from && frames[i-1] <= to {
			d = append(d, frames[i]-frames[i-1])
		}
	}
	return percentile(d, 0.95), maxOf(d)
}

// leftLive counts the states that were not "live": reconnects.
func leftLive(states []string) int {
	n := 0
	for _, s := range states {
		if s != "live" {
			n++
		}
	}
	return n
}

// A measured run is a live tab that records (and, under -profile, is
// profiled) from open until finish.
type measured struct {
	*Tab
	name   string
	prof   *profile
	states int
}

// openMeasured opens url live and starts recording; frames records frame
// times too. name names its profile.
func (b *Bench) openMeasured(url, name string, frames bool) (*measured, error) {
	t, err := b.open(url)
	if err != nil {
		return nil, err
	}
	m := &measured{Tab: t, name: name}
	if m.prof, err = b.startProfile(t, url); err == nil {
		m.states, err = record(t, frames)
	}
	if err != nil {
		t.Close()
		return nil, err
	}
	return m, nil
}

// finish ends the recording and the profile, and reads the recording.
func (m *measured) finish() (*recorded, error) {
	rec, err := stop(m.Tab, m.states)
	if err != nil {
		return nil, err
	}
	return rec, m.prof.stop(m.name)
}
