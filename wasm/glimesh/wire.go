package glimesh

// Wire types: the JSON shapes the widget decodes with easyjson on the hot
// paths (subscription pushes, error bodies). Only structs belong in this
// file; they are converted to Message by toMessage, which treats every field
// as hostile.

//go:generate go tool easyjson -all -no_std_marshalers wire.go

// wirePush is a Phoenix "subscription:data" payload.
type wirePush struct {
	Result         wireResult `json:"result"`
	SubscriptionID string     `json:"subscriptionId"`
}

type wireResult struct {
	Data   wirePushData `json:"data"`
	Errors []wireError  `json:"errors"`
}

type wirePushData struct {
	ChatMessage *wireMessage      `json:"chatMessage"`
	Channel     *wireChannelState `json:"channel"`
}

// wireChannelState is a channel(id) push, and the stream part of the
// start query.
type wireChannelState struct {
	Status string `json:"status"`
	Title  string `json:"title"`
}

type wireMessage struct {
	ID         string        `json:"id"`
	Message    string        `json:"message"`
	InsertedAt string        `json:"insertedAt"`
	UpdatedAt  string        `json:"updatedAt"`
	Followed   bool          `json:"isFollowedMessage"`
	User       *wireUser     `json:"user"`
	Metadata   *wireMetadata `json:"metadata"`
	Tokens     []*wireToken  `json:"tokens"`
}

type wireUser struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Displayname string `json:"displayname"`
	AvatarURL   string `json:"avatarUrl"`
}

type wireMetadata struct {
	Admin                       bool `json:"admin"`
	Streamer                    bool `json:"streamer"`
	Moderator                   bool `json:"moderator"`
	Subscriber                  bool `json:"subscriber"`
	PlatformFounderSubscriber   bool `json:"platformFounderSubscriber"`
	PlatformSupporterSubscriber bool `json:"platformSupporterSubscriber"`
}

type wireToken struct {
	Type string `json:"type"`
	Text string `json:"text"`
	URL  string `json:"url"`
	Src  string `json:"src"`
}

// wireError is one entry of a GraphQL "errors" array. HeaderError is set by
// Glimesh on 401s for bad tokens ("invalid_access_token").
type wireError struct {
	Message     string `json:"message"`
	HeaderError string `json:"header_error"`
}

// wireErrors is the part of any GraphQL response body the client reads
// itself; "data" is skipped.
type wireErrors struct {
	Errors []wireError `json:"errors"`
}

// wireStart is the answer to the start query (see Client.Start).
type wireStart struct {
	Data   wireStartData `json:"data"`
	Errors []wireError   `json:"errors"`
}

type wireStartData struct {
	Channel *wireStartChannel `json:"channel"`
}

type wireStartChannel struct {
	ID             string            `json:"id"`
	Status         string            `json:"status"`
	Title          string            `json:"title"`
	ChatMessages   *wireMessageEdges `json:"chatMessages"`
	ModerationLogs *wireLogEdges     `json:"moderationLogs"`
	Bans           *wireBanEdges     `json:"bans"`
	// Recent is the moderation poll's read of the newest messages' stamps
	// (an alias of chatMessages; see moderationQueryText).
	Recent *wireMessageEdges `json:"recent"`
}

type wireMessageEdges struct {
	Edges []*wireMessageEdge `json:"edges"`
}

type wireMessageEdge struct {
	Node *wireMessage `json:"node"`
}

type wireLogEdges struct {
	Edges []*wireLogEdge `json:"edges"`
}

type wireLogEdge struct {
	Node *wireLog `json:"node"`
}

type wireLog struct {
	ID         string  `json:"id"`
	Action     string  `json:"action"`
	InsertedAt string  `json:"insertedAt"`
	User       *wireID `json:"user"`
	Moderator  *wireID `json:"moderator"`
}

type wireID struct {
	ID string `json:"id"`
}

type wireBanEdges struct {
	Edges []*wireBanEdge `json:"edges"`
}

type wireBanEdge struct {
	Node *wireBan `json:"node"`
}

type wireBan struct {
	User       *wireID `json:"user"`
	ExpiresAt  string  `json:"expiresAt"`
	InsertedAt string  `json:"insertedAt"`
}
