// oauth-callback.js is the OAuth redirect target of the embed page's
// sign-in popup. It hands the instance's answer (code, state, or error) to
// the window that opened it, and only if that window is on this origin
// (postMessage's targetOrigin), then closes. The embed page checks the
// origin and the state again. An external file: the CSP allows no inline
// script.
(function () {
  "use strict";

  var params = new URLSearchParams(location.search);
  var message = {
    type: "glimchat-oauth",
    state: params.get("state") || "",
    code: params.get("code") || "",
    error: params.get("error") || "",
    error_description: params.get("error_description") || ""
  };
  // The code must not linger in the address bar or the history.
  if (history.replaceState) {
    history.replaceState(null, "", location.pathname);
  }
  var opener = window.opener;
  if (opener && !opener.closed) {
    opener.postMessage(message, location.origin);
    window.close();
    return;
  }
  var status = document.getElementById("glimchat-callback-status");
  if (status) {
    status.textContent = "The chat that asked for this sign-in is gone. Close this window and sign in again from the chat.";
  }
})();
