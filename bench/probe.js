// probe.js is added by the bench to every page it measures, before any script
// of the page runs (over CDP, so outside the page's CSP). It records, on the
// page's own clock (performance.now(), ms since navigation start), when each
// chat message is painted, and what the bench asks for besides: frame times,
// websocket frames, state changes, memory objects, start-up marks. The widget,
// the floor and the JS baseline are all measured by this one script: each
// marks a message with a data-message-id attribute.
(() => {
  "use strict";
  // Bound now: bench/warp.js, when a run adds it, speeds up the page's
  // clocks and timers after this, and the probe keeps the real clock.
  const now = performance.now.bind(performance);
  const timeOrigin = performance.timeOrigin;
  const raf = window.requestAnimationFrame.bind(window);
  const B = (window.__bench = {
    marks: {}, // start-up marks: wasm compiled, socket created/open
    first: 0, // first message painted
    count: 0, // messages painted
    maxID: 0, // highest message id painted (ids grow)
    track: false, // keep every painted id in painted, and sample the DOM size
    painted: new Map(), // id -> ms painted, while track
    maxNodes: 0, // most elements in the document, while track
    maxShown: 0, // most messages in the document, while track
    frames: null, // rAF timestamps while an array
    wsFrames: null, // [ms, data] of websocket frames received while an array
    states: [], // [unix ms, data-state] of #glimchat
    mems: [], // WebAssembly.Memory of every instance
    queries: [], // [ms, "http" | "socket"] of every GraphQL query the page sent
    removed: new Map(), // watched message id -> unix ms it left the document (0 while there)
  });

  // A message is painted in the frame whose rendering follows its insertion.
  // Inserted inside a frame callback (the widget paints from rAF), that is
  // this frame: the time is taken right after the callback. Inserted in any
  // other task (the JS baseline, the floor), it is the next frame: the time
  // is taken at that frame's callbacks. Either way the figure is "the rAF
  // phase of the frame that shows it", the same for every page. A node
  // removed before its frame was never painted.
  function mark(nodes, at) {
    for (const n of nodes) {
      if (!n.isConnected) continue;
      const id = n.getAttribute("data-message-id");
      if (B.first === 0) B.first = at;
      B.count++;
      const num = Number(id);
      if (num > B.maxID) B.maxID = num;
      if (B.track && !B.painted.has(id)) B.painted.set(id, at);
    }
    if (B.track && nodes.length > 0) {
      B.maxNodes = Math.max(B.maxNodes, document.getElementsByTagName("*").length);
      B.maxShown = Math.max(B.maxShown, document.querySelectorAll("[data-message-id]").length);
    }
  }

  // messages collects the message elements added, and notes state changes.
  function messages(records) {
    const out = [];
    for (const r of records) {
      if (r.type === "attributes") {
        if (r.target.id === "glimchat") {
          B.states.push([timeOrigin + now(), r.target.getAttribute("data-state")]);
        }
        continue;
      }
      for (const n of r.removedNodes) {
        if (n.nodeType !== 1 || !n.hasAttribute("data-message-id")) continue;
        const id = n.getAttribute("data-message-id");
        if (B.removed.get(id) === 0) B.removed.set(id, timeOrigin + now());
      }
      for (const n of r.addedNodes) {
        if (n.nodeType === 1 && n.hasAttribute("data-message-id")) out.push(n);
      }
    }
    return out;
  }

  let waiting = []; // inserted outside a frame callback, painted next frame
  let scheduled = false;
  function nextFrame() {
    scheduled = false;
    const nodes = waiting;
    waiting = [];
    mark(nodes, now());
  }
  const observer = new MutationObserver((records) => {
    const nodes = messages(records);
    if (nodes.length === 0) return;
    waiting.push(...nodes);
    if (!scheduled) {
      scheduled = true;
      raf(nextFrame);
    }
  });
  observer.observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["data-state"],
  });
  window.requestAnimationFrame = function (cb) {
    return raf((t) => {
      try {
        return cb.call(window, t);
      } finally {
        mark(messages(observer.takeRecords()), now());
      }
    });
  };

  // Frame times: a rAF loop keeps frames coming, so a long task shows as a
  // long gap between two frames.
  B.recordFrames = () => {
    const frames = (B.frames = []);
    const loop = (t) => {
      if (B.frames !== frames) return;
      frames.push(t);
      raf(loop);
    };
    raf(loop);
  };

  // Websocket frames are recorded as they reach the page by a listener added
  // ahead of the page's own onmessage handler, raw, to be parsed after the
  // run: the page sees exactly what it would without the probe.
  const hooked = new WeakSet();
  const record = (e) => {
    if (B.wsFrames) B.wsFrames.push([now(), e.data]);
  };
  const d = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
  Object.defineProperty(WebSocket.prototype, "onmessage", {
    configurable: true, enumerable: d.enumerable, get: d.get,
    set(fn) {
      if (!hooked.has(this)) {
        hooked.add(this);
        this.addEventListener("message", record);
      }
      d.set.call(this, fn);
    },
  });
  const WS = window.WebSocket;
  window.WebSocket = new Proxy(WS, {
    construct(target, args, nt) {
      const ws = Reflect.construct(target, args, nt);
      B.marks.socketCreated ??= now();
      ws.addEventListener("open", () => { B.marks.socketOpen ??= now(); });
      return ws;
    },
  });

  // Queries the page sends to the instance: every GraphQL request over
  // HTTP (a POST to /api/graph) and every Absinthe "doc" over a socket
  // (a query, or a subscription). Heartbeats and joins are not queries.
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === "string" && data.includes('"doc"')) {
      try {
        const f = JSON.parse(data);
        if (Array.isArray(f) && f[3] === "doc") B.queries.push([now(), "socket"]);
      } catch {}
    }
    return send.call(this, data);
  };
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    try {
      const req = input instanceof Request ? input : null;
      const method = (init && init.method) || (req && req.method) || "GET";
      const url = new URL(req ? req.url : String(input), location.href);
      if (method.toUpperCase() === "POST" && url.pathname === "/api/graph") B.queries.push([now(), "http"]);
    } catch {}
    return fetch0.apply(this, arguments);
  };
  // queriesBetween counts the queries sent between two times (ms, page clock).
  B.queriesBetween = (from, to) => B.queries.filter((q) => q[0] >= from && q[0] <= to).length;
  // Only watched ids are kept: a soak removes 100,000 messages, and a map of
  // them all would be the heap growth the soak measures.
  B.watchRemoval = (id) => { if (!B.removed.has(id)) B.removed.set(id, 0); return true; };
  B.removedAt = (id) => B.removed.get(id) || 0;
  B.now = now; // the real clock, ms since navigation start

  // Start-up marks and the wasm memories, for the heap figures.
  const keep = (r) => {
    B.marks.wasmReady ??= now();
    const inst = r instanceof WebAssembly.Instance ? r : r.instance;
    if (inst && inst.exports.mem instanceof WebAssembly.Memory) B.mems.push(inst.exports.mem);
    return r;
  };
  for (const name of ["instantiateStreaming", "instantiate"]) {
    const orig = WebAssembly[name];
    if (typeof orig !== "function") continue;
    WebAssembly[name] = function (...args) {
      return orig.apply(this, args).then(keep);
    };
  }

  // wasmBytes is the linear memory of every wasm instance of the page.
  B.wasmBytes = () => B.mems.reduce((s, m) => s + m.buffer.byteLength, 0);

  // phases are the start-up marks with the resource timings, for "where
  // the time goes".
  B.phases = () => {
    const out = { ...B.marks, firstMessage: B.first };
    const nav = performance.getEntriesByType("navigation")[0];
    if (nav) {
      out.htmlDone = nav.responseEnd;
      out.domContentLoaded = nav.domContentLoadedEventEnd;
    }
    // The widget's own marks (wasm/dom.Mark): "glimchat:<step>".
    for (const m of performance.getEntriesByType("mark")) {
      if (m.name.startsWith("glimchat:")) out[m.name] ??= m.startTime;
    }
    for (const e of performance.getEntriesByType("resource")) {
      const path = new URL(e.name).pathname;
      if (path.endsWith(".wasm")) {
        out.wasmDownloaded = e.responseEnd;
        out.wasmTransferBytes = e.transferSize;
      } else if (path === "/api/graph") {
        out.firstAPIStart ??= e.startTime;
        out.firstAPIDone ??= e.responseEnd;
      }
    }
    return out;
  };
})();
