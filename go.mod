module github.com/glimchat/glimchat

go 1.26.0

require (
	github.com/andybalholm/brotli v1.3.0
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/coder/websocket v1.8.15
	github.com/graph-gophers/graphql-go v1.11.0
	github.com/hack-pad/safejs v0.1.0
	github.com/mailru/easyjson v0.9.2
	github.com/shurcooL/graphql v0.0.0-20240915155400-7ee5256398cf
	github.com/vektah/gqlparser/v2 v2.5.64
	golang.org/x/net v0.61.0
)

require (
	github.com/agnivade/levenshtein v1.2.2 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/josharian/intern v1.0.0 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)

tool (
	github.com/hack-pad/safejs/jsguard/cmd/jsguard
	github.com/mailru/easyjson/easyjson
)
