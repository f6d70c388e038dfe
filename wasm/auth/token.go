package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Token is a viewer's grant. It never prints its secrets.
type Token struct {
	Access  string
	Refresh string    // "" when the instance gave none
	Expiry  time.Time // zero when unknown
	Scope   string
}

// String never shows the secrets, so a Token can be logged.
func (t Token) String() string {
	if t.Access == "" {
		return "<no token>"
	}
	return fmt.Sprintf("token <redacted> expiring %v", t.Expiry)
}

// GoString keeps %#v from printing the secrets too.
func (t Token) GoString() string { return t.String() }

// TokenError is the instance's refusal at the token endpoint.
type TokenError struct {
	Status      int
	Code        string // invalid_grant, invalid_client, …
	Description string
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("auth: token endpoint: HTTP %d %s", e.Status, e.Code)
}

// maxTokenBody bounds the token endpoint's answer.
const maxTokenBody = 64 << 10

// maxSecret bounds a token's length; anything longer is not one.
const maxSecret = 4096

type tokenJSON struct {
	AccessToken      string      `json:"access_token"`
	RefreshToken     string      `json:"refresh_token"`
	ExpiresIn        json.Number `json:"expires_in"`
	Scope            string      `json:"scope"`
	Error            string      `json:"error"`
	ErrorDescription string      `json:"error_description"`
}

// ParseToken reads the token endpoint's answer. Secrets must be printable
// ASCII, since they travel in a header and a query parameter.
func ParseToken(status int, body []byte, now time.Time) (Token, error) {
	var tj tokenJSON
	if err := json.Unmarshal(body, &tj); err != nil {
		if status != http.StatusOK {
			return Token{}, &TokenError{Status: status}
		}
		return Token{}, fmt.Errorf("auth: token endpoint answer: %w", err)
	}
	if status != http.StatusOK || tj.Error != "" {
		return Token{}, &TokenError{Status: status, Code: clip(tj.Error, 64), Description: clip(tj.ErrorDescription, 200)}
	}
	if !secret(tj.AccessToken) || (tj.RefreshToken != "" && !secret(tj.RefreshToken)) {
		return Token{}, errors.New("auth: token endpoint answer has no usable token")
	}
	t := Token{Access: tj.AccessToken, Refresh: tj.RefreshToken, Scope: clip(tj.Scope, 200)}
	if secs, err := tj.ExpiresIn.Int64(); err == nil && secs > 0 && secs < 10*365*24*3600 {
		t.Expiry = now.Add(time.Duration(secs) * time.Second)
	}
	return t, nil
}

