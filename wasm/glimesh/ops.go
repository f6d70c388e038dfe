package glimesh

import "github.com/shurcooL/graphql"

// The typed operations. shurcooL/graphql builds the query text from these
// structs; ops_test.go validates that text against the reference schema.

// gqlMessage selects every field the widget shows. Its generated selection
// set is exactly messageSelection, which the subscription reuses.
type gqlMessage struct {
	ID                string
	Message           string
	InsertedAt        string
	UpdatedAt         string
	IsFollowedMessage bool
	User              *struct {
		ID          string
		Username    string
		Displayname string
		AvatarURL   string `graphql:"avatarUrl"`
	}
	Metadata *struct {
		Admin                       bool
		Streamer                    bool
		Moderator                   bool
		Subscriber                  bool
		PlatformFounderSubscriber   bool
		PlatformSupporterSubscriber bool
	}
	Tokens []*struct {
		Type       string
		Text       string
		EmoteToken struct {
			Src string
		} `graphql:"... on EmoteToken"`
		URLToken struct {
			URL string `graphql:"url"`
		} `graphql:"... on UrlToken"`
	}
}

// messageSelection is the selection set shurcooL generates for gqlMessage
// (TestSubscriptionMatchesHistory keeps the two identical).
const messageSelection = `{id,message,insertedAt,updatedAt,isFollowedMessage,user{id,username,displayname,avatarUrl},` +
	`metadata{admin,streamer,moderator,subscriber,platformFounderSubscriber,platformSupporterSubscriber},` +
	`tokens{type,text,... on EmoteToken{src},... on UrlToken{url}}}`

// ChannelSubscription is the Absinthe document for a channel's changes
// (going live or offline, a new title). Its pushes decode with
// DecodeChannelPush.
const ChannelSubscription = `subscription($channelId: ID) { channel(id: $channelId) ` + channelSelection + ` }`

// channelSelection is what the widget shows of a channel's stream.
const channelSelection = `{status,title}`

// Subscription is the Absinthe document for a channel's live chat. Its
// pushes decode with DecodePush.
const Subscription = `subscription($channelId: ID) { chatMessage(channelId: $channelId) ` + messageSelection + ` }`

type channelQuery struct {
	Channel *struct {
		ID string
	} `graphql:"channel(streamerUsername: $username)"`
}

// historyQuery and moderationQuery are the typed forms of the hand-written
// historyQueryText and moderationQueryText (see start.go): what shurcooL
// builds from them is what is sent, checked by TestStartMatchesTyped.
type historyQuery struct {
	Channel *struct {
		ChatMessages *struct {
			Edges []*struct {
				Node *gqlMessage
			}
		} `graphql:"chatMessages(last: $last)"`
	} `graphql:"channel(id: $channelId)"`
}

type sendMutation struct {
	CreateChatMessage *gqlMessage `graphql:"createChatMessage(channelId: $channelId, message: $message)"`
}

// ChatMessageInput is the schema's input type of createChatMessage. It is
// exported only because shurcooL/graphql names variable types after Go types.
type ChatMessageInput struct {
	Message graphql.String `json:"message"`
}

// wire turns a decoded operation result into the shared wire shape, so that
// history, mutation replies and pushes go through the same toMessage checks.
func (g *gqlMessage) wire() *wireMessage {
	if g == nil {
		return nil
	}
	w := &wireMessage{ID: g.ID, Message: g.Message, InsertedAt: g.InsertedAt, UpdatedAt: g.UpdatedAt, Followed: g.IsFollowedMessage}
	if u := g.User; u != nil {
		w.User = &wireUser{ID: u.ID, Username: u.Username, Displayname: u.Displayname, AvatarURL: u.AvatarURL}
	}
	if md := g.Metadata; md != nil {
		w.Metadata = &wireMetadata{
			Admin: md.Admin, Streamer: md.Streamer, Moderator: md.Moderator, Subscriber: md.Subscriber,
			PlatformFounderSubscriber:   md.PlatformFounderSubscriber,
			PlatformSupporterSubscriber: md.PlatformSupporterSubscriber,
		}
	}
	if g.Tokens != nil {
		w.Tokens = make([]*wireToken, 0, len(g.Tokens))
		for _, t := range g.Tokens {
			if t == nil {
				w.Tokens = append(w.Tokens, nil)
				continue
			}
			w.Tokens = append(w.Tokens, &wireToken{Type: t.Type, Text: t.Text, URL: t.URLToken.URL, Src: t.EmoteToken.Src})
		}
	}
	return w
}

