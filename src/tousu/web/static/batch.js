// The batch page's actions: each form posts JSON to /api/v1/batches/{id}/{action}; the page then
// reloads and says what was done (for 统一答复: who was answered, who was not and why).
"use strict";
(() => {
  const root = document.getElementById("batch");
  if (!root) return;
  const { api, errorText } = tousu;
  const id = root.dataset.id;
  const errorBox = document.getElementById("action-error");
  const noticeBox = document.getElementById("action-notice");
  const noticeKey = "tousu-batch-notice:" + id;

  function say(box, text) {
    errorBox.hidden = true; noticeBox.hidden = true;
    box.textContent = text; box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function replyReport(answer) {
    const parts = ["统一答复已发送给 " + answer.replied.length + " 位客户。"];
    answer.not_replied.forEach((m) => parts.push(m.reference + " 未答复：" + m.reason + "。"));
    if (answer.other_halls) parts.push("另有 " + answer.other_halls + " 件属其他营业厅，您无权答复，请联系其负责人。");
    return parts.join(" ");
  }

  const done = { owner: "负责人已更新。", "fault-ticket": "故障单已保存。", close: "批次已关闭。" };

  document.querySelectorAll("form[data-action]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const action = form.dataset.action;
      const body = {};
      form.querySelectorAll("input, select, textarea").forEach((field) => { if (field.name) body[field.name] = field.value; });
      if (event.submitter && event.submitter.name) body[event.submitter.name] = event.submitter.value;
      const buttons = form.querySelectorAll("button");
      buttons.forEach((b) => { b.disabled = true; });
      const result = await api("POST", "/api/v1/batches/" + id + "/" + action, action === "close" ? undefined : body);
      buttons.forEach((b) => { b.disabled = false; });
      // The service's own words, a 409 included (the batch was closed meanwhile, a member changed).
      const err = result.body && result.body.error;
      if (!result.ok) { say(errorBox, (err && err.message) || errorText(result)); return; }
      const text = action === "reply" ? replyReport(result.body) : done[action];
      try { sessionStorage.setItem(noticeKey, text); } catch (err) { /* storage off: the reload shows the new state */ }
      location.reload();
    });
  });

  let kept = null;
  try { kept = sessionStorage.getItem(noticeKey); sessionStorage.removeItem(noticeKey); } catch (err) { kept = null; }
  if (kept) say(noticeBox, kept);
})();
