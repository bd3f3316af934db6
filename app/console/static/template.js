// The template editor: the weights' total as HR types, each row's method fields, and the preview of
// how a figure scores (asked of the server, which scores it with the same rules as the month close).
(function () {
  var form = document.getElementById("template-form");
  if (!form) return;
  var total = document.getElementById("weight-total");

  function rows() { return Array.prototype.slice.call(form.querySelectorAll("tr.item")); }
  function field(row, name) { return row.querySelector("[name=" + name + "]"); }

  function showTotal() {
    var sum = 0, bad = false;
    rows().forEach(function (row) {
      if (!field(row, "indicator").value) return;
      var text = field(row, "weight").value.trim();
      var value = Number(text);
      if (text === "" || isNaN(value)) { bad = true; } else { sum += value; }
    });
    sum = Math.round(sum * 10000) / 10000;
    var ok = !bad && sum === 100;
    total.textContent = "权重合计 " + sum + " / 100" + (ok ? "" : bad ? "（有权重不是数字）" : "（必须等于100）");
    total.className = "total " + (ok ? "ok" : "bad");
  }

  function showMethod(row) {
    var kind = field(row, "method").value;
    ["ratio", "deduction", "bands", "pass_fail"].forEach(function (k) {
      row.querySelector(".m-" + k).hidden = k !== kind;
    });
  }

  function preview(row) {
    var out = row.querySelector(".points");
    var figure = row.querySelector(".figure").value.trim();
    if (!figure || !field(row, "indicator").value) { out.textContent = ""; return; }
    var query = new URLSearchParams({ figure: figure, currency: form.elements.currency.value });
    ["indicator", "weight", "target", "cap", "floor", "rater", "method", "step", "points", "bands"].forEach(function (n) {
      query.set(n, field(row, n).value);
    });
    fetch(form.dataset.preview + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (shown) {
        out.className = "points " + (shown.error ? "bad" : shown.met ? "ok" : "");
        out.textContent = shown.error ? shown.error
          : shown.figure + " 得 " + shown.points + " / " + shown.weight + " 分（" + (shown.met ? "达标" : "未达标") + "）";
        out.title = shown.rule || "";
      })
      .catch(function () { out.textContent = "预览暂不可用"; });
  }

  rows().forEach(function (row) {
    showMethod(row);
    field(row, "method").addEventListener("change", function () { showMethod(row); preview(row); });
    row.addEventListener("input", function (e) { if (e.target.name === "weight" || e.target.name === "indicator") showTotal(); });
    row.addEventListener("change", function () { showTotal(); preview(row); });
    row.querySelector(".figure").addEventListener("input", function () { preview(row); });
  });
  showTotal();
})();