// gqlModerationLog is a ChannelModerationLog, as every moderation mutation
// returns it.
type gqlModerationLog struct {
	ID         string
	Action     string
	InsertedAt string
	User       *struct{ ID string }
	Moderator  *struct{ ID string }
}

type moderationQuery struct {
	Channel *struct {
		ModerationLogs *logEdges   `graphql:"moderationLogs(last: $logs)"`
		Bans           *banEdges   `graphql:"bans(last: $bans)"`
		Recent         *stampEdges `graphql:"recent: chatMessages(last: $recent)"`
	} `graphql:"channel(id: $channelId)"`
}

// stampEdges are the newest messages as the moderation poll reads them:
// only what tells which one a delete took.
type stampEdges struct {
	Edges []*struct {
		Node *struct {
			ID         string
			InsertedAt string
			UpdatedAt  string
			User       *struct{ ID string }
		}
	}
}

type logEdges struct {
	Edges []*struct {
		Node *gqlModerationLog
	}
}

type banEdges struct {
	Edges []*struct {
		Node *struct {
			User       *struct{ ID string }
			ExpiresAt  string
			InsertedAt string
		}
	}
}

type messageEdges struct {
	Edges []*struct {
		Node *gqlMessage
	}
}

// startQuery is what the page needs before its first paint, in one round
// trip: the channel, by name, with its recent messages and moderation.
type startQuery struct {
	Channel *struct {
		ID             string
		Status         string
		Title          string
		ChatMessages   *messageEdges `graphql:"chatMessages(last: $last)"`
		ModerationLogs *logEdges     `graphql:"moderationLogs(last: $logs)"`
		Bans           *banEdges     `graphql:"bans(last: $bans)"`
	} `graphql:"channel(streamerUsername: $username)"`
}

// startQueryChat is startQuery without the moderation (mod_poll=0, or an
// instance that refuses to show it).
type startQueryChat struct {
	Channel *struct {
		ID           string
		Status       string
		Title        string
		ChatMessages *messageEdges `graphql:"chatMessages(last: $last)"`
	} `graphql:"channel(streamerUsername: $username)"`
}

// streamQuery reads what ChannelSubscription pushes, after a resubscribe
// that may have missed a push.
type streamQuery struct {
	Channel *struct {
		Status string
		Title  string
	} `graphql:"channel(id: $channelId)"`
}

type rightsQuery struct {
	Myself *struct {
		ID string
	}
	Channel *struct {
		Streamer *struct {
			ID string
		}
		Moderators *struct {
			Edges []*struct {
				Node *struct {
					User            *struct{ ID string }
					CanDelete       bool
					CanShortTimeout bool
					CanLongTimeout  bool
					CanBan          bool
				}
			}
		} `graphql:"moderators(first: $first)"`
	} `graphql:"channel(id: $channelId)"`
}

// One struct per moderation mutation: shurcooL takes the field from a tag.
type (
	deleteMutation struct {
		Log *gqlModerationLog `graphql:"deleteChatMessage(channelId: $channelId, messageId: $messageId)"`
	}
	shortTimeoutMutation struct {
		Log *gqlModerationLog `graphql:"shortTimeoutUser(channelId: $channelId, userId: $userId)"`
	}
	longTimeoutMutation struct {
		Log *gqlModerationLog `graphql:"longTimeoutUser(channelId: $channelId, userId: $userId)"`
	}
	banMutation struct {
		Log *gqlModerationLog `graphql:"banUser(channelId: $channelId, userId: $userId)"`
	}
)

func (m *deleteMutation) result() *gqlModerationLog       { return m.Log }
func (m *shortTimeoutMutation) result() *gqlModerationLog { return m.Log }
func (m *longTimeoutMutation) result() *gqlModerationLog  { return m.Log }
func (m *banMutation) result() *gqlModerationLog          { return m.Log }