func secret(s string) bool {
	if s == "" || len(s) > maxSecret {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Refused reports whether err means the grant is gone for good (the
// refresh token was revoked or expired, the app is unknown), as opposed to
// a failure that may heal (the network, a 5xx).
func Refused(err error) bool {
	var te *TokenError
	return errors.As(err, &te) && te.Status >= 400 && te.Status < 500
}

// Post sends form to instance's token endpoint, form-encoded (a CORS
// simple request: no preflight), and reads the token. hc carries it (the
// fetch transport in the browser).
func Post(ctx context.Context, hc *http.Client, instance *url.URL, form url.Values, now func() time.Time) (Token, error) {
	endpoint := strings.TrimSuffix(instance.String(), "/") + "/api/oauth/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("auth: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		// The URL carries no secret: they are in the body.
		return Token{}, fmt.Errorf("auth: token endpoint unreachable: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody+1))
	if err != nil {
		return Token{}, fmt.Errorf("auth: token endpoint answer: %w", err)
	}
	if len(body) > maxTokenBody {
		return Token{}, errors.New("auth: token endpoint answer too large")
	}
	return ParseToken(resp.StatusCode, bytes.TrimSpace(body), now())
}

// RefreshMargin is how long before expiry a token is refreshed.
const RefreshMargin = 5 * time.Minute

// RefreshAt is when t should be refreshed: RefreshMargin before it
// expires, or at the half of what is left when that is less. ok is false
// when t cannot be refreshed (no refresh token) or its expiry is unknown.
func RefreshAt(t Token, now time.Time) (at time.Time, ok bool) {
	if t.Refresh == "" || t.Expiry.IsZero() {
		return time.Time{}, false
	}
	left := t.Expiry.Sub(now)
	if left <= 2*RefreshMargin {
		return now.Add(max(left/2, 0)), true
	}
	return t.Expiry.Add(-RefreshMargin), true
}

// ErrExpired is reported when a token that cannot be refreshed runs out.
var ErrExpired = errors.New("auth: the sign-in expired")

// Clock is the time as Keep sees it; tests pass a fake.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real time.
type SystemClock struct{}

func (SystemClock) Now() time.Time                         { return time.Now() }
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Keeper keeps a token fresh until its context ends.
type Keeper struct {
	Clock   Clock
	Refresh func(ctx context.Context, refreshToken string) (Token, error)
	// OnToken receives every new token; OnLost the reason the grant is
	// gone (refused, or expired without a way to refresh). After OnLost,
	// Keep returns.
	OnToken func(Token)
	OnLost  func(error)
}

// retryFirst and retryMax pace refreshes that failed for a reason that may
// heal.
const (
	retryFirst = 15 * time.Second
	retryMax   = 5 * time.Minute
)

// Keep refreshes t at RefreshAt, retrying failures that may heal until the
// token expires.
func (k Keeper) Keep(ctx context.Context, t Token) {
	retry := retryFirst
	retrying := false
	for {
		now := k.Clock.Now()
		at, ok := RefreshAt(t, now)
		if !ok {
			if t.Expiry.IsZero() {
				return // nothing to do: the instance will say when it is refused
			}
			at = t.Expiry
		}
		if retrying {
			at = now // the retry's wait is over
		}
		if !k.sleep(ctx, at.Sub(now)) {
			return
		}
		if !ok {
			k.OnLost(ErrExpired)
			return
		}
		nt, err := k.Refresh(ctx, t.Refresh)
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			if nt.Refresh == "" {
				nt.Refresh = t.Refresh // a refresh need not rotate it
			}
			t, retry, retrying = nt, retryFirst, false
			k.OnToken(t)
		case Refused(err):
			k.OnLost(err)
			return
		default:
			// Try again, but never past the expiry.
			now = k.Clock.Now()
			if !t.Expiry.After(now) {
				k.OnLost(fmt.Errorf("%w: %w", ErrExpired, err))
				return
			}
			if !k.sleep(ctx, min(retry, t.Expiry.Sub(now))) {
				return
			}
			retry, retrying = min(2*retry, retryMax), true
		}
	}
}

func (k Keeper) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	select {
	case <-k.Clock.After(d):
		return true
	case <-ctx.Done():
		return false
	}
}

type storedJSON struct {
	Access  string `json:"access"`
	Refresh string `json:"refresh,omitempty"`
	Expiry  int64  `json:"expiry,omitempty"` // Unix seconds
	Scope   string `json:"scope,omitempty"`
}

// Encode is t as kept in sessionStorage (only when the embed asks for it).
func Encode(t Token) string {
	s := storedJSON{Access: t.Access, Refresh: t.Refresh, Scope: t.Scope}
	if !t.Expiry.IsZero() {
		s.Expiry = t.Expiry.Unix()
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// Decode reads what Encode wrote. A bare token (no JSON) is an access
// token of unknown expiry, as pasted by hand or put there by tests. ok is
// false for nothing usable, or a token that has expired and cannot be
// refreshed.
func Decode(v string, now time.Time) (t Token, ok bool) {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "{") {
		return Token{Access: v}, secret(v)
	}
	var s storedJSON
	if json.Unmarshal([]byte(v), &s) != nil || !secret(s.Access) || (s.Refresh != "" && !secret(s.Refresh)) {
		return Token{}, false
	}
	t = Token{Access: s.Access, Refresh: s.Refresh, Scope: s.Scope}
	if s.Expiry > 0 {
		t.Expiry = time.Unix(s.Expiry, 0)
		if !t.Expiry.After(now) && t.Refresh == "" {
			return Token{}, false
		}
	}
	return t, true
}
