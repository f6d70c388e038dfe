// loader.js starts the glimchat widget: it fetches the content-hashed wasm
// named by <meta name="glimchat-wasm"> and runs it with wasm_exec.js (loaded
// first). It is a file, not an inline script, because the CSP is
// script-src 'self' 'wasm-unsafe-eval'. Whatever fails, the page says so in
// #glimchat-status instead of staying blank.
(function () {
  "use strict";

  var root = document.getElementById("glimchat");
  var status = document.getElementById("glimchat-status");

  function fail(message, err) {
    if (status) {
      status.textContent = message;
    }
    if (root) {
      root.setAttribute("data-state", "offline");
    }
    console.error("glimchat: " + message, err === undefined ? "" : err);
  }

  var meta = document.querySelector('meta[name="glimchat-wasm"]');
  var url = meta && meta.getAttribute("content");
  if (!url) {
    fail("The chat could not start: this page does not say where the widget is.");
    return;
  }
  if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
    fail("The chat needs WebAssembly, which this browser does not support or has turned off.");
    return;
  }
  if (typeof Go !== "function") {
    fail("The chat could not start: its runtime (wasm_exec.js) did not load.");
    return;
  }

  var go = new Go();
  // A Go panic ends the program with a non-zero code; wasm_exec.js would only
  // log a warning, so report it where the viewer can see it.
  go.exit = function (code) {
    if (code !== 0) {
      fail("The chat stopped after an internal error (exit code " + code + "). Reload the page to restart it.");
    }
  };

  var response = fetch(url).then(function (resp) {
    if (!resp.ok) {
      throw new Error("HTTP " + resp.status + " for " + url);
    }
    return resp;
  });

  var instantiated;
  if (typeof WebAssembly.instantiateStreaming === "function") {
    instantiated = WebAssembly.instantiateStreaming(response, go.importObject);
  } else {
    // Older engines: compile from the whole body instead.
    instantiated = response
      .then(function (resp) { return resp.arrayBuffer(); })
      .then(function (bytes) { return WebAssembly.instantiate(bytes, go.importObject); });
  }

  instantiated
    .then(function (result) {
      return go.run(result.instance);
    })
    .catch(function (err) {
      fail("The chat could not load. Check the connection and reload the page.", err);
    });
})();
