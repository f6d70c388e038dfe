// Package wsframes is the JavaScript that reads the websocket frames a
// measured page recorded, as the bench (bench/probe.js records them) and
// server/e2e's BenchmarkFlood (its frame hook) both read them: one reading,
// so the two harnesses' figures mean the same.
package wsframes

// arrivals is a function expression. Given the recorded frames, an array of
// [time, data] in the order they reached the page, it maps the chat message
// id of each subscription:data push (a Phoenix v2 frame: [join_ref, ref,
// topic, event, payload]) to the time its frame first reached the page.
// Anything else, a frame that is not text, not JSON or not such a push, is
// passed over.
const arrivals = `(frames) => {
	const out = {};
	for (const [at, data] of frames) {
		if (typeof data !== "string" || !data.includes("subscription:data")) continue;
		let m;
		try { m = JSON.parse(data); } catch { continue; }
		const id = Array.isArray(m) && m[3] === "subscription:data" && m[4]?.result?.data?.chatMessage?.id;
		if (typeof id === "string" && !(id in out)) out[id] = at;
	}
	return out;
}`

// Arrivals is a JavaScript expression for the arrivals among the frames
// that the expression frames evaluates to: an object from message id to the
// time of the frame that first carried it, on the frames' own clock.
func Arrivals(frames string) string {
	return "(" + arrivals + ")(" + frames + ")"
}
