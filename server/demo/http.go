package demo

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

const (
	msgLoggedOut    = "You must be logged in to access the api"
	msgInvalidToken = "Given access token is invalid, revoked, or expired."
	maxBody         = 1 << 20
)

// Handler serves /api/graph (HTTP and websocket), /oauth/authorize,
// /api/oauth/, /uploads/ and, with Options.Faults, /_demo/fault/.
func (inst *Instance) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/graph", inst.serveGraph)
	mux.HandleFunc("/api/graph/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/graph/websocket" {
			inst.serveSocket(w, r)
			return
		}
		inst.serveGraph(w, r) // Phoenix forwards the whole scope
	})
	mux.HandleFunc("/oauth/authorize", inst.serveAuthorize)
	mux.HandleFunc("POST /api/oauth/token", inst.serveToken)
	mux.HandleFunc("/api/oauth/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("access-control-allow-origin", "*")
		errorView(w, http.StatusNotFound)
	})
	mux.HandleFunc("/uploads/", inst.serveUploads)
	mux.HandleFunc("/_demo/fault/", inst.serveFault)
	mux.HandleFunc("/_demo/say", inst.serveSay)
	return mux
}

// errorView answers like GlimeshWeb.ErrorView for JSON: the status message
// as a JSON string.
func errorView(w http.ResponseWriter, status int) {
	writeJSON(w, status, http.StatusText(status))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`"Internal Server Error"`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

type gqlError struct {
	Message     string `json:"message"`
	HeaderError string `json:"header_error,omitempty"`
}

func errorsBody(msg string) map[string][]gqlError {
	return map[string][]gqlError{"errors": {{Message: msg}}}
}

// acceptsJSON is Phoenix's plug :accepts, ["json"].
func acceptsJSON(h string) bool {
	if strings.TrimSpace(h) == "" {
		return true
	}
	for _, part := range strings.Split(h, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if params["q"] == "0" || params["q"] == "0.0" {
			continue
		}
		if mt == "*/*" || mt == "application/json" {
			return true
		}
	}
	return false
}

// authorize is ApiContextPlug: exactly one Authorization header, matched by
// literal prefix. ok is false when the response has been written.
func (inst *Instance) authorize(w http.ResponseWriter, r *http.Request) (*access, bool) {
	hs := r.Header.Values("Authorization")
	if len(hs) != 1 {
		writeJSON(w, http.StatusUnauthorized, errorsBody(msgLoggedOut))
		return nil, false
	}
	h := hs[0]
	switch {
	case strings.HasPrefix(h, "Bearer "), strings.HasPrefix(h, "bearer "):
		acc := inst.tokenAccess(h[len("Bearer "):])
		if acc == nil {
			writeJSON(w, http.StatusUnauthorized, map[string][]gqlError{"errors": {{Message: msgInvalidToken, HeaderError: "invalid_access_token"}}})
			return nil, false
		}
		return acc, true
	case strings.HasPrefix(h, "Client-ID "), strings.HasPrefix(h, "client-id "):
		if h[len("Client-ID "):] != ClientID {
			// get_client/1 returns nil, which the plug does not match: a
			// CaseClauseError, rendered as a 500.
			errorView(w, http.StatusInternalServerError)
			return nil, false
		}
		return &access{scopes: map[string]bool{}}, true
	}
	writeJSON(w, http.StatusUnauthorized, errorsBody(msgLoggedOut))
	return nil, false
}

// baseURL is the instance's own origin as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	host := r.Host
	if host == "" || strings.ContainsAny(host, "/\\@ \"'<>") {
		host = "localhost"
	}
	return scheme + "://" + host
}

type gqlParams struct {
	query, opName string
	variables     map[string]any
}

