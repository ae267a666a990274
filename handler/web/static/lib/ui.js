// ui.js: the few DOM helpers both apps use. No framework: h() builds
// elements, and pages replace what they render.

// h builds an element: h("button", {class: "primary", onclick: f}, "Save").
// Attributes named on* become listeners; true/false toggle boolean
// attributes; children may be strings, nodes, arrays or null.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

// render replaces el's children.
export function render(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// money formats {amount, currency} (minor units) for people.
export function money(m) {
  if (!m) return "";
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: m.currency }).resolvedOptions().maximumFractionDigits;
  return new Intl.NumberFormat("en", { style: "currency", currency: m.currency }).format(m.amount / 10 ** digits);
}

// minorUnits turns "12.50" into 1250 for the currency, or NaN.
export function minorUnits(text, currency) {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  if (!/^\d+(\.\d+)?$/.test(text.trim())) return NaN;
  const [whole, frac = ""] = text.trim().split(".");
  if (frac.length > digits) return NaN;
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, "0") || 0);
}

// decimal turns minor units back into "12.50".
export function decimal(m) {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: m.currency }).resolvedOptions().maximumFractionDigits;
  return (m.amount / 10 ** digits).toFixed(digits);
}

// alertBox is a live region showing one message: an error (role=alert,
// read at once) or a notice (role=status).
export function alertBox() {
  const el = h("div", { class: "message", role: "alert", hidden: true });
  el.show = (text, kind = "error") => {
    el.className = "message " + kind;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.textContent = text;
    el.hidden = !text;
  };
  el.error = err => el.show(describe(err), "error");
  el.clear = () => el.show("");
  return el;
}

// describe is what a person reads of an error: the API's detail as it is,
// with the lost write race said plainly.
export function describe(err) {
  if (err && err.changedElsewhere) {
    return "This was changed by someone else since you opened it. Your edits are still in the form: reload to see the other change, then make yours again. (" + err.detail + ")";
  }
  return (err && (err.detail || err.message)) || String(err);
}

// confirmDialog asks a yes/no question in a modal <dialog> (keyboard and
// screen reader friendly, unlike window.confirm) and resolves true on yes.
export function confirmDialog(question, yes = "Yes") {
  return new Promise(resolve => {
    const dlg = h("dialog", { class: "confirm", "aria-labelledby": "confirm-q" },
      h("p", { id: "confirm-q" }, question),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger", onclick: () => done(true) }, yes),
        h("button", { type: "button", autofocus: true, onclick: () => done(false) }, "No, go back"))); // focus on the safe answer
    function done(v) {
      dlg.close();
      dlg.remove();
      resolve(v);
    }
    dlg.addEventListener("cancel", () => done(false));
    document.body.append(dlg);
    dlg.showModal();
  });
}

// field is a labelled input: field("Title", {name: "title", required: true}).
let fieldSeq = 0;
export function field(label, attrs = {}, tag = "input") {
  const id = attrs.id || "f" + ++fieldSeq;
  const input = h(tag, { ...attrs, id });
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}

// busy disables a form's buttons while f runs.
export async function busy(form, f) {
  const buttons = [...form.querySelectorAll("button")];
  buttons.forEach(b => (b.disabled = true));
  form.setAttribute("aria-busy", "true");
  try {
    return await f();
  } finally {
    buttons.forEach(b => (b.disabled = false));
    form.setAttribute("aria-busy", "false");
  }
}

// when formats an RFC 3339 time for people.
export function when(t) {
  return t ? new Date(t).toLocaleString() : "";
}
