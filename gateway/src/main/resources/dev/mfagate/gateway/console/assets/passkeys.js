// mfagate console: passkeys (WebAuthn). A form marked data-webauthn="create" or "get" asks the
// gateway for options (data-options, posting the form's fields), calls navigator.credentials, puts
// the answer (base64url JSON) in its "credential" field and submits itself. The gateway decides
// everything; this only carries bytes between the authenticator and the gateway.
"use strict";
(function () {
  function toBytes(b64url) {
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = "";
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function created(cred) {
    var r = cred.response;
    return {
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
      response: {
        clientDataJSON: toB64url(r.clientDataJSON),
        attestationObject: toB64url(r.attestationObject),
        transports: typeof r.getTransports === "function" ? r.getTransports() : []
      },
      clientExtensionResults: cred.getClientExtensionResults()
    };
  }

  function asserted(cred) {
    var r = cred.response;
    return {
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
      response: {
        clientDataJSON: toB64url(r.clientDataJSON),
        authenticatorData: toB64url(r.authenticatorData),
        signature: toB64url(r.signature),
        userHandle: r.userHandle ? toB64url(r.userHandle) : null
      },
      clientExtensionResults: cred.getClientExtensionResults()
    };
  }

  function ceremony(form, status) {
    var kind = form.getAttribute("data-webauthn");
    var fields = new URLSearchParams(new FormData(form));
    fields.delete("credential");
    return fetch(form.getAttribute("data-options"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: fields.toString()
    }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) { throw new Error(body.message || "The gateway refused."); }
        return body;
      });
    }).then(function (o) {
      o.challenge = toBytes(o.challenge);
      if (kind === "create") {
        o.user.id = toBytes(o.user.id);
        (o.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.create({ publicKey: o }).then(created);
      }
      (o.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
      return navigator.credentials.get({ publicKey: o }).then(asserted);
    }).then(function (answer) {
      form.querySelector("input[name=credential]").value = JSON.stringify(answer);
      status.textContent = "Checking…";
      form.submit();
    });
  }

  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    var status = form.querySelector(".webauthn-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!window.PublicKeyCredential) {
        status.textContent = "This browser does not support passkeys.";
        return;
      }
      status.textContent = "Waiting for your passkey…";
      ceremony(form, status).catch(function (e) {
        status.textContent = (e && e.name === "NotAllowedError")
          ? "The passkey was not used (cancelled or timed out); try again."
          : (e && e.message ? e.message : "The passkey did not answer; try again.");
      });
    });
  });
})();
