// The intake form: customer lookup, live analysis, save through the API with field-level errors.
"use strict";
(() => {
  const form = document.getElementById("intake");
  const names = JSON.parse(document.getElementById("code-names").textContent);
  const { api, errorText, el, localTime } = tousu;
  const $ = (id) => document.getElementById(id);
  const nameOf = (kind, code) => (names[kind] && names[kind][code]) || code;
  const SHOWN_STRATEGIES = 5;  // the rest are folded (as on the complaint page)
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
  let idempotencyKey = newKey();

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  function fill(panel, nodes) {
    panel.replaceChildren(...nodes);
    panel.classList.remove("muted");
  }

  // Customer lookup by phone: history and flags help spot repeat and sensitive customers.
  let lastPhone = "";
  let history = [];  // the caller's complaints this agent may see, for the similar-complaint warning
  // A known number's level is the record's (a manager changes it on the customer card): the
  // choice is not offered where intake would not keep it.
  function recordedLevel(level) {
    const hint = $("vip-hint");
    $("vip").disabled = level !== null;
    if (level !== null) $("vip").value = "";
    hint.textContent = level === null ? "" : "已有档案：" + nameOf("vip", level) + "客户。级别以档案为准，如需调整请联系厅经理/店长。";
    hint.hidden = level === null;
  }

  async function lookUp() {
    const phone = $("phone").value.trim();
    const panel = $("customer-panel");
    if (phone.length < 7) { recordedLevel(null); lastPhone = ""; return; }
    if (phone === lastPhone) return;
    if (phoneProblem()) {  // said beside the number itself (CHECKS); nothing to look up
      recordedLevel(null); lastPhone = ""; history = []; similar();
      fill(panel, [el("p", "电话号码格式不正确，改正后自动查询客户档案。", "muted")]);
      return;
    }
    lastPhone = phone;
    history = [];
    similar();
    const result = await api("GET", "/api/v1/customers?phone=" + encodeURIComponent(phone));
    if ($("phone").value.trim() !== phone) return;  // the agent changed the number meanwhile
    recordedLevel(null);
    if (result.status === 404) { fill(panel, [el("p", "首次投诉客户（系统中无档案）。")]); return; }
    if (!result.ok) { fill(panel, [el("p", errorText(result), "error")]); return; }
    const c = result.body.customer;
    recordedLevel(c.vip_level);
    const nodes = [el("p", c.name + " · " + c.phone + " · " + nameOf("vip", c.vip_level) + "客户")];
    // Numbers change hands: the stored name is a suggestion for the agent to confirm with the caller.
    if (!$("name").value.trim()) {
      $("name").value = c.name;
      nodes.push(el("p", "称呼已按档案填入，请与来电人核对；号码可能已换人使用，以来电人所说为准。", "muted"));
    }
    if (c.important) nodes.push(el("p", "重要客户", "flag"));
    if (c.sensitive) nodes.push(el("p", "敏感客户：请谨慎答复", "flag"));
    // Complaints of other halls: only how many, never their contents.
    const away = result.body.elsewhere;
    if (away.complaints) {
      nodes.push(el("p", "该客户在其他营业厅有 " + away.complaints + " 条投诉记录" +
        (away.open ? "，其中 " + away.open + " 条未结" : "") +
        (away.last_contact_on ? "（最近一次 " + away.last_contact_on + "）" : "") + "。", "flag"));
    }
    if (result.body.scope !== "full") {
      nodes.push(el("p", "该客户的详细档案不在您的查看范围内；如需了解处理情况，请联系相关营业厅。", "muted"));
      fill(panel, nodes);
      return;
    }
    const h = result.body.history;
    history = h.complaints;
    similar();
    nodes.push(el("p", "历史投诉 " + h.complaints.length + " 件" + (h.settlements.length ? "，处理方案 " + h.settlements.length + " 个" : "")));
    if (h.complaints.length >= 1) nodes.push(el("p", "再次投诉：请先查看历史处理情况。", "flag"));
    const list = el("ul");
    h.complaints.slice(0, 8).forEach((item) => {
      const li = el("li");
      const link = el("a", item.reference);
      link.href = "/complaints/" + item.id;
      li.append(link, " " + localTime(item.received_at) + " " + nameOf("category", item.category || "") + " · " + nameOf("status", item.status));
      list.append(li);
    });
    nodes.push(list);
    h.notes.slice(0, 5).forEach((note) => nodes.push(el("p", (note.kind === "filing" ? "【备案】" : "【备注】") + note.text)));
    fill(panel, nodes);
  }

  // The same caller with a similar complaint still open (same category or same business, not finished):
  // said beside the phone with a link that opens it in a new tab (the form stays as typed), so the
  // agent can add to it rather than open a duplicate, or tick 保存时关联 to link the new one to it.
  // Only complaints this agent may see are in `history`; the others are only counted in the panel.
  const FINISHED = ["closed", "rejected", "merged"];
  let analyzed = { category: "", topic: "" };
  const linkTo = new Set();  // ids of the open complaints ticked to link on saving
  function similar() {
    const box = $("open-similar");
    const category = $("category").value || analyzed.category;
    const topic = $("topic").value.trim() || analyzed.topic;
    const open = history.filter((c) => !FINISHED.includes(c.status));
    const alike = open.filter((c) => (category && c.category === category) || (topic && c.topic && c.topic === topic));
    // Before the category is known, any open complaint of the caller may be the same problem.
    const shown = category || topic ? alike : open;
    if (!shown.length) { box.hidden = true; box.replaceChildren(); return; }
    box.replaceChildren(...shown.slice(0, 3).map((c) => {
      const line = el("p", undefined, "flag");
      const link = el("a", c.reference);
      link.href = "/complaints/" + c.id;
      link.target = "_blank";
      link.rel = "noopener";
      link.title = "在新标签页打开投诉 " + c.reference + "，本页填写的内容不受影响";
      line.append("该号码已有未结投诉 ", link, "（" + nameOf("category", c.category || "") + (c.category ? "" : "未分类") +
        "），可能是同一问题：请点编号打开核对（新标签页），同一问题请在原投诉中补充，不要重复立单。");
      const tick = el("input");
      tick.type = "checkbox";
      tick.dataset.linkId = String(c.id);
      tick.dataset.linkReference = c.reference;
      tick.checked = linkTo.has(c.id);
      tick.addEventListener("change", () => { if (tick.checked) linkTo.add(c.id); else linkTo.delete(c.id); });
      const option = el("label", undefined, "link-on-save");
      option.append(tick, " 确属另一件事、需要另行受理的，保存时与 " + c.reference + " 关联");
      line.append(el("br"), option);
      return line;
    }));
    box.hidden = false;
  }

  // The open complaints ticked in the warning, as shown now: one hidden since is not linked.
  function ticked() {
    if ($("open-similar").hidden) return [];
    return Array.from($("open-similar").querySelectorAll("input[data-link-id]:checked"))
      .map((tick) => ({ id: Number(tick.dataset.linkId), reference: tick.dataset.linkReference }));
  }

  // Links the saved complaint to each ticked one, in turn (each link moves its version on).
  async function linkSaved(saved, others) {
    const done = [];
    let version = saved.version;
    for (const other of others) {
      const result = await api("POST", "/api/v1/complaints/" + saved.id + "/links", { version, other_id: other.id });
      if (result.ok) version = result.body.version;
      done.push({ reference: other.reference, ok: result.ok, why: result.ok ? "" : errorText(result) });
    }
    return done;
  }

  // Live analysis while the agent types; the analyzer is optional (404/503 when it is not there).
  async function analyze() {
    const text = $("content").value.trim();
    const panel = $("analysis-panel");
    if (text.length < 6) return;
    // The channel decides the lines offered: 请坐下喝杯水 is for the hall, not the phone.
    const channel = $("channel").value;
    const result = await api("POST", "/api/v1/analyze", channel ? { text, channel } : { text });
    if ([404, 405, 501, 503].includes(result.status)) { fill(panel, [el("p", "分析器不可用", "muted")]); return; }
    if (!result.ok) { fill(panel, [el("p", errorText(result), "muted")]); return; }
    // The agent kept typing or changed the channel: a newer request follows.
    if ($("content").value.trim() !== text || $("channel").value !== channel) return;
    analyzed = { category: result.body.category || "", topic: result.body.issue_topic || "" };
    similar();
    const nodes = analysisView(result.body);
    nodes.splice(1, 0, ...(await timeLimits(result.body.category)));
    fill(panel, nodes);
  }

  // The time limits of the body the customer may turn to once the date is known: the 通信管理局 for a
  // telecom operator (5 months for billing disputes, 2 years otherwise), 市场监管 (12315) for a shop
  // (3 years). They bind the customer's appeal there, not our own handling: past them, the
  // complaint is still taken.
  async function timeLimits(category) {
    const occurred = $("occurred_at").value;
    const body = form.dataset.appealBody, word = form.dataset.appealWord;
    if (!occurred || !body) return [];
    const billing = ($("category").value || category) === "billing";
    const result = await api("POST", "/api/v1/admissibility",
      { occurred_at: occurred + ":00+08:00", billing_dispute: billing, complained_to_operator_at: new Date().toISOString() });
    if (!result.ok) return [];
    const expired = result.body.reasons.filter((r) => r.code.endsWith("_expired"));
    const label = word + "时限提示：";
    if (!expired.length) return [el("p", label + "客户如不满意处理结果，仍可在时限内向" + body + word + "。", "muted")];
    return expired.map((r) => el("p", label + r.message + "（" + r.basis + "）这只约束向" + body + "的" + word + "，" +
      "本投诉照常受理、核查并答复，不能以此拒绝客户。", "muted"));
  }

  function percent(value) { return Math.round((value || 0) * 100) + "%"; }

  function categoryChoices(label) {
    const box = el("div", undefined, "flag");
    box.dataset.role = "category-choices";
    box.append(el("strong", "类别待确认："), " 系统拿不准，请向客户核实后选择：");
    [label.code, ...(label.alternatives || []).map((alt) => alt.code)].forEach((code) => {
      const pick = el("button", nameOf("category", code));
      pick.type = "button";
      pick.addEventListener("click", () => { $("category").value = code; });
      box.append(" ", pick);
    });
    return box;
  }

  function analysisView(a) {
    const labels = a.labels || {};
    const dl = el("dl", undefined, "facts");
    const add = (label, value) => { if (value) dl.append(el("dt", label), el("dd", value)); };
    const unsure = labels.category && labels.category.uncertain;
    if (labels.category && !unsure) add("类别", labels.category.name + "（" + percent(labels.category.confidence) + "）");
    add("诉求", (labels.demands || []).map((d) => d.name).join("、"));
    if (labels.emotion) add("情绪", labels.emotion.name + (labels.emotion.uncertain ? "（待确认）" : ""));
    add("紧急信号", (a.signals || []).map((s) => s.name).join("、"));
    if (a.escalation_risk) {
      const risk = a.escalation_risk;
      const level = { low: "低", medium: "中", high: "高" }[risk.level] || risk.level;
      add("越级风险", level + "（" + percent(risk.score) + "）" +
        (risk.reasons && risk.reasons.length ? "：" + risk.reasons.map((r) => r.reason).join("；") : ""));
    }
    add("涉及业务", a.issue_topic);
    add("涉及金额", ((a.facts && a.facts.amounts) || []).map((m) => m.text).join("、"));
    add("客户类型", (a.profile_hints || []).map((h) => h.name).join("、"));
    add("场景", (a.scenarios || []).map((h) => h.name).join("、"));
    const nodes = [dl];
    // An unsure category is offered as choices for the agent to pick, never filled in for them.
    if (unsure) nodes.push(categoryChoices(labels.category));
    const adopt = el("button", unsure ? "采用诉求（类别请选择）" : "采用分类与诉求");
    adopt.type = "button";
    adopt.addEventListener("click", () => {
      if (a.category && !unsure) $("category").value = a.category;
      form.querySelectorAll('input[name="demands"]').forEach((box) => { box.checked = (a.demands || []).includes(box.value); });
    });
    nodes.push(adopt);
    const rec = a.recommendations || {};
    // Every strategy the demands call for: one demand's playbook must not hide another's. The
    // first few are shown, the rest folded, as on the complaint page.
    const strategy = (s, into) => {
      into.push(el("h3", "建议：" + s.name), el("p", s.why, "muted"));
      (s.scripts || []).slice(0, 2).forEach((line) => into.push(scriptWithCopy(line)));
    };
    const strategies = rec.strategies || [];
    // The first step (safety, feelings) is shown on top of the strategies for the matter.
    const shown = SHOWN_STRATEGIES + strategies.filter((s) => s.first_step).length;
    strategies.slice(0, shown).forEach((s) => strategy(s, nodes));
    if (strategies.length > shown) {
      const more = el("details");
      more.id = "intake-more-strategies";
      more.append(el("summary", "其他适用策略（" + (strategies.length - shown) + " 条）"));
      const folded = [];
      strategies.slice(shown).forEach((s) => strategy(s, folded));
      more.append(...folded);
      nodes.push(more);
    }
    (rec.may_offer || []).forEach((o) => nodes.push(el("p", "可给予：" + o.note +
      ((o.requires || []).length ? "（须先确认：" + o.requires.join("、") + "）" : "") +
      (o.limit_yuan !== null && o.limit_yuan !== undefined
        ? "（本岗位上限 " + o.limit_yuan + " 元" + (o.needs_approval ? "，本次须上级审批" : "") + "）"
        : (o.needs_approval ? "（须上级审批）" : "")))));
    (rec.may_not_offer || []).forEach((r) => nodes.push(el("p", "不予支持 / 不可承诺：" + r.note, "flag")));
    if ((rec.avoid_phrases || []).length) nodes.push(el("p", "忌语：" + rec.avoid_phrases.join("、"), "flag"));
    (rec.legal_basis || []).forEach((b) => nodes.push(
      el("p", "依据：" + b.title + (b.article || "") + (b.summary ? "——" + b.summary : ""), "muted")));
    return nodes;
  }

  function scriptWithCopy(line) {
    const quote = el("blockquote", line);
    const copy = el("button", "复制");
    copy.type = "button";
    copy.className = "copy";
    copy.setAttribute("aria-label", "复制话术：" + line);
    copy.addEventListener("click", async () => {
      try { await navigator.clipboard.writeText(line); copy.textContent = "已复制"; }
      catch (err) { copy.textContent = "请手动选择复制"; }
    });
    quote.append(" ", copy);
    return quote;
  }

  // A date-time input half filled (only the day, say) reads as empty: saving would drop it silently.
  function dateProblem(id, label) {
    return $(id).validity.badInput
      ? label + "没有填完整：请把年、月、日、时、分都填上（不清楚几点可填 00:00），或把这一栏清空后再保存。"
      : "";
  }

  // What must be filled in: said on saving only (not on tabbing past an empty field), all at once.
  const REQUIRED = {
    phone: () => ($("phone").value.trim() ? "" : "请填写客户的联系电话。"),
    name: () => ($("name").value.trim() ? "" : "请填写客户称呼，如：王先生。"),
    content: () => ($("content").value.trim() ? "" : "请记录客户反映的问题。"),
  };

  // The numbers the server takes (services/customers.py PHONE): a mobile, or a landline with its area code.
  const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
  function phoneProblem() {
    const typed = $("phone").value.trim();
    const cleaned = typed.replace(/[\s()]/g, "").replace(/^\+86/, "");
    return !typed || PHONE.test(cleaned) ? "" : "电话号码“" + typed + "”格式不正确：请填写11位手机号或带区号的固定电话。";
  }

  const CHECKS = {
    phone: phoneProblem,
    claimed_amount: () => tousu.amountProblem($("claimed_amount").value),
    occurred_at: () => dateProblem("occurred_at", "问题发生时间"),
    transfer_reply_by: () => dateProblem("transfer_reply_by", "转办方要求答复时限"),
  };

  // A field's error is said in the slot named by its data-field (customer.phone for #phone).
  const slotOf = (field) => form.querySelector('[data-error-for="' + ($(field).dataset.field || field) + '"]');

  function showFieldError(field, text) {
    slotOf(field).textContent = text;
    $(field).setAttribute("aria-invalid", "true");
  }

  function clearFieldError(field) {
    slotOf(field).textContent = "";
    $(field).removeAttribute("aria-invalid");
  }

  // What the form itself can tell is wrong, each said beside its field; the first one gets the focus.
  function checkFields() {
    const fields = [...new Set([...Object.keys(REQUIRED), ...Object.keys(CHECKS)])];
    const wrong = fields.filter((field) => {
      const problem = (REQUIRED[field] && REQUIRED[field]()) || (CHECKS[field] && CHECKS[field]());
      if (problem) showFieldError(field, problem);
      return Boolean(problem);
    });
    if (wrong.length) $(wrong[0]).focus();
    return wrong.length === 0;
  }

  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach((node) => { node.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
    $("form-error").hidden = true;
  }

  function showError(result) {
    const err = (result.body && result.body.error) || {};
    let field = err.field || "";
    let slot = null;
    while (field && !(slot = form.querySelector('[data-error-for="' + CSS.escape(field) + '"]'))) {
      field = field.includes(".") ? field.slice(0, field.lastIndexOf(".")) : "";
    }
    const text = errorText(result);
    if (slot) {
      slot.textContent = text.replace(/^[\w.]+：/, "");
      const input = form.querySelector('[data-field="' + CSS.escape(field) + '"]');
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    } else {
      $("form-error").textContent = text;
      $("form-error").hidden = false;
    }
  }

  function body() {
    const value = (id) => $(id).value.trim();
    const customer = { name: value("name"), phone: value("phone") };
    if (value("vip")) customer.vip_level = value("vip");
    const data = { channel: value("channel"), customer, content: $("content").value };
    if (value("occurred_at")) data.occurred_at = value("occurred_at") + ":00+08:00";
    if (value("claimed_amount")) data.claimed_amount = Number(value("claimed_amount"));  // checked by tousu.amountProblem
    if (value("category")) data.category = value("category");
    if (value("topic")) data.topic = value("topic");
    if (value("address")) customer.address = value("address");
    if (value("id_number")) customer.id_number = value("id_number");
    if (value("proxy_name")) data.proxy_name = value("proxy_name");
    if (value("proxy_authorisation")) data.proxy_authorisation = value("proxy_authorisation");
    if (value("transfer_source")) data.transfer_source = value("transfer_source");
    if (value("transfer_case_number")) data.transfer_case_number = value("transfer_case_number");
    if (value("transfer_reply_by")) data.transfer_reply_by = value("transfer_reply_by") + ":00+08:00";
    data.demands = Array.from(form.querySelectorAll('input[name="demands"]:checked')).map((box) => box.value);
    return data;
  }

  // What the agent reads back on saving: the facts and the demand as recorded, what happens next
  // and by when. The demands are those the agent ticked, not the analyzer's guesses: a demand the
  // customer never made, read back to them, starts an argument. Never the customer's own words:
  // they may hold threats, which are not repeated back.
  const THREATS = ["media_threat", "regulator_threat"];
  function readBackText(c, ticked) {
    const facts = (c.analysis && c.analysis.facts) || {};
    const parts = [c.customer.name + "，您好。我跟您核对一下记录："];
    const what = [];
    const day = c.occurred_at ? localTime(c.occurred_at).slice(0, 10)
      : ((facts.datetimes || []).find((d) => d.kind !== "time") || {}).text;
    if (day) what.push("时间是" + day);
    if (c.category) what.push("反映的是“" + nameOf("category", c.category) + "”方面的问题");
    if (c.claimed_amount !== null && c.claimed_amount !== undefined) {
      what.push("涉及金额 " + Number(c.claimed_amount).toFixed(2) + " 元");
    } else if ((facts.amounts || []).length) {
      what.push("您提到的金额是" + facts.amounts.map((a) => a.text).join("、"));
    }
    const asked = ticked.filter((d) => !THREATS.includes(d)).map((d) => nameOf("demand_said", d));
    if (asked.length) what.push("您的要求是" + asked.join("、"));
    parts.push((what.length ? what.join("，") : "您反映的问题我已经记录下来") + "。");
    parts.push("我们已经受理，受理编号是 " + c.reference + "，会先核实情况，在 " +
      localTime(c.deadlines.reply_by) + " 前给您答复。请问我的记录准确吗？");
    return parts.join("");
  }

  function readBack(c, linked, ticked) {
    const box = $("result");
    const link = el("a", "打开投诉详情");
    link.href = "/complaints/" + c.id;
    const again = el("button", "受理下一件");
    again.type = "button";
    again.addEventListener("click", () => {
      form.reset(); recordedLevel(null); box.hidden = true; lastPhone = ""; idempotencyKey = newKey();
      history = []; analyzed = { category: "", topic: "" }; linkTo.clear(); similar();
      $("customer-panel").textContent = "输入电话后自动查询客户历史。";
      $("analysis-panel").textContent = "输入投诉内容后自动分析。";
      $("phone").focus();
    });
    const urgent = c.urgency.length ? "（" + c.urgency.map((u) => u.name).join("、") + "）" : "";
    box.replaceChildren(
      el("h2", "已受理"),
      el("p", "受理编号：" + c.reference, "reference"),
      el("p", "答复时限：" + localTime(c.deadlines.reply_by) + urgent, "deadline"),
      el("h3", "复述确认（请向客户读出）"),
      el("p", readBackText(c, ticked), "readback"),
      ...linked.map((l) => el("p", l.ok ? "已与投诉 " + l.reference + " 关联。"
        : "未能与投诉 " + l.reference + " 关联：" + l.why + " 请在投诉详情页的“关联/合并”中再试。", l.ok ? "linked" : "error")),
      link, " ", again);
    box.hidden = false;
    box.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    if (!checkFields()) return;  // nothing is saved while a field is wrong
    const save = $("save");
    save.disabled = true;
    const others = ticked();
    const sent = body();
    const result = await api("POST", "/api/v1/complaints", sent, { "Idempotency-Key": idempotencyKey });
    const linked = result.ok ? await linkSaved(result.body, others) : [];
    save.disabled = false;
    if (result.ok) readBack(result.body, linked, sent.demands || []); else showError(result);
  });
  // Each check said as soon as the agent leaves the field, and cleared once the field is right; not
  // when leaving for 保存受理: the message would push the button away from under the mouse before
  // the click lands, and saving checks every field anyway.
  Object.keys(REQUIRED).forEach((field) => {
    $(field).addEventListener("input", () => { if (!REQUIRED[field]()) clearFieldError(field); });
  });
  Object.keys(CHECKS).forEach((field) => {
    $(field).addEventListener("blur", (event) => {
      if (event.relatedTarget === $("save")) return;
      const problem = CHECKS[field]();
      if (problem) showFieldError(field, problem); else clearFieldError(field);
    });
    $(field).addEventListener("input", () => { if (!CHECKS[field]()) clearFieldError(field); });
  });
  $("phone").addEventListener("blur", lookUp);
  $("phone").addEventListener("input", debounce(lookUp, 700));
  $("content").addEventListener("input", debounce(analyze, 600));
  $("occurred_at").addEventListener("change", analyze);
  $("channel").addEventListener("change", analyze);
  $("category").addEventListener("change", similar);
  $("topic").addEventListener("input", similar);
})();