// readParams merges query-string and body parameters like Plug.Parsers +
// Absinthe.Plug (the body wins). status > 0 means the request was refused
// with that status and message.
func readParams(w http.ResponseWriter, r *http.Request) (p gqlParams, status int, msg string) {
	vals := map[string]any{}
	for k, v := range r.URL.Query() {
		vals[k] = v[len(v)-1]
	}
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			return p, bodyErrorStatus(err), ""
		}
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch ct {
		case "application/json":
			var obj map[string]any
			if len(strings.TrimSpace(string(body))) > 0 {
				if err := json.Unmarshal(body, &obj); err != nil {
					return p, http.StatusBadRequest, ""
				}
			}
			for k, v := range obj {
				vals[k] = v
			}
		case "application/x-www-form-urlencoded":
			form, err := url.ParseQuery(string(body))
			if err != nil {
				return p, http.StatusBadRequest, ""
			}
			for k, v := range form {
				vals[k] = v[len(v)-1]
			}
		case "application/graphql":
			vals["query"] = string(body)
		}
	}
	p.query, _ = vals["query"].(string)
	if strings.TrimSpace(p.query) == "" {
		return p, http.StatusBadRequest, "No query document supplied"
	}
	p.opName, _ = vals["operationName"].(string)
	switch v := vals["variables"].(type) {
	case nil:
	case map[string]any:
		p.variables = v
	case string:
		if strings.TrimSpace(v) != "" {
			if err := json.Unmarshal([]byte(v), &p.variables); err != nil {
				return p, http.StatusBadRequest, "Could not parse variables"
			}
		}
	default:
		return p, http.StatusBadRequest, "Could not parse variables"
	}
	return p, 0, ""
}

// bodyErrorStatus is how Plug.Parsers fails a body it cannot read: 413
// past the length limit, 408 on a read timeout (Plug.TimeoutError), 400
// otherwise (Plug.BadRequestError).
func bodyErrorStatus(err error) int {
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &netErr) && netErr.Timeout():
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}

// operationType is the kind of the operation opName selects, or "" when
// the document does not parse or has no such operation.
func operationType(op *ast.OperationDefinition) ast.Operation {
	if op == nil {
		return ""
	}
	return op.Operation
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data,omitempty"`
	Errors any             `json:"errors,omitempty"`
}

func (inst *Instance) serveGraph(w http.ResponseWriter, r *http.Request) {
	// Router pipeline order: :accepts, then the Cors plug, then the auth plug.
	if !acceptsJSON(r.Header.Get("Accept")) {
		errorView(w, http.StatusNotAcceptable)
		return
	}
	w.Header().Set("access-control-allow-origin", "*")
	acc, ok := inst.authorize(w, r)
	if !ok {
		return
	}
	p, status, msg := readParams(w, r)
	if status != 0 {
		if msg == "" {
			errorView(w, status)
		} else {
			writeJSON(w, status, errorsBody(msg))
		}
		return
	}
	doc, op := parseOperation(p.query, p.opName)
	switch operationType(op) {
	case ast.Mutation:
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, errorsBody("Can only perform a mutation from a POST request"))
			return
		}
	case ast.Subscription:
		writeJSON(w, http.StatusOK, errorsBody("Subscriptions are only available over the websocket"))
		return
	}
	ri := &reqInfo{acc: acc, base: baseURL(r)}
	resp := inst.execute(r.Context(), ri, p.query, p.opName, p.variables, doc, op)
	if err := ri.raised(); err != nil {
		// Plug renders the exception: Ecto.NoResultsError as a 404, any
		// other as a 500.
		inst.log.Info("graphql resolver raised", "err", err)
		status := http.StatusInternalServerError
		if errors.Is(err, errMissing) {
			status = http.StatusNotFound
		}
		errorView(w, status)
		return
	}
	out := gqlResponse{Data: resp.Data}
	if len(resp.Errors) > 0 {
		addLocations(p.query, p.opName, resp.Errors)
		out.Errors = resp.Errors
	}
	writeJSON(w, http.StatusOK, out)
}
