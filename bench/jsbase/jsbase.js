// The JS baseline of the bench (not shipped): the least hand-written
// JavaScript that does the overlay's job. One Phoenix v2 websocket to the
// instance, the Absinthe control channel joined, one history query and one
// chatMessage subscription as `doc` events, messages as text nodes, at most
// `limit` kept. Heartbeats every 30 s, a missed reply closes the socket
// (as the Phoenix JS client does), and it reconnects after a second.
// Parameters: channel, client_id, instance (default: this origin),
// history (50), limit (100).
(function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  var channel = q.get("channel") || "demo";
  var history = Number(q.get("history") || 50);
  var limit = Number(q.get("limit") || 100);
  var instance = new URL(q.get("instance") || location.origin);
  var url = (instance.protocol === "https:" ? "wss://" : "ws://") + instance.host +
    "/api/graph/websocket?vsn=2.0.0&client_id=" + encodeURIComponent(q.get("client_id") || "");
  var root = document.getElementById("glimchat");
  var log = document.getElementById("glimchat-log");
  var fields = "id message user { displayname }";
  var historyDoc = "query($u: String, $n: Int) { channel(streamerUsername: $u) { id " +
    "chatMessages(last: $n) { edges { node { " + fields + " } } } } }";
  var subscribeDoc = "subscription($c: ID) { chatMessage(channelId: $c) { " + fields + " } }";

  function show(m) {
    var li = document.createElement("li");
    li.setAttribute("data-message-id", m.id);
    li.textContent = (m.user ? m.user.displayname : "?") + ": " + m.message;
    log.appendChild(li);
    while (log.childElementCount > limit) log.firstElementChild.remove();
  }

  var ref = 0;
  var replies = {};
  var channelID = null; // known after the history query
  function connect() {
    var ws = new WebSocket(url);
    var pendingBeat = null;
    var beat;
    function send(topic, event, payload, onReply) {
      var r = String(++ref);
      if (onReply) replies[r] = onReply;
      ws.send(JSON.stringify(["1", r, topic, event, payload]));
      return r;
    }
    function subscribe() {
      send("__absinthe__:control", "doc", { query: subscribeDoc, variables: { c: channelID } }, function () {
        root.setAttribute("data-state", "live");
      });
    }
    // lost gives up on this socket at once: a half-open one may never
    // finish its closing handshake.
    function lost() {
      clearInterval(beat);
      ws.onclose = null;
      ws.close();
      root.setAttribute("data-state", "reconnecting");
      setTimeout(connect, 1000);
    }
    ws.onopen = function () {
      send("__absinthe__:control", "phx_join", {}, function () {
        if (channelID !== null) {
          subscribe();
          return;
        }
        send("__absinthe__:control", "doc", { query: historyDoc, variables: { u: channel, n: history } }, function (res) {
          var ch = res.response.data.channel;
          channelID = ch.id;
          ch.chatMessages.edges.forEach(function (e) { show(e.node); });
          subscribe();
        });
      });
      beat = setInterval(function () {
        if (pendingBeat !== null) {
          lost();
          return;
        }
        pendingBeat = send("phoenix", "heartbeat", {}, function () { pendingBeat = null; });
      }, 30000);
    };
    ws.onmessage = function (e) {
      var f = JSON.parse(e.data);
      if (f[3] === "phx_reply") {
        var cb = replies[f[1]];
        delete replies[f[1]];
        if (cb) cb(f[4]);
      } else if (f[3] === "subscription:data") {
        show(f[4].result.data.chatMessage);
      }
    };
    ws.onclose = lost;
  }
  connect();
})();
