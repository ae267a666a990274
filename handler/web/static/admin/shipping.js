// shipping.js: shipping options and tax rates. Lists both; creates or
// edits an option (price, countries, free-over threshold, status) or a
// country's tax rate (basis points, per-subdivision rates, shipping
// taxed); deletes one after asking. A save sends the ETag the item was read
// with: one changed meanwhile is not overwritten, and the form stays.
import { h, render, alertBox, field, busy, minorUnits, decimal, confirmDialog, when } from "../lib/ui.js";
import { table } from "./common.js";

export default {
  id: "shipping",
  title: "Shipping & tax",
  async render(main, ctx, args) {
    const [kind, id] = args;
    if (kind === "option" || kind === "tax") {
      if (id === "new") return (kind === "option" ? editOption : editRate)(main, ctx, null, "");
      const path = kind === "option" ? "/api/admin/shipping-options/" : "/api/admin/tax-rates/";
      const { data, etag } = await ctx.api("GET", path + encodeURIComponent(id));
      return (kind === "option" ? editOption : editRate)(main, ctx, data, etag);
    }
    const [options, rates] = await Promise.all([ctx.api("GET", "/api/admin/shipping-options"), ctx.api("GET", "/api/admin/tax-rates")]);
    render(main,
      h("h1", {}, "Shipping & tax"),
      h("p", {}, "With no shipping option for a country, checkouts there pay the flat shipping; with no tax rate at all, the flat tax."),
      h("p", {}, h("a", { href: "#/shipping/option/new", class: "button primary" }, "New shipping option"), " ",
        h("a", { href: "#/shipping/tax/new", class: "button" }, "New tax rate")),
      table(`${options.data.items.length} shipping option(s)`, ["ID", "Name", "Price", "Free over", "Ships to", "Status", "Updated"], options.data.items.map(o => [
        h("a", { href: "#/shipping/option/" + encodeURIComponent(o.id) }, o.id), o.name, decimal({ amount: o.amount, currency: o.currency }) + " " + o.currency,
        o.freeOver ? decimal(o.freeOver) + " " + o.freeOver.currency : "", o.countries.join(", "), o.status, when(o.updatedAt)])),
      table(`${rates.data.items.length} tax rate(s)`, ["Country", "Rate", "Subdivisions", "Shipping taxed", "Updated"], rates.data.items.map(r => [
        h("a", { href: "#/shipping/tax/" + encodeURIComponent(r.country) }, r.country), percent(r.rate),
        Object.entries(r.subdivisions || {}).map(([k, v]) => k + " " + percent(v)).join(", "), r.shippingTaxed ? "Yes" : "No", when(r.updatedAt)])));
  },
};

// percent shows basis points as a percentage: 725 is 7.25%.
function percent(bp) {
  return (bp / 100).toFixed(2).replace(/\.?0+$/, "") + "%";
}

// basisPoints reads a percentage such as 7.25 as basis points, or NaN.
function basisPoints(text) {
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text.trim())) return NaN;
  return Math.round(Number(text.trim()) * 100);
}

// editOption draws the shipping option form; o is null for a new option.
function editOption(main, ctx, o, etag) {
  const msg = alertBox();
  const currency = o?.currency || "USD";
  const form = h("form", { class: "card narrow", "aria-labelledby": "option-h", novalidate: true },
    h("h1", { id: "option-h" }, o ? "Edit shipping option " + o.id : "New shipping option"),
    msg,
    o ? null : field("ID (a-z, 0-9, -)", { name: "id", required: true, pattern: "[a-z0-9-]+" }),
    field("Name", { name: "name", required: true, value: o?.name || "" }),
    field("Currency", { name: "currency", required: true, maxlength: 3, value: currency }),
    field("Price, e.g. 5.00", { name: "amount", required: true, inputmode: "decimal", value: o ? decimal({ amount: o.amount, currency }) : "" }),
    field("Free over (subtotal after discounts; empty: never free)", { name: "freeOver", inputmode: "decimal", value: o?.freeOver ? decimal(o.freeOver) : "" }),
    field("Ships to (country codes, comma-separated)", { name: "countries", required: true, value: (o?.countries || []).join(", ") }),
    h("div", { class: "field" }, h("label", { for: "option-status" }, "Status"),
      h("select", { id: "option-status", name: "status" }, ["active", "draft"].map(s => h("option", { value: s, selected: s === (o?.status || "active") }, s)))),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, o ? "Save shipping option" : "Create shipping option"),
      o ? h("button", { type: "button", class: "danger", onclick: remove }, "Delete shipping option") : null,
      h("a", { href: "#/shipping" }, "Back to shipping & tax")));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    const f = form.elements;
    const id = o ? o.id : f.id.value.trim();
    const cur = f.currency.value.trim().toUpperCase();
    if (!/^[a-z0-9-]{1,64}$/.test(id)) return msg.show("The ID is 1 to 64 of a-z, 0-9 and -.");
    if (!/^[A-Z]{3}$/.test(cur)) return msg.show("The currency is a three-letter code such as USD.");
    const amount = minorUnits(f.amount.value, cur);
    if (!(amount >= 0)) return msg.show("Write the price as a number, such as 5.00.");
    const body = {
      name: f.name.value.trim(), currency: cur, amount, status: f.status.value,
      countries: f.countries.value.split(",").map(s => s.trim().toUpperCase()).filter(Boolean),
    };
    if (f.freeOver.value.trim()) {
      const over = minorUnits(f.freeOver.value, cur);
      if (!(over >= 0)) return msg.show("Write the free-over amount as a number, such as 50.00, or leave it empty.");
      body.freeOver = { amount: over, currency: cur };
    }
    await busy(form, async () => {
      try {
        const res = await ctx.api("PUT", "/api/admin/shipping-options/" + encodeURIComponent(id), { body, ifMatch: o ? etag : undefined });
        o = res.data;
        etag = res.etag;
        msg.show(`Saved shipping option ${o.name}.`, "notice");
        history.replaceState(null, "", "#/shipping/option/" + encodeURIComponent(id));
      } catch (err) {
        msg.error(err); // the form keeps every entry
      }
    });
  });

  async function remove() {
    if (!(await confirmDialog(`Delete shipping option ${o.name}? Checkouts can no longer choose it.`, "Delete"))) return;
    try {
      await ctx.api("DELETE", "/api/admin/shipping-options/" + encodeURIComponent(o.id));
      ctx.go("#/shipping");
    } catch (err) {
      msg.error(err);
    }
  }
  render(main, form);
}

