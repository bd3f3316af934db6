// 月度报表: while a build is queued or running, poll its progress and move the bar; reload when done.
(function () {
  var box = document.querySelector(".build");
  if (!box) return;
  var bar = box.querySelector(".meter span"), text = box.querySelector(".build-text");
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin"}).then(function (r) {
      // signed out (the sign-in page comes back) or refused: reload, and the page says why
      if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("json") < 0) { window.location.reload(); return null; }
      return r.json();
    }).then(function (p) {
        if (!p) return;
        if (p.state === "queued") { text.textContent = "排队中…"; }
        if (p.state === "building") {
          text.textContent = "生成中 " + p.done + "/" + p.total + " 人";
          bar.style.width = (p.total ? Math.round(100 * p.done / p.total) : 0) + "%";
        }
        if (p.state === "done" || p.state === "failed" || p.state === "idle") { window.location.reload(); return; }
        setTimeout(poll, 1000);
      }).catch(function () { setTimeout(poll, 3000); });
  }
  if (box.dataset.state === "queued" || box.dataset.state === "building") poll();
})();
