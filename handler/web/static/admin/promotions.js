// promotions.js: promotions (discount codes and automatic discounts).
// Lists them with what they take off and how much of their limit is
// used; creates one with its rules (minimum subtotal, SKUs, categories,
// customer groups); shows one and edits what the API lets change after
// creation (dates, limits, priority, refundable, status). A save sends the
// ETag the promotion was read with: one changed meanwhile is not
// overwritten, and the form keeps every entry.
import { h, render, alertBox, field, busy, minorUnits, money, when } from "../lib/ui.js";
import { table } from "./common.js";

export default {
  id: "promotions",
  title: "Promotions",
  async render(main, ctx, args) {
    if (args[0] === "new") return create(main, ctx);
    if (args[0]) {
      const { data, etag } = await ctx.api("GET", "/api/admin/promotions/" + encodeURIComponent(args[0]));
      return edit(main, ctx, data, etag);
    }
    const { data } = await ctx.api("GET", "/api/admin/promotions"); // not paged: a shop holds a bounded number
    render(main,
      h("h1", {}, "Promotions"),
      h("p", {}, h("a", { href: "#/promotions/new", class: "button primary" }, "New promotion")),
      table(`${data.items.length} promotion(s)`, ["Code", "Takes off", "Status", "Used / reserved of limit", "Starts", "Ends"], data.items.map(p => [
        h("a", { href: "#/promotions/" + encodeURIComponent(p.id) }, p.code || "automatic"), summary(p), p.status,
        usage(p), when(p.startsAt), when(p.endsAt)])));
  },
};

// summary says what a promotion takes off: "10% off the order",
// "USD 5.00 off the lines", "free shipping".
function summary(p) {
  const a = p.action;
  const on = a.target === "lines" ? " off the lines" : " off the order";
  let s = a.type === "free_shipping" ? "Free shipping"
    : a.type === "percent" ? percent(a.value) + on
      : money({ amount: a.value, currency: p.currency }) + on;
  if (p.rules?.minSubtotal) s += " over " + money(p.rules.minSubtotal);
  return s;
}

// listOf shows a rule's list, or what its absence means.
function listOf(items, none) {
  return items?.length ? items.join(", ") : none;
}

// words reads a list field (comma- or space-separated) as its entries.
function words(input) {
  return input.value.split(/[\s,]+/).filter(Boolean);
}

// usage is "used / reserved of limit": reserved redemptions belong to
// checkouts not yet settled.
function usage(p) {
  return `${p.used} / ${p.reserved} of ${p.usageLimit ?? "no limit"}`;
}

// percent shows basis points as a percentage: 1250 is 12.5%.
function percent(bp) {
  return (bp / 100).toFixed(2).replace(/\.?0+$/, "") + "%";
}

// localInput turns an RFC 3339 time into a datetime-local value (the
// browser's time zone); isoTime turns it back, or null for empty.
function localInput(t) {
  if (!t) return "";
  const d = new Date(t);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
function isoTime(v) {
  return v ? new Date(v).toISOString() : null;
}

// count reads a whole number field: null when empty, or throws.
function count(input, what) {
  const v = input.value.trim();
  if (!v) return null;
  if (!/^\d{1,12}$/.test(v)) throw new Error(what + " is a whole number.");
  return Number(v);
}

// select is a labelled <select> of values.
function select(label, name, values, current) {
  const id = "promo-" + name;
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("select", { id, name }, values.map(([v, text]) => h("option", { value: v, selected: v === current }, text))));
}

// checkbox is a labelled checkbox.
function checkbox(label, name, checked) {
  return h("div", { class: "field" }, h("label", {}, h("input", { type: "checkbox", name, checked }), " ", label));
}

// changeable are the fields a promotion keeps editable: on the create
// form and, filled in, on the edit form.
function changeable(p) {
  return [
    field("Starts (empty: at once)", { name: "startsAt", type: "datetime-local", value: localInput(p?.startsAt) }),
    field("Ends (empty: never)", { name: "endsAt", type: "datetime-local", value: localInput(p?.endsAt) }),
    field("Usage limit (empty: none)", { name: "usageLimit", inputmode: "numeric", value: p?.usageLimit ?? "" }),
    field("Per-customer limit (empty: none)", { name: "perCustomerLimit", inputmode: "numeric", value: p?.perCustomerLimit ?? "" }),
    field("Priority (lower goes first)", { name: "priority", inputmode: "numeric", value: p?.priority ?? 0 }),
    select("Status", "status", [["active", "active"], ["draft", "draft"]], p?.status || "active"),
    checkbox("Refundable (a cancelled order gives the redemption back)", "refundable", p?.refundable ?? false),
  ];
}

// readChangeable reads the changeable fields, or throws what to fix.
function readChangeable(f) {
  const priority = count(f.priority, "The priority") ?? 0;
  return {
    startsAt: isoTime(f.startsAt.value), endsAt: isoTime(f.endsAt.value),
    usageLimit: count(f.usageLimit, "The usage limit"), perCustomerLimit: count(f.perCustomerLimit, "The per-customer limit"),
    priority, status: f.status.value, refundable: f.refundable.checked,
  };
}

