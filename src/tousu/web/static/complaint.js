// Complaint actions: each form posts JSON to its API endpoint with the version the page was read at.
"use strict";
(() => {
  const root = document.getElementById("complaint");
  const { api, errorText } = tousu;
  const id = root.dataset.id;
  const version = Number(root.dataset.version);
  const errorBox = document.getElementById("action-error");
  const noticeBox = document.getElementById("action-notice");

  function say(box, text) {
    errorBox.hidden = true; noticeBox.hidden = true;
    box.textContent = text; box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  // Field values typed as the API expects: checkboxes as booleans, number inputs as numbers.
  function collect(form, submitter) {
    const data = {};
    form.querySelectorAll("input, select, textarea").forEach((input) => {
      if (!input.name || input.type === "submit") return;
      if (input.type === "checkbox") data[input.name] = input.checked;
      else if (input.type === "number") data[input.name] = input.value === "" ? 0 : Number(input.value);
      else if (input.value.trim() !== "") data[input.name] = input.value;
    });
    if (submitter && submitter.name) data[submitter.name] = submitter.value;
    return data;
  }

  async function submit(form, path, body, done) {
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    const result = await api("POST", path, body);
    buttons.forEach((b) => { b.disabled = false; });
    if (!result.ok) {
      say(errorBox, result.status === 409 ? "已被他人更新，请刷新页面后再操作。" : errorText(result));
      return;
    }
    done(result.body);
  }

  document.querySelectorAll("form[data-endpoint]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { ...collect(form, event.submitter), version };
      submit(form, "/api/v1/complaints/" + id + "/" + form.dataset.endpoint, body, (answer) => {
        if (form.dataset.endpoint === "settlements") {
          say(noticeBox, answer.message + " 页面将在数秒后刷新。");
          setTimeout(() => location.reload(), 2500);
        } else {
          location.reload();
        }
      });
    });
  });

  // The reply checker (质检): forbidden phrases, missing elements and a suggested rewrite.
  const checkButton = document.getElementById("check-reply");
  if (checkButton) {
    checkButton.addEventListener("click", async () => {
      const box = document.getElementById("check-result");
      const textarea = document.getElementById("reply-text");
      const { el } = tousu;
      if (!textarea.value.trim()) { box.replaceChildren(el("p", "请先填写答复内容。", "muted")); return; }
      const result = await api("POST", "/api/v1/check-reply", { text: textarea.value });
      if ([404, 405, 503].includes(result.status)) { box.replaceChildren(el("p", "质检不可用", "muted")); return; }
      if (!result.ok) { box.replaceChildren(el("p", errorText(result), "error")); return; }
      const check = result.body;
      const nodes = [el("p", "质检得分 " + check.score + "（" + check.grade + "）", check.score >= 75 ? "notice" : "error")];
      const list = el("ul");
      (check.problems || []).forEach((p) => list.append(el("li", "“" + p.text + "”：" + p.message +
        (p.suggestion ? " 建议：" + p.suggestion : ""))));
      (check.missing || []).forEach((m) => list.append(el("li", "缺少" + m.name + "：" + m.message)));
      nodes.push(list);
      if (check.rewritten && check.rewritten !== textarea.value) {
        const adopt = el("button", "采用建议改写");
        adopt.type = "button";
        adopt.addEventListener("click", () => { textarea.value = check.rewritten; box.replaceChildren(); });
        nodes.push(el("blockquote", check.rewritten), adopt);
      }
      box.replaceChildren(...nodes);
    });
  }

  document.querySelectorAll("form.decision").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { approve: event.submitter.value === "true" };
      const comment = form.querySelector("[name=comment]").value.trim();
      if (comment) body.comment = comment;
      submit(form, "/api/v1/settlements/" + form.dataset.settlement + "/decision", body, () => location.reload());
    });
  });
})();
