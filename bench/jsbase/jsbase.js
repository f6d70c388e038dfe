// The JS baseline of the bench (not shipped): the least hand-written
// JavaScript that does the overlay's job. One Phoenix v2 websocket to the
// instance, the Absinthe control channel joined, one history query and one
// chatMessage subscription as `doc` events, at most `limit` messages kept.
// Each line looks like the overlay's (jsbase.css): role badges, the name in
// a palette colour by user id, emotes as images, text as text nodes. The
// moderation logs are read every mod_poll seconds (5) over the socket: a
// timeout or ban takes the user's lines, a delete the line whose updatedAt
// is the log's time (api.md: the log names only the author). Heartbeats
// every 30 s, a missed reply closes the socket (as the Phoenix JS client
// does), and it reconnects after a second.
// Parameters: channel, client_id, instance (default: this origin),
// history (50), limit (100), mod_poll (5; 0 = off).
(function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  var channel = q.get("channel") || "demo";
  var history = Number(q.get("history") || 50);
  var limit = Number(q.get("limit") || 100);
  var modPoll = Number(q.get("mod_poll") || 5);
  var instance = new URL(q.get("instance") || location.origin);
  var url = (instance.protocol === "https:" ? "wss://" : "ws://") + instance.host +
    "/api/graph/websocket?vsn=2.0.0&client_id=" + encodeURIComponent(q.get("client_id") || "");
  var root = document.getElementById("glimchat");
  var log = document.getElementById("glimchat-log");
  var fields = "id message user { id displayname } " +
    "metadata { admin streamer moderator subscriber platformFounderSubscriber platformSupporterSubscriber } " +
    "tokens { type text ... on EmoteToken { src } }";
  var historyDoc = "query($u: String, $n: Int) { channel(streamerUsername: $u) { id " +
    "chatMessages(last: $n) { edges { node { " + fields + " } } } } }";
  var subscribeDoc = "subscription($c: ID) { chatMessage(channelId: $c) { " + fields + " } }";
  // The newest `limit` messages' stamps: a delete of any line shown is seen.
  var modDoc = "query($c: ID, $n: Int) { channel(id: $c) { " +
    "moderationLogs(last: 20) { edges { node { id action insertedAt user { id } } } } " +
    "chatMessages(last: $n) { edges { node { id insertedAt updatedAt user { id } } } } } }";
  var roles = [["streamer", "Streamer"], ["admin", "Admin"], ["moderator", "Mod"],
    ["platformFounderSubscriber", "Founder"], ["platformSupporterSubscriber", "Supporter"], ["subscriber", "Sub"]];

  // colour is the user's palette entry (FNV-1a of the id, as the widget picks).
  function colour(id) {
    var h = 0x811c9dc5;
    for (var i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
    return h % 12;
  }
  function emote(src) {
    try {
      var u = new URL(src, instance);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }
  function show(m) {
    var li = document.createElement("li");
    li.className = "m";
    li.setAttribute("data-message-id", m.id);
    var user = m.user || { id: "", displayname: "?" };
    li.setAttribute("data-user-id", user.id);
    var md = m.metadata || {};
    roles.forEach(function (r) {
      if (!md[r[0]]) return;
      var b = li.appendChild(document.createElement("span"));
      b.className = "b b-" + r[0];
      b.textContent = r[1];
    });
    var name = li.appendChild(document.createElement("b"));
    name.className = "n c" + colour(user.id);
    name.textContent = user.displayname;
    li.appendChild(document.createTextNode(": "));
    (m.tokens && m.tokens.length ? m.tokens : [{ type: "text", text: m.message }]).forEach(function (t) {
      var src = t.type === "emote" && emote(t.src);
      if (!src) {
        li.appendChild(document.createTextNode(t.text));
        return;
      }
      var img = li.appendChild(document.createElement("img"));
      img.alt = img.title = t.text;
      img.src = src;
    });
    log.appendChild(li);
    while (log.childElementCount > limit) log.firstElementChild.remove();
  }
  function removeWhere(pred) {
    Array.prototype.slice.call(log.children).forEach(function (li) {
      if (pred(li)) li.remove();
    });
  }
  // moderate applies the logs newer than the last read.
  var lastLog = 0;
  function moderate(ch) {
    var stamps = {};
    ch.chatMessages.edges.forEach(function (e) {
      var n = e.node;
      if (n.updatedAt !== n.insertedAt) stamps[n.user.id + " " + n.updatedAt] = (stamps[n.user.id + " " + n.updatedAt] || []).concat(n.id);
    });
    ch.moderationLogs.edges.forEach(function (e) {
      var l = e.node;
      if (Number(l.id) <= lastLog) return;
      lastLog = Number(l.id);
      if (l.action === "delete_message") {
        var ids = stamps[l.user.id + " " + l.insertedAt] || [];
        removeWhere(function (li) { return ids.indexOf(li.getAttribute("data-message-id")) >= 0; });
      } else if (l.action !== "unban") {
        removeWhere(function (li) { return li.getAttribute("data-user-id") === l.user.id; });
      }
    });
  }

  var ref = 0;
  var replies = {};
  var channelID = null; // known after the history query
  function connect() {
    var ws = new WebSocket(url);
    var pendingBeat = null;
    var beat, poll;
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
      if (modPoll > 0) {
        poll = setInterval(function () {
          send("__absinthe__:control", "doc", { query: modDoc, variables: { c: channelID, n: limit } }, function (res) {
            var ch = res.response && res.response.data && res.response.data.channel;
            if (ch) moderate(ch);
          });
        }, modPoll * 1000);
      }
    }
    // lost gives up on this socket at once: a half-open one may never
    // finish its closing handshake.
    function lost() {
      clearInterval(beat);
      clearInterval(poll);
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
