// glimchat embed loader: frames embed.html (from next to this file) in every
// element with a data-glimchat attribute.
//
//   <div data-glimchat data-channel="yourname" data-client-id="YOUR_CLIENT_ID"
//        data-instance="https://glimesh.example" data-height="600"></div>
//   <script src="https://chat.example/embed.js" async></script>
//
// Every data-* attribute becomes the URL parameter of the same name, dashes
// as underscores (data-client-id → client_id), except data-height (the
// frame's height: a number of pixels or a CSS length; without it the frame
// takes the element's height, or 600px when the element has none) and
// data-title (the frame's title). Tokens never go into the URL. Elements
// added later: call window.glimchatEmbed().
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.src ? script.src : location.href;
  var own = ["glimchat", "height", "title"];
  var done = new WeakSet();

  function frame(el) {
    if (done.has(el)) return;
    done.add(el);
    var q = new URLSearchParams();
    var height = "", title = "Live chat";
    for (var i = 0; i < el.attributes.length; i++) {
      var a = el.attributes[i];
      if (a.name.lastIndexOf("data-", 0) !== 0) continue;
      var name = a.name.slice(5).toLowerCase().replace(/-/g, "_");
      if (name === "height") height = a.value.trim();
      else if (name === "title") title = a.value || title;
      else if (own.indexOf(name) < 0 && name.lastIndexOf("glimchat_", 0) !== 0 &&
        !/(^|_)token$/.test(name)) q.append(name, a.value);
    }
    var src = new URL("embed.html", base);
    src.search = q.toString();
    var f = document.createElement("iframe");
    f.src = src.href;
    f.title = title;
    f.setAttribute("loading", "lazy");
    f.setAttribute("referrerpolicy", "no-referrer");
    f.className = "glimchat-frame";
    f.style.display = "block";
    f.style.width = "100%";
    f.style.border = "0";
    f.style.height = /^\d+(\.\d+)?$/.test(height) ? height + "px" : (height || "600px");
    if (!height && typeof ResizeObserver === "function") {
      // Fill the element: its content box, so padding never feeds back.
      new ResizeObserver(function (entries) {
        var h = Math.floor(entries[entries.length - 1].contentRect.height);
        if (h > 0 && f.style.height !== h + "px") f.style.height = h + "px";
      }).observe(el);
    }
    el.appendChild(f);
  }

  function scan(root) {
    var els = (root || document).querySelectorAll("[data-glimchat]");
    for (var i = 0; i < els.length; i++) frame(els[i]);
  }

  window.glimchatEmbed = scan;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(); });
  } else {
    scan();
  }
})();
