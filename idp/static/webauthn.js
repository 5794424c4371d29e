// Runs a WebAuthn ceremony for the page's form: options come from
// <script type="application/json" id="webauthn-options">, the answer goes into the form's
// "response" field as JSON (base64url fields, as py_webauthn reads them), then the form submits.
(function () {
  var form = document.querySelector("form[data-webauthn]");
  var source = document.getElementById("webauthn-options");
  if (!form || !source || !window.PublicKeyCredential) { return; }
  var mode = form.getAttribute("data-webauthn");
  var status = document.getElementById("webauthn-status");

  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }
  function toText(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map(function (c) { return { type: c.type, id: toBytes(c.id), transports: c.transports }; });
  }
  function publicKey() {
    var o = JSON.parse(source.textContent);
    o.challenge = toBytes(o.challenge);
    if (mode === "create") {
      o.user.id = toBytes(o.user.id);
      o.excludeCredentials = descriptors(o.excludeCredentials);
    } else {
      o.allowCredentials = descriptors(o.allowCredentials);
    }
    return o;
  }
  function serialize(cred) {
    var r = cred.response, out = { id: cred.id, rawId: toText(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}, response: {} };
    out.response.clientDataJSON = toText(r.clientDataJSON);
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      out.response.userHandle = r.userHandle ? toText(r.userHandle) : null;
    }
    return JSON.stringify(out);
  }
  function run(event) {
    if (event) { event.preventDefault(); }
    var call = mode === "create" ? navigator.credentials.create({ publicKey: publicKey() })
                                 : navigator.credentials.get({ publicKey: publicKey() });
    call.then(function (cred) {
      form.querySelector("input[name=response]").value = serialize(cred);
      form.submit();
    }).catch(function (err) {
      if (status) { status.hidden = false; status.setAttribute("data-error", err && err.name ? err.name : "error"); }
    });
  }
  var start = document.getElementById("webauthn-start");
  if (start) { start.addEventListener("click", run); }
  if (form.hasAttribute("data-autostart")) { run(); }
})();
