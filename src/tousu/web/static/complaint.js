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
