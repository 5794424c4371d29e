// Polls /login/<factor>/status while a factor is confirmed elsewhere (e-mail link, app).
// Done: go on. Failed: submit the page's form, so the server shows why.
(function () {
  var box = document.querySelector("[data-poll-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-poll-url");
  var token = document.querySelector("input[name=csrf_token]").value;
  var form = document.getElementById("poll-fallback");
  var stopped = false;
  function tick() {
    if (stopped) { return; }
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token, "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.state === "done") { stopped = true; window.location.assign(data.next); return; }
        if (data.state === "failed") { stopped = true; if (form) { form.submit(); } return; }
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 1000);
  var left = document.getElementById("expires-in");
  if (left) {
    var seconds = parseInt(left.textContent, 10);
    window.setInterval(function () { if (seconds > 0) { seconds -= 1; left.textContent = String(seconds); } }, 1000);
  }
})();
