// Complaint actions: each form sends JSON to its API endpoint with the version the page was read at.
// A refused save keeps everything typed and shows the message next to the field at fault.
"use strict";
(() => {
  const root = document.getElementById("complaint");
  const { api, errorText, el } = tousu;
  const id = root.dataset.id;
  const version = Number(root.dataset.version);
  const errorBox = document.getElementById("action-error");
  const noticeBox = document.getElementById("action-notice");

  function say(box, text) {
    errorBox.hidden = true; noticeBox.hidden = true;
    box.textContent = text; box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  // Field values typed as the API expects: checkboxes as booleans (or a list for data-list groups),
  // number inputs and data-type="int" selects as numbers; empty text is left out (null for data-clear fields).
  function collect(form, submitter) {
    const data = {};
    form.querySelectorAll("input, select, textarea").forEach((input) => {
      if (!input.name || input.type === "submit") return;
      if (input.type === "checkbox" && input.hasAttribute("data-list")) {
        data[input.name] = data[input.name] || [];
        if (input.checked) data[input.name].push(input.value);
      } else if (input.type === "checkbox") data[input.name] = input.checked;
      else if (input.type === "number") data[input.name] = input.value === "" ? (input.min === "1" ? undefined : 0) : Number(input.value);
      else if (input.dataset.type === "int") data[input.name] = input.value === "" ? undefined : Number(input.value);
      else if (input.dataset.type === "amount") data[input.name] = Number(input.value.trim() || 0);  // checked by amountErrors
      else if (input.value.trim() === "" && input.hasAttribute("data-clear")) data[input.name] = null;  // emptied: clear it
      // A local date and time is Asia/Shanghai's (UTC+8 all year).
      else if (input.type === "datetime-local") data[input.name] = input.value + (input.value.length === 16 ? ":00" : "") + "+08:00";
      else if (input.value.trim() !== "") data[input.name] = input.value;
    });
    if ("other_id_manual" in data) {  // the link form: a typed ID wins over the list
      if (data.other_id_manual !== undefined) data.other_id = data.other_id_manual;
      delete data.other_id_manual;
    }
    Object.keys(data).forEach((key) => { if (data[key] === undefined) delete data[key]; });
    if (submitter && submitter.name) data[submitter.name] = submitter.value;
    return data;
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach((node) => node.remove());
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  }

  // The message beside the field the API named; the banner at the top when no field matches.
  function showError(form, result) {
    const err = (result.body && result.body.error) || {};
    const text = errorText(result);
    // items.basis: the settlement form has one basis for its items.
    const field = err.field === "items.basis" ? "legal_basis" : (err.field || "").split(".")[0];
    const input = field && (form.querySelector('[name="' + CSS.escape(field) + '"]') ||
      (field === "other_id" && form.querySelector('[name="other_id_manual"]')));
    if (result.status === 409) { conflict(result); return; }
    if (!input) { say(errorBox, text); return; }
    markField(input, text.replace(/^[\w.]+：/, ""), field);
    input.focus();
  }

  // The message beside its field (after the field's group for checkboxes), announced and linked.
  function markField(input, text, field) {
    const slot = el("span", text, "field-error");
    slot.id = "error-" + (input.id || field);
    slot.setAttribute("role", "alert");
    const anchor = input.closest("fieldset") || (input.type === "checkbox" ? input.closest("label") : input);
    anchor.after(slot);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", slot.id);
  }

  // A stale version (409): what was typed is kept in this tab, keyed by the complaint, and put back
  // into the same fields after the latest version is loaded. Nothing typed is lost to a reload.
  const keptKey = "tousu-kept:" + id;
  const formKey = (form) => form.dataset.settlement ? "decision-" + form.dataset.settlement : (form.id || form.dataset.endpoint || "");
  const fieldKey = (field) => field.id || field.name + (field.type === "checkbox" ? "=" + field.value : "");
  const changed = (field) => field.type === "checkbox" ? field.checked !== field.defaultChecked
    : field.tagName === "SELECT" ? Array.from(field.options).some((o) => o.selected !== o.defaultSelected)
    : field.value !== field.defaultValue && field.value.trim() !== "";

  function keepTyped() {
    const kept = [];
    document.querySelectorAll("form").forEach((form) => {
      form.querySelectorAll("input, select, textarea").forEach((field) => {
        if (!field.name || ["hidden", "submit", "password"].includes(field.type) || !changed(field)) return;
        const label = field.labels && field.labels[0] ? field.labels[0].textContent.trim() : field.name;
        kept.push({ form: formKey(form), field: fieldKey(field), label,
                    value: field.type === "checkbox" ? field.checked : field.value });
      });
    });
    try { sessionStorage.setItem(keptKey, JSON.stringify(kept)); } catch (err) { /* storage off: the text stays on screen */ }
    return kept.length;
  }

  function conflict(result) {
    const err = (result.body && result.body.error) || {};
    const stale = err.code === "stale_version" || !err.message;
    const kept = keepTyped();
    errorBox.replaceChildren(
      (stale ? "保存没有成功：这件投诉刚被他人更新过（例如已答复、改了状态或分类），您看到的不是最新内容。"
        : "保存没有成功：" + err.message + " ") +
      (kept ? "您填写的内容仍在表单中，没有丢失；载入最新版本后会自动填回，请核对后再提交。" : ""));
    const reload = el("button", kept ? "载入最新版本（保留我填写的内容）" : "载入最新版本");
    reload.type = "button";
    reload.id = "reload-latest";
    reload.addEventListener("click", () => { keepTyped(); location.reload(); });
    errorBox.append(" ", reload);
    noticeBox.hidden = true;
    errorBox.hidden = false;
    errorBox.scrollIntoView({ block: "nearest" });
  }

  // After the reload: the kept text back in its field; what no longer has a field (the action is not
  // possible in the new state) is shown in full so it can be copied.
  function restoreKept() {
    let kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(keptKey) || "null"); } catch (err) { kept = null; }
    if (!kept || !kept.length) return;
    sessionStorage.removeItem(keptKey);
    const forms = new Map(Array.from(document.querySelectorAll("form")).map((form) => [formKey(form), form]));
    const orphans = [];
    kept.forEach((item) => {
      const form = forms.get(item.form);
      const field = form && Array.from(form.querySelectorAll("input, select, textarea")).find((f) => fieldKey(f) === item.field);
      if (!field) { if (typeof item.value === "string") orphans.push(item); return; }
      if (field.type === "checkbox") field.checked = item.value; else field.value = item.value;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      const details = form.closest("details");
      if (details) details.open = true;
    });
    noticeBox.replaceChildren("已载入最新版本，并填回了您之前填写的内容，请核对最新情况后再提交。");
    if (orphans.length) {
      noticeBox.append(" 以下内容在当前状态下已没有对应的操作，请复制保存：");
      orphans.forEach((item) => {
        const block = el("blockquote", item.label + "：" + item.value);
        block.className = "kept-text";
        noticeBox.append(block);
      });
    }
    noticeBox.hidden = false;
  }

  async function submit(form, method, path, body, done) {
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    clearErrors(form);
    errorBox.hidden = true;
    const result = await api(method, path, body);
    buttons.forEach((b) => { b.disabled = false; });
    if (!result.ok) { showError(form, result); return; }
    done(result.body);
  }

  document.querySelectorAll("form[data-endpoint]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const endpoint = form.dataset.endpoint;
      if (amountErrors(form)) return;
      let body = { ...collect(form, event.submitter), version };
      if (endpoint === "settlements") body = settlementBody(form, body);
      const path = "/api/v1/complaints/" + id + (endpoint ? "/" + endpoint : "");
      submit(form, form.dataset.method || "POST", path, body, (answer) => {
        if (endpoint === "settlements") {
          say(noticeBox, answer.message + " 页面将在数秒后刷新。");
          setTimeout(() => location.reload(), 2500);
        } else if (answer.out_of_view) {
          // Handed over to another hall: done, and no longer this agent's to open.
          say(noticeBox, answer.message + " 即将返回工作台。");
          setTimeout(() => location.assign("/"), 2500);
        } else {
          location.reload();
        }
      });
    });
  });

  // Amount fields are checked in the browser before anything is sent: a wrong one is marked where
  // it was typed, with what is wrong and how to write it; the form keeps everything typed.
  function amountErrors(form) {
    clearErrors(form);
    let first = null;
    form.querySelectorAll("input[data-type=amount]").forEach((input) => {
      const problem = tousu.amountProblem(input.value);
      if (!problem) return;
      markField(input, problem, input.name);
      first = first || input;
    });
    if (first) first.focus();
    return first !== null;
  }

  // The settlement form's amounts as items, each with the chosen basis when that basis may ground it.
  function settlementBody(form, b) {
    const chosen = form.querySelector("[name=legal_basis]").selectedOptions[0];
    const grounds = chosen && chosen.value ? (chosen.dataset.types || "").split(" ") : [];
    const items = [
      [b.refund_type || "refund", b.refund], [b.compensation_type || "compensation", b.compensation], ["gift", b.gift],
    ].filter(([, amount]) => amount > 0).map(([type, amount]) =>
      ({ type, amount, basis: grounds.includes(type) ? chosen.value : null }));
    const body = { version: b.version, description: b.description || "", items, facts: b.facts || [] };
    if (b.override_reason) body.override_reason = b.override_reason;
    return body;
  }

  // The settlement form says before sending whether the offer is within the role's authority.
  const settleForm = document.getElementById("settle-form");
  if (settleForm) {
    const over = document.getElementById("settle-over");
    const button = document.getElementById("settle-submit");
    const names = { refund: "退费", compensation: "赔偿", gift: "赠送" };
    // A double refund is entered as what the customer gets back: twice what was overcharged.
    const hint = document.getElementById("double-refund-hint");
    const claimed = Number(hint.dataset.claimed || 0);
    const update = () => {
      const double = settleForm.querySelector("[name=refund_type]").value === "double_refund";
      hint.hidden = !double;
      hint.textContent = double ? "双倍返还：请填写退给客户的总额，即多收金额的两倍" +
        (claimed > 0 ? "（本投诉涉及金额 " + claimed + " 元，双倍为 " + +(claimed * 2).toFixed(2) + " 元）。" : "。") : "";
      const exceeded = Object.keys(names).filter((key) => {
        const limit = Number(settleForm.dataset["max" + key[0].toUpperCase() + key.slice(1)]);
        const value = settleForm.querySelector("[name=" + key + "]").value;
        return !tousu.amountProblem(value) && Number(value || 0) > limit;  // a mistyped amount is said as such
      });
      over.hidden = exceeded.length === 0;
      over.textContent = exceeded.length ? exceeded.map((k) => names[k]).join("、") + "超出本岗位权限：提交后将作为审批申请，待上级批准后生效。" : "";
      button.textContent = exceeded.length ? button.dataset.over : button.dataset.within;
    };
    settleForm.addEventListener("input", update);
    settleForm.addEventListener("change", update);
    update();
  }

  // The reply composer's live quality check: problems marked in the text, each with its suggestion
  // and one click to accept it. Offsets from the server count code points, as Array.from does.
  const textarea = document.getElementById("reply-text");
  if (textarea) {
    const box = document.getElementById("check-result");
    const preview = document.getElementById("reply-preview");
    let sequence = 0;

    function accept(problem, checkedText) {
      const chars = Array.from(textarea.value);
      let start = problem.start, end = problem.end;
      if (textarea.value !== checkedText || chars.slice(start, end).join("") !== problem.text) {
        const at = textarea.value.indexOf(problem.text);  // the text changed since: find the phrase again
        if (at < 0) return;
        start = Array.from(textarea.value.slice(0, at)).length;
        end = start + Array.from(problem.text).length;
      }
      textarea.value = chars.slice(0, start).join("") + problem.suggestion + chars.slice(end).join("");
      textarea.focus();
      check();
    }

    function render(check, text) {
      const chars = Array.from(text);
      const marked = [];
      let cursor = 0;
      const problems = (check.problems || []).filter((p) => p.start >= cursor);
      problems.forEach((p) => {
        if (p.start < cursor) return;
        marked.push(chars.slice(cursor, p.start).join(""));
        const mark = el("mark", chars.slice(p.start, p.end).join(""), "problem");
        mark.title = p.message + (p.suggestion ? " 建议：" + p.suggestion : "");
        marked.push(mark);
        cursor = p.end;
      });
      marked.push(chars.slice(cursor).join(""));
      preview.replaceChildren(...marked);
      preview.hidden = problems.length === 0;

      // Marked as a fault only below the pass mark (tousu.quality.results.grade_for: 60 is 合格).
      const nodes = [el("p", "质检得分 " + check.score + "（" + check.grade + "）", check.grade === "需改进" ? "error" : "notice")];
      const list = el("ul", undefined, "problems");
      problems.forEach((p) => {
        const item = el("li");
        item.append(el("mark", p.text, "problem"), "：" + p.message);
        if (p.suggestion) {
          const adopt = el("button", "采用：" + p.suggestion, "adopt");
          adopt.type = "button";
          adopt.setAttribute("aria-label", "把“" + p.text + "”改为“" + p.suggestion + "”");
          adopt.addEventListener("click", () => accept(p, text));
          item.append(" ", adopt);
        }
        list.append(item);
      });
      (check.missing || []).forEach((m) => list.append(el("li", "缺少" + m.name + "：" + m.message +
        (m.examples && m.examples.length ? " 例如：" + m.examples[0] : ""))));
      nodes.push(list);
      box.replaceChildren(...nodes);
    }

    async function check() {
      const text = textarea.value;
      const mine = ++sequence;
      if (!text.trim()) { box.replaceChildren(); preview.hidden = true; return; }
      const result = await api("POST", "/api/v1/check-reply", { text });
      if (mine !== sequence) return;  // a newer check is on its way
      if ([404, 405, 503].includes(result.status)) { box.replaceChildren(el("p", "质检不可用", "muted")); return; }
      if (!result.ok) { box.replaceChildren(el("p", errorText(result), "error")); return; }
      render(result.body, text);
    }

    let timer = null;
    textarea.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 500); });
    document.getElementById("check-reply").addEventListener("click", () => { clearTimeout(timer); check(); });
  }

  document.querySelectorAll("form.decision").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = event.submitter.name === "forward" ? { forward: true } : { approve: event.submitter.value === "true" };
      const comment = form.querySelector("[name=comment]").value.trim();
      if (comment) body.comment = comment;
      const reason = form.querySelector("[name=override_reason]");
      if (reason && reason.value.trim()) body.override_reason = reason.value.trim();
      submit(form, "POST", "/api/v1/settlements/" + form.dataset.settlement + "/decision", body, () => location.reload());
    });
  });

  restoreKept();

  // The 复制 button beside each suggested script.
  document.querySelectorAll("button.copy[data-copy]").forEach((copy) => {
    copy.addEventListener("click", async () => {
      try { await navigator.clipboard.writeText(copy.dataset.copy); copy.textContent = "已复制"; }
      catch (err) { copy.textContent = "请手动选择复制"; }
    });
  });
})();
