// Starts the floor's wasm, named by <meta name="glimchat-wasm"> (the bench
// points it at the content-hashed file), the way the widget's loader.js does.
(function () {
  "use strict";
  var url = document.querySelector('meta[name="glimchat-wasm"]').getAttribute("content");
  var go = new Go();
  WebAssembly.instantiateStreaming(fetch(url), go.importObject)
    .then(function (r) { return go.run(r.instance); })
    .catch(function (err) { console.error("floor:", err); });
})();
