// pricelists.js: price lists (sales, customer-group prices): list them,
// create or edit one with its prices per SKU, delete one after asking.
// A save sends the ETag the list was read with: a list changed meanwhile
// is not overwritten, and the form stays as it is.
import { h, render, alertBox, field, busy, minorUnits, decimal, confirmDialog, when } from "../lib/ui.js";
import { table } from "./common.js";

export default {
  id: "price-lists",
  title: "Price lists",
  async render(main, ctx, args) {
    if (args[0] === "new") return edit(main, ctx, null, "");
    if (args[0]) {
      const { data, etag } = await ctx.api("GET", "/api/admin/price-lists/" + encodeURIComponent(args[0]));
      return edit(main, ctx, data, etag);
    }
    const { data } = await ctx.api("GET", "/api/admin/price-lists");
    render(main,
      h("h1", {}, "Price lists"),
      h("p", {}, h("a", { href: "#/price-lists/new", class: "button primary" }, "New price list")),
      table(`${data.items.length} price list(s)`, ["ID", "Name", "Currency", "Customer groups", "Status", "Prices", "Updated"], data.items.map(l => [
        h("a", { href: "#/price-lists/" + encodeURIComponent(l.id) }, l.id), l.name, l.currency,
        l.customerGroups.length ? l.customerGroups.join(", ") : "Everyone", l.status, l.priceCount, when(l.updatedAt)])));
  },
};

// edit draws the price list form; l is null for a new list.
function edit(main, ctx, l, etag) {
  const msg = alertBox();
  const currency = l?.currency || "USD";
  const form = h("form", { class: "card", "aria-labelledby": "pricelist-h", novalidate: true },
    h("h1", { id: "pricelist-h" }, l ? "Edit price list " + l.id : "New price list"),
    msg,
    h("div", { class: "grid" },
      l ? null : field("ID (a-z, 0-9, -)", { name: "id", required: true, pattern: "[a-z0-9-]+" }),
      field("Name", { name: "name", required: true, value: l?.name || "" }),
      field("Currency", { name: "currency", required: true, maxlength: 3, value: currency }),
      field("Customer groups (comma-separated; empty: everyone)", { name: "groups", value: (l?.customerGroups || []).join(", ") }),
      h("div", { class: "field" }, h("label", { for: "pricelist-status" }, "Status"),
        h("select", { id: "pricelist-status", name: "status" }, ["active", "draft"].map(s => h("option", { value: s, selected: s === (l?.status || "active") }, s))))),
    field("Prices (one per line: SKU price, e.g. MUG-RED 9.99)", {
      name: "prices", rows: 5, value: (l?.prices || []).map(p => p.sku + " " + decimal({ amount: p.amount, currency })).join("\n"),
    }, "textarea"),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, l ? "Save price list" : "Create price list"),
      l ? h("button", { type: "button", class: "danger", onclick: remove }, "Delete price list") : null,
      h("a", { href: "#/price-lists" }, "Back to price lists")));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    let id, body;
    try {
      [id, body] = read(form, l);
    } catch (err) {
      return msg.show(err.message);
    }
    await busy(form, async () => {
      try {
        const res = await ctx.api("PUT", "/api/admin/price-lists/" + encodeURIComponent(id), { body, ifMatch: l ? etag : undefined });
        l = res.data;
        etag = res.etag;
        msg.show(`Saved price list ${l.name} with ${l.prices.length} price(s).`, "notice");
        history.replaceState(null, "", "#/price-lists/" + encodeURIComponent(id));
      } catch (err) {
        msg.error(err); // the form keeps every entry
      }
    });
  });

  async function remove() {
    if (!(await confirmDialog(`Delete price list ${l.name} and its ${l.prices.length} price(s)? Carts go back to the variants' prices.`, "Delete"))) return;
    try {
      await ctx.api("DELETE", "/api/admin/price-lists/" + encodeURIComponent(l.id));
      ctx.go("#/price-lists");
    } catch (err) {
      msg.error(err);
    }
  }
  render(main, form);
}

// read turns the form into [id, body], or throws what to fix.
function read(form, l) {
  const f = form.elements;
  const id = l ? l.id : f.id.value.trim();
  if (!/^[a-z0-9-]{1,64}$/.test(id)) throw new Error("The ID is 1 to 64 of a-z, 0-9 and -.");
  const currency = f.currency.value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error("The currency is a three-letter code such as USD.");
  const prices = f.prices.value.split("\n").map(s => s.trim()).filter(Boolean).map((line, i) => {
    const [sku, price, ...rest] = line.split(/\s+/);
    const amount = price === undefined || rest.length ? NaN : minorUnits(price, currency);
    if (!(amount >= 0)) throw new Error(`Price line ${i + 1}: write a SKU and a price, such as MUG-RED 9.99.`);
    return { sku, amount };
  });
  const body = {
    name: f.name.value.trim(), currency, status: f.status.value, prices,
    customerGroups: f.groups.value.split(",").map(s => s.trim()).filter(Boolean),
  };
  if (l?.startsAt) body.startsAt = l.startsAt;
  if (l?.endsAt) body.endsAt = l.endsAt;
  return [id, body];
}

