// Package testids holds the names and ids that tests in different packages
// must agree on, so that each is written once. It imports nothing of
// glimchat: the widget's tests (js/wasm) and the server's tests both use it,
// and it ties neither to the other.
package testids

import "strconv"

// FetchServerEnv is the environment variable through which server/e2e hands
// wasm/transport's browser tests the origin of its fetch server.
const FetchServerEnv = "GLIMCHAT_FETCH_SERVER"

// Ids of the fetch server's /hang requests that wasm/transport's browser
// tests cancel once the server holds them. server/e2e checks afterwards that
// each arrived and that the client went away before the answer.
const (
	HangBeforeHeaders = "before-headers" // cancelled while waiting for the response headers
	HangMidBody       = "mid-body"       // cancelled while reading the body
	HangDeadline      = "deadline"       // its context's deadline passes
	HangEventLoop     = "event-loop"     // held while a JavaScript timer fires
)

// StormHangs is how many /hang requests the concurrency test holds beside
// its echoes, with the ids StormHang(0) to StormHang(StormHangs-1). They are
// cancelled too.
const StormHangs = 4

// StormHang is the id of the i-th /hang request of the concurrency test.
func StormHang(i int) string { return "storm-" + strconv.Itoa(i) }

// Ids of /hang requests that must never reach the fetch server.
const (
	HangNeverSent = "never-sent" // its context was cancelled before the call
	HangBadHeader = "bad-header" // it carries a header value fetch refuses
)

// UnknownChannel is the channel the fetch server's /graphql answers with a
// "not found" error.
const UnknownChannel = "nobody"

// HashedWasm is a content-hashed widget name, glimchat.<12 hex digits>.wasm,
// for asset trees built by tests.
const HashedWasm = "glimchat.0123456789ab.wasm"