// editRate draws the tax rate form; r is null for a new country's rate.
function editRate(main, ctx, r, etag) {
  const msg = alertBox();
  const form = h("form", { class: "card narrow", "aria-labelledby": "rate-h", novalidate: true },
    h("h1", { id: "rate-h" }, r ? "Edit tax rate of " + r.country : "New tax rate"),
    msg,
    r ? null : field("Country (ISO code, e.g. FR)", { name: "country", required: true, maxlength: 2 }),
    field("Rate in %, e.g. 20 or 7.25", { name: "rate", required: true, inputmode: "decimal", value: r ? String(r.rate / 100) : "" }),
    field("Subdivision rates (one per line: code rate, e.g. CA 7.25)", {
      name: "subdivisions", rows: 4, value: Object.entries(r?.subdivisions || {}).map(([k, v]) => k + " " + v / 100).join("\n"),
    }, "textarea"),
    h("div", { class: "field" }, h("label", {}, h("input", { type: "checkbox", name: "shippingTaxed", checked: !!r?.shippingTaxed }), " Shipping is taxed")),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, r ? "Save tax rate" : "Create tax rate"),
      r ? h("button", { type: "button", class: "danger", onclick: remove }, "Delete tax rate") : null,
      h("a", { href: "#/shipping" }, "Back to shipping & tax")));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    const f = form.elements;
    const country = r ? r.country : f.country.value.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) return msg.show("The country is a two-letter code such as FR.");
    const rate = basisPoints(f.rate.value);
    if (!(rate >= 0 && rate <= 10000)) return msg.show("Write the rate as a percentage from 0 to 100, such as 20 or 7.25.");
    const subdivisions = {};
    for (const [i, line] of f.subdivisions.value.split("\n").map(s => s.trim()).filter(Boolean).entries()) {
      const [code, pct, ...rest] = line.split(/\s+/);
      const bp = pct === undefined || rest.length ? NaN : basisPoints(pct);
      if (!/^[A-Z0-9]{1,3}$/.test(code.toUpperCase()) || !(bp >= 0 && bp <= 10000)) return msg.show(`Subdivision line ${i + 1}: write a code and a rate, such as CA 7.25.`);
      subdivisions[code.toUpperCase()] = bp;
    }
    const body = { rate, shippingTaxed: f.shippingTaxed.checked, subdivisions };
    await busy(form, async () => {
      try {
        const res = await ctx.api("PUT", "/api/admin/tax-rates/" + encodeURIComponent(country), { body, ifMatch: r ? etag : undefined });
        r = res.data;
        etag = res.etag;
        msg.show(`Saved the tax rate of ${r.country}.`, "notice");
        history.replaceState(null, "", "#/shipping/tax/" + encodeURIComponent(country));
      } catch (err) {
        msg.error(err);
      }
    });
  });

  async function remove() {
    if (!(await confirmDialog(`Delete the tax rate of ${r.country}? Checkouts there pay no tax while other rates are set.`, "Delete"))) return;
    try {
      await ctx.api("DELETE", "/api/admin/tax-rates/" + encodeURIComponent(r.country));
      ctx.go("#/shipping");
    } catch (err) {
      msg.error(err);
    }
  }
  render(main, form);
}