// create draws the new promotion form.
function create(main, ctx) {
  const msg = alertBox();
  const form = h("form", { class: "card", "aria-labelledby": "promo-h", novalidate: true },
    h("h1", { id: "promo-h" }, "New promotion"),
    msg,
    h("div", { class: "grid" },
      field("Code (letters, digits, _ and -; empty for automatic)", { name: "code", autocomplete: "off" }),
      checkbox("Automatic (applies without a code)", "automatic", false),
      select("Discount", "type", [["percent", "Percent off"], ["fixed", "Amount off"], ["free_shipping", "Free shipping"]], "percent"),
      field("Value (percent such as 10, or amount such as 5.00; empty for free shipping)", { name: "value", inputmode: "decimal" }),
      select("Applies to", "target", [["order", "the order"], ["lines", "the lines"]], "order"),
      field("Currency (needed for an amount off or a minimum)", { name: "currency", maxlength: 3, value: "USD" }),
      field("Minimum subtotal (empty: none)", { name: "minSubtotal", inputmode: "decimal" }),
      field("SKUs (comma-separated; a cart needs one of them; empty: any)", { name: "skus", autocomplete: "off" }),
      field("Categories (comma-separated; a cart needs a product in one; empty: any)", { name: "categories", autocomplete: "off" }),
      field("Customer groups (comma-separated; empty: everyone)", { name: "customerGroups", autocomplete: "off" }),
      select("Stacking", "stacking", [["stack", "stacks with others"], ["exclusive", "exclusive"]], "stack"),
      changeable(null)),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "Create promotion"),
      h("a", { href: "#/promotions" }, "Back to promotions")));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    let body;
    try {
      body = readNew(form.elements);
    } catch (err) {
      return msg.show(err.message);
    }
    await busy(form, async () => {
      try {
        const res = await ctx.api("POST", "/api/admin/promotions", { body });
        history.replaceState(null, "", "#/promotions/" + encodeURIComponent(res.data.id));
        edit(main, ctx, res.data, res.etag, `Created promotion ${res.data.code || "automatic"}.`);
      } catch (err) {
        msg.error(err); // the form keeps every entry
      }
    });
  });
  render(main, form);
}

// readNew turns the create form into the POST body, or throws what to fix.
// The API checks the rest and its detail is shown as it is.
function readNew(f) {
  const currency = f.currency.value.trim().toUpperCase();
  if (currency && !/^[A-Z]{3}$/.test(currency)) throw new Error("The currency is a three-letter code such as USD.");
  const type = f.type.value;
  let value = 0;
  if (type === "percent") {
    if (!/^\d{1,3}(\.\d{1,2})?$/.test(f.value.value.trim())) throw new Error("Write the percent as a number, such as 10 or 12.5.");
    value = Math.round(Number(f.value.value.trim()) * 100); // basis points
  } else if (type === "fixed") {
    if (!currency) throw new Error("An amount off needs the currency.");
    value = minorUnits(f.value.value, currency);
    if (!(value > 0)) throw new Error("Write the amount off as a number, such as 5.00.");
  }
  const body = {
    code: f.code.value.trim() || undefined, automatic: f.automatic.checked,
    action: { type, value, target: f.target.value }, stacking: f.stacking.value, rules: {},
    ...readChangeable(f),
  };
  if (currency && (type === "fixed" || f.minSubtotal.value.trim())) body.currency = currency;
  if (f.minSubtotal.value.trim()) {
    if (!currency) throw new Error("A minimum subtotal needs the currency.");
    const amount = minorUnits(f.minSubtotal.value, currency);
    if (!(amount >= 0)) throw new Error("Write the minimum subtotal as a number, such as 50.00.");
    body.rules.minSubtotal = { amount, currency };
  }
  for (const k of ["skus", "categories", "customerGroups"]) {
    const items = words(f[k]);
    if (items.length) body.rules[k] = items;
  }
  for (const k of ["startsAt", "endsAt", "usageLimit", "perCustomerLimit"]) if (body[k] === null) delete body[k];
  return body;
}

// edit shows a promotion and the form for what may change; notice is
// shown first (after a create).
function edit(main, ctx, p, etag, notice = "") {
  const msg = alertBox();
  const facts = h("dl", { class: "facts" });
  const drawFacts = () => render(facts,
    h("dt", {}, "Code"), h("dd", {}, p.code || "none"),
    h("dt", {}, "Automatic"), h("dd", {}, p.automatic ? "Yes" : "No"),
    h("dt", {}, "Takes off"), h("dd", {}, summary(p)),
    h("dt", {}, "SKUs"), h("dd", {}, listOf(p.rules?.skus, "any")),
    h("dt", {}, "Categories"), h("dd", {}, listOf(p.rules?.categories, "any")),
    h("dt", {}, "Customer groups"), h("dd", {}, listOf(p.rules?.customerGroups, "everyone")),
    h("dt", {}, "Stacking"), h("dd", {}, p.stacking),
    h("dt", {}, "Used / reserved of limit"), h("dd", {}, usage(p)));
  drawFacts();
  const title = "Promotion " + (p.code || "automatic");
  const form = h("form", { class: "card", "aria-labelledby": "promo-h", novalidate: true },
    h("h1", { id: "promo-h" }, title),
    msg,
    facts,
    h("h2", {}, "Change"),
    h("div", { class: "grid" }, changeable(p)),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "Save promotion"),
      h("a", { href: "#/promotions" }, "Back to promotions")));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    let body;
    try {
      body = readChangeable(form.elements); // null clears a date or a limit
      // A date left as shown keeps its seconds (the input shows minutes).
      for (const k of ["startsAt", "endsAt"]) if (form.elements[k].value === localInput(p[k])) body[k] = p[k] ?? null;
    } catch (err) {
      return msg.show(err.message);
    }
    await busy(form, async () => {
      try {
        const res = await ctx.api("PATCH", "/api/admin/promotions/" + encodeURIComponent(p.id), { body, ifMatch: etag });
        p = res.data;
        etag = res.etag;
        drawFacts();
        msg.show(`Saved ${title}.`, "notice");
      } catch (err) {
        msg.error(err); // a 412 says changed by someone else; the form keeps every entry
      }
    });
  });
  render(main, form);
  if (notice) msg.show(notice, "notice");
}
