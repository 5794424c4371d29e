// The in-browser signer: reads a PKCS#12 (.p12) file locally with forge, signs the challenge
// (detached CMS, SHA-256, RSA keys) and puts the base64 signature into the form. The file and
// its password are never sent: their inputs have no name, only the signature is submitted.
(function () {
  var button = document.getElementById("qes-sign");
  if (!button || !window.forge) { return; }
  var status = document.getElementById("qes-status");
  function fail(text) { status.hidden = false; status.textContent = text; }
  button.addEventListener("click", function () {
    var file = document.getElementById("qes-file").files[0];
    var password = document.getElementById("qes-password").value;
    var challenge = document.getElementById("qes-challenge").textContent.trim();
    if (!file) { fail(button.getAttribute("data-no-file")); return; }
    var reader = new FileReader();
    reader.onload = function () {
      try {
        var bytes = new Uint8Array(reader.result), binary = "";
        for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
        var p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(binary), false, password);
        var keyBag = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag][0];
        var certs = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag].map(function (b) { return b.cert; });
        var leaf = certs.filter(function (c) { var bc = c.getExtension("basicConstraints"); return !bc || !bc.cA; })[0];
        var p7 = forge.pkcs7.createSignedData();
        p7.content = forge.util.createBuffer(challenge, "utf8");
        p7.addCertificate(leaf);
        p7.addSigner({ key: keyBag.key, certificate: leaf, digestAlgorithm: forge.pki.oids.sha256,
          authenticatedAttributes: [
            { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
            { type: forge.pki.oids.messageDigest },
            { type: forge.pki.oids.signingTime, value: new Date() }] });
        p7.sign({ detached: true });
        document.getElementById("response").value = forge.util.encode64(forge.asn1.toDer(p7.toAsn1()).getBytes());
        document.getElementById("qes-form").submit();
      } catch (err) {
        fail(button.getAttribute("data-bad-file"));
      }
    };
    reader.readAsArrayBuffer(file);
  });
})();
