package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

// Follows, as Glimesh.AccountFollows and the API's follow and unfollow
// mutations have them (GT lib/glimesh/account_follows.ex,
// lib/glimesh/account_follows/followers.ex, account_resolver.ex). The
// store holds no update_following: the API has no mutation for it.
//
// Only older versions of the resolvers (by channelId) could be read; the
// final schema's follow(streamerId) is taken to look the streamer up with
// Accounts.get_user and to answer as they do. Nothing in the code refuses
// a follow of oneself: the streamer may follow their own channel, and the
// announcement then comes from them.

// followKey identifies a followers row, or a channel (by its streamer) and
// a user: the table is unique on (streamer_id, user_id).
type followKey struct{ streamer, user *user }

// follower is a followers row. Its updated_at is its inserted_at: nothing
// the API does updates one.
type follower struct {
	id       int
	streamer *user
	user     *user
	live     bool // has_live_notifications
	inserted time.Time
}

const (
	// followText is the announcement follow posts as the follower, with
	// its leading blank.
	followText = " just followed the stream!"
	// followQuiet is sent_follow_message_recently?: a new announcement
	// needs NaiveDateTime.diff(now, the last one's inserted_at) > 21_600
	// (whole seconds).
	followQuiet = 21_600
)

// errTaken is the unique index's answer to a second follow, through
// parse_ecto_changeset_errors.
const errTaken = "streamer_id: has already been taken"

// follow is AccountFollows.follow: the row (refused when it exists), the
// push to followers subscriptions, and then, when the streamer has a
// channel, the user may chat there (can_create_chat_message?, a plain ban
// check: even the streamer or an admin under a ban gets none) and their
// last announcement there is more than six hours old, the announcement,
// posted as the user through create_chat_message. Its refusals are
// dropped, as the real code drops them. It returns the announcement, nil
// when there was none. An error of the ban check is a raise, after the row
// is in.
func (inst *Instance) follow(streamer, u *user, live bool) (*follower, *message, error) {
	s := inst.store
	now := inst.now()
	s.mu.Lock()
	key := followKey{streamer, u}
	if s.follows[key] != nil {
		s.mu.Unlock()
		return nil, nil, chatError(errTaken)
	}
	s.nextFollow++
	f := &follower{id: s.nextFollow, streamer: streamer, user: u, live: live, inserted: dbTime(now)}
	s.follows[key] = f
	s.mu.Unlock()
	inst.hub.publish(fieldFollowers, strconv.Itoa(streamer.id), f)

	c := s.channelOf(streamer)
	if c == nil {
		return f, nil, nil
	}
	ok, err := inst.announceFollow(c, u, now)
	if err != nil || !ok {
		return f, nil, err
	}
	text := followText
	m, err := inst.postMessage(c, u, &text, true)
	if err != nil {
		inst.log.Debug("follow announcement refused", "user", u.username, "channel", c.id, "err", err)
		return f, nil, nil
	}
	return f, m, nil
}

// announceFollow reports whether follow posts its announcement in c.
func (inst *Instance) announceFollow(c *channel, u *user, now time.Time) (bool, error) {
	s := inst.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := c.activeBanLocked(u, now)
	if err != nil || b != nil {
		return false, err
	}
	last, ok := s.followMsgs[followKey{c.streamer, u}]
	return !ok || int64(now.Sub(last)/time.Second) > followQuiet, nil
}

// unfollow is AccountFollows.unfollow: the row goes (Repo.delete, which
// answers with it), or "Not following". Nothing is pushed.
func (inst *Instance) unfollow(streamer, u *user) (*follower, error) {
	s := inst.store
	s.mu.Lock()
	defer s.mu.Unlock()
	key := followKey{streamer, u}
	f := s.follows[key]
	if f == nil {
		return nil, chatError("Not following")
	}
	delete(s.follows, key)
	return f, nil
}

// Follow makes follower follow streamer through the follow mutation's
// path, pushes and announcement included. It returns the announcement's
// id, or "" when the rules allowed none.
func (inst *Instance) Follow(streamer, follower string) (string, error) {
	st, u, err := inst.followPair(streamer, follower)
	if err != nil {
		return "", err
	}
	_, m, err := inst.follow(st, u, false)
	if err != nil {
		return "", fmt.Errorf("%s follows %s: %w", follower, streamer, err)
	}
	if m == nil {
		return "", nil
	}
	return strconv.Itoa(m.id), nil
}

// Unfollow ends follower's follow of streamer, as the unfollow mutation.
func (inst *Instance) Unfollow(streamer, follower string) error {
	st, u, err := inst.followPair(streamer, follower)
	if err != nil {
		return err
	}
	if _, err := inst.unfollow(st, u); err != nil {
		return fmt.Errorf("%s unfollows %s: %w", follower, streamer, err)
	}
	return nil
}

func (inst *Instance) followPair(streamer, follower string) (*user, *user, error) {
	st := inst.store.userByName(streamer)
	if st == nil {
		return nil, nil, fmt.Errorf("streamer %q: %w", streamer, errMissing)
	}
	u := inst.store.userByName(follower)
	if u == nil {
		return nil, nil, fmt.Errorf("follower %q: %w", follower, errMissing)
	}
	return st, u, nil
}

// streamerArg is Accounts.get_user of an ID argument: nil when there is
// no such user; an id Ecto cannot cast raises.
func (s *store) streamerArg(id graphql.ID) (*user, error) {
	n, err := strconv.Atoi(string(id))
	if err != nil {
		return nil, fmt.Errorf("cast user id %q: %w", string(id), errMissing)
	}
	return s.userByID(n), nil
}

type followArgs struct {
	StreamerID        graphql.ID
	LiveNotifications bool
}

// Follow is the follow mutation: the follow scope, then the streamer.
func (r *rootResolver) Follow(ctx context.Context, args followArgs) (*followerRes, error) {
	return r.followMutation(ctx, args.StreamerID, func(streamer, u *user) (*follower, error) {
		f, _, err := r.inst.follow(streamer, u, args.LiveNotifications)
		return f, err
	})
}

// Unfollow is the unfollow mutation.
func (r *rootResolver) Unfollow(ctx context.Context, args struct{ StreamerID graphql.ID }) (*followerRes, error) {
	return r.followMutation(ctx, args.StreamerID, r.inst.unfollow)
}

func (r *rootResolver) followMutation(ctx context.Context, streamerID graphql.ID, do func(streamer, u *user) (*follower, error)) (*followerRes, error) {
	ri := reqFrom(ctx)
	if !ri.acc.has("follow") {
		return nil, errors.New(errUnauthorized)
	}
	streamer, err := r.inst.store.streamerArg(streamerID)
	if err != nil {
		return nil, ri.fail(err)
	}
	if streamer == nil {
		return nil, errors.New(errNotFound)
	}
	f, err := do(streamer, ri.acc.user)
	if err != nil {
		return nil, ri.fail(err)
	}
	return &followerRes{r.inst, f}, nil
}

type followerRes struct {
	inst *Instance
	f    *follower
}

func (r *followerRes) ID() graphql.ID             { return graphql.ID(strconv.Itoa(r.f.id)) }
func (r *followerRes) HasLiveNotifications() bool { return r.f.live }
func (r *followerRes) Streamer() *userRes         { return &userRes{r.inst, r.f.streamer} }
func (r *followerRes) User() *userRes             { return &userRes{r.inst, r.f.user} }
func (r *followerRes) InsertedAt() naiveTime      { return naiveTime{r.f.inserted} }
func (r *followerRes) UpdatedAt() naiveTime       { return naiveTime{r.f.inserted} }
