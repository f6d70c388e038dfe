package glimesh

import (
	"errors"
	"fmt"

	"github.com/glimchat/glimchat/wasm/codec"
)

// maxPush bounds one subscription push. A real one is a few kilobytes.
const maxPush = 256 << 10

// DecodePush decodes the payload of a Phoenix "subscription:data" event,
// {"result":{"data":{"chatMessage":{…}}},"subscriptionId":"…"}, with the
// generated easyjson decoder. Any malformed, oversized or id-less payload is
// an error, never a panic; an "errors" result is a *GraphQLError.
func DecodePush(payload []byte) (Message, error) {
	p, err := decodePush(payload)
	if err != nil {
		return Message{}, err
	}
	if len(p.Result.Errors) > 0 && p.Result.Data.ChatMessage == nil {
		return Message{}, graphQLError(p.Result.Errors)
	}
	if p.Result.Data.ChatMessage == nil {
		return Message{}, &DecodeError{Err: errors.New("push without chatMessage")}
	}
	m, err := toMessage(p.Result.Data.ChatMessage)
	if err != nil {
		return Message{}, &DecodeError{Err: err}
	}
	return m, nil
}

// DecodeChannelPush decodes the payload of a channel(id) subscription push.
func DecodeChannelPush(payload []byte) (ChannelState, error) {
	p, err := decodePush(payload)
	if err != nil {
		return ChannelState{}, err
	}
	if ch := p.Result.Data.Channel; ch != nil {
		return channelState(ch), nil
	}
	if len(p.Result.Errors) > 0 {
		return ChannelState{}, graphQLError(p.Result.Errors)
	}
	return ChannelState{}, &DecodeError{Err: errors.New("push without channel")}
}

// decodePush decodes a subscription:data payload of at most maxPush bytes.
func decodePush(payload []byte) (*wirePush, error) {
	if len(payload) > maxPush {
		return nil, &DecodeError{Err: fmt.Errorf("push of %d bytes exceeds %d", len(payload), maxPush)}
	}
	p := &wirePush{}
	if err := codec.Decode(payload, p); err != nil {
		return nil, &DecodeError{Err: err}
	}
	return p, nil
}
