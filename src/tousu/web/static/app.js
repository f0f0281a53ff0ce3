// Shared browser helpers: the API call with the CSRF header, Chinese error text, deadline countdowns.
"use strict";
const tousu = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  // Calls the JSON API; resolves to {ok, status, body}. A lost session goes back to the login page.
  async function api(method, path, body, extraHeaders) {
    const headers = { "Accept": "application/json", "X-CSRF-Token": csrf(), ...(extraHeaders || {}) };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, credentials: "same-origin",
                                     body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      return { ok: false, status: 0, body: { error: { code: "network", message: "网络连接失败，请检查网络后重试（已填写的内容未丢失）。" } } };
    }
    let data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    if (response.status === 401) {
      saveDraft();
      window.location.href = "/login?reason=expired&next=" + encodeURIComponent(location.pathname + location.search);
    }
    return { ok: response.ok, status: response.status, body: data };
  }

  // What was typed survives a lost session: kept in this tab until the page is back after login.
  const draftKey = () => "tousu-draft:" + location.pathname;

  function saveDraft() {
    const fields = {};
    document.querySelectorAll("form").forEach((form, f) => {
      form.querySelectorAll("input, textarea, select").forEach((field, i) => {
        if (!field.name || field.type === "hidden" || field.type === "password") return;
        const key = f + ":" + field.name + ":" + i;
        fields[key] = field.type === "checkbox" || field.type === "radio" ? field.checked : field.value;
      });
    });
    try { sessionStorage.setItem(draftKey(), JSON.stringify(fields)); } catch (err) { /* storage full or off */ }
  }

  function restoreDraft() {
    let fields = null;
    try { fields = JSON.parse(sessionStorage.getItem(draftKey()) || "null"); } catch (err) { fields = null; }
    if (!fields) return;
    sessionStorage.removeItem(draftKey());
    document.querySelectorAll("form").forEach((form, f) => {
      form.querySelectorAll("input, textarea, select").forEach((field, i) => {
        const key = f + ":" + field.name + ":" + i;
        if (!(key in fields)) return;
        if (field.type === "checkbox" || field.type === "radio") field.checked = fields[key];
        else field.value = fields[key];
        field.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
    const notice = el("p", "已恢复登录过期前填写的内容，请核对后再提交。", "notice");
    notice.setAttribute("role", "status");
    const main = document.querySelector("main") || document.body;
    main.prepend(notice);
  }

  function errorText(result) {
    if (result.status === 409) return "已被他人更新，请刷新页面后再操作。";
    const err = result.body && result.body.error;
    return (err && err.message) || ("操作失败（" + result.status + "），请稍后重试。");
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function duration(ms) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    const days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return days + "天" + hours + "小时";
    if (hours) return hours + "小时" + mins + "分";
    return mins + "分钟";
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach((node) => {
      const left = Date.parse(node.dataset.deadline) - now;
      node.classList.remove("ok", "soon", "late");
      if (left <= 0) { node.textContent = "已超时 " + duration(left); node.classList.add("late"); }
      else { node.textContent = "剩余 " + duration(left); node.classList.add(left < 2 * 3600e3 ? "late" : left < 12 * 3600e3 ? "soon" : "ok"); }
    });
  }

  // Beijing time whatever the browser's own zone: the server reads typed times as Beijing time,
  // and every page shows them so.
  const BEIJING = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  function localTime(iso) {
    if (!iso) return "";
    const part = Object.fromEntries(BEIJING.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
    return part.year + "-" + part.month + "-" + part.day + " " + part.hour + ":" + part.minute;
  }

  document.addEventListener("DOMContentLoaded", () => { restoreDraft(); tick(); setInterval(tick, 30000); });

  // The bell: my unread notifications, polled without reloading the page. A plain fetch, not api():
  // a background poll must never send someone who is typing to the login page.
  async function pollBell() {
    const count = document.getElementById("bell-count");
    if (!count || document.hidden) return;
    let data = null;
    try {
      const response = await fetch("/api/v1/notifications/unread-count",
                                   { headers: { "Accept": "application/json" }, credentials: "same-origin" });
      if (response.ok) data = await response.json();
    } catch (err) { data = null; }
    if (!data) return;
    count.textContent = data.unread > 99 ? "99+" : String(data.unread);
    count.hidden = !data.unread;
    count.closest("a").setAttribute("aria-label", "我的通知，" + data.unread + " 条未读");
  }
  document.addEventListener("DOMContentLoaded", () => { pollBell(); setInterval(pollBell, 10000); });
  document.addEventListener("visibilitychange", pollBell);
  // An amount as typed: half-width digits, at most two decimals (88, 88.5, 88.50). Anything else is
  // refused, saying what is wrong and how to write it, rather than guessed at. Amount fields are
  // text fields, so no wheel or arrow key changes them behind the agent's back.
  const AMOUNT = /^\d+(\.\d{1,2})?$/;
  function amountProblem(value) {
    const text = value.trim();
    if (!text || AMOUNT.test(text)) {
      return text && Number(text) > 10000000 ? "金额超过 1000 万元，请核对后重新填写。" : "";
    }
    const wrong = [];
    if (/[\uFF01-\uFF5E\u3002]/.test(text)) wrong.push("用了全角数字或符号（如“８８”“．”）");
    if (/[元块角分圆¥￥]|rmb/i.test(text)) wrong.push("带了单位或货币符号（如“元”）");
    if (/^[-－]/.test(text)) wrong.push("不能是负数");
    if (/[,，]/.test(text)) wrong.push("不要用逗号分隔");
    if (/\s/.test(text)) wrong.push("中间有空格");
    if (/^\d+\.\d{3,}$/.test(text)) wrong.push("最多两位小数（精确到分）");
    if (!wrong.length) wrong.push("只能填数字");
    return "金额格式不对：" + wrong.join("，") + "。请用半角数字填写，最多两位小数，例如 88 或 88.50。";
  }

  // The browser's own checks (required, e-mail, earliest date...) would speak the browser's language
  // in a passing tooltip: say them in Chinese beside the field instead, until it is corrected.
  function invalidText(field) {
    const v = field.validity;
    const label = ((field.labels && field.labels[0] && field.labels[0].textContent) || "此项")
      .replace(/[（(][^）)]*[）)]\s*$/, "").trim();
    const dated = ["date", "datetime-local", "month", "time"].includes(field.type);
    if (v.valueMissing) return field.tagName === "SELECT" ? "请选择" + label + "。"
      : field.type === "checkbox" ? "请勾选" + label + "。" : "请填写" + label + "。";
    if (v.typeMismatch && field.type === "email") return "电子邮件地址格式不对，应像 name@example.com。";
    if (v.typeMismatch && field.type === "url") return "网址格式不对，应以 http:// 或 https:// 开头。";
    if (v.rangeUnderflow) return label + (dated ? "不能早于 " : "不能小于 ") + field.min.replace("T", " ") + "。";
    if (v.rangeOverflow) return label + (dated ? "不能晚于 " : "不能大于 ") + field.max.replace("T", " ") + "。";
    if (v.tooLong) return label + "最多 " + field.maxLength + " 个字。";
    if (v.tooShort) return label + "至少 " + field.minLength + " 个字。";
    if (v.badInput) return dated ? label + "不完整，请填写完整的日期和时间。" : label + "格式不对。";
    if (v.patternMismatch) return field.title || label + "格式不对。";
    return label + "填写有误，请检查。";
  }

  function errorSlot(field, create) {
    const named = field.name && field.form && field.form.querySelector('[data-error-for="' + CSS.escape(field.name) + '"]');
    if (named) return named;
    const next = field.nextElementSibling;
    if (next && next.classList.contains("field-error")) return next;
    return create ? field.insertAdjacentElement("afterend", el("span", "", "field-error")) : null;
  }

  document.addEventListener("invalid", (event) => {
    const field = event.target;
    event.preventDefault();
    const slot = errorSlot(field, true);
    slot.textContent = invalidText(field);
    slot.setAttribute("role", "alert");
    field.setAttribute("aria-invalid", "true");
    if (field.form && field.form.querySelector(":invalid") === field) field.focus();
    if (field.dataset.watched) return;
    field.dataset.watched = "1";
    const clear = () => {
      if (!field.validity.valid) return;
      const shown = errorSlot(field, false);
      if (shown) shown.textContent = "";
      field.removeAttribute("aria-invalid");
    };
    field.addEventListener("input", clear);
    field.addEventListener("change", clear);
  }, true);

  return { api, errorText, el, tick, localTime, duration, amountProblem };
})();
