// products.js: list and search products of every status (GET
// /api/admin/products), create one, edit its variants,
// prices, images and status, delete it. A save sends the ETag the form was
// loaded with (GET /api/admin/products/{id}, If-Match): a product changed meanwhile is not overwritten,
// and the form, with the edits, stays as it is.
import { h, render, alertBox, field, busy, money, minorUnits, decimal, confirmDialog } from "../lib/ui.js";
import { table } from "./common.js";

export default {
  id: "products",
  title: "Products",
  async render(main, ctx, args) {
    if (args[0] === "new") return edit(main, ctx, null, "");
    if (args[0]) {
      const { data, etag } = await ctx.api("GET", "/api/admin/products/" + encodeURIComponent(args[0]));
      return edit(main, ctx, data, etag);
    }
    return list(main, ctx);
  },
};

const statuses = ["", "active", "draft", "archived"];

// list reads the admin listing: every status, so a draft or an archived
// product can be reopened.
async function list(main, ctx) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const q = params.get("q") || "";
  const status = params.get("status") || "";
  const { data } = await ctx.api("GET", "/api/admin/products?limit=100" + (q ? "&q=" + encodeURIComponent(q) : "") + (status ? "&status=" + status : ""));
  const search = h("form", { role: "search", class: "inline" },
    field("Search products", { name: "q", type: "search", value: q }),
    h("div", { class: "field" }, h("label", { for: "product-filter" }, "Status"),
      h("select", { id: "product-filter", name: "status" }, statuses.map(s => h("option", { value: s, selected: s === status }, s || "Any status")))),
    h("button", { type: "submit" }, "Search"));
  search.addEventListener("submit", e => {
    e.preventDefault();
    ctx.go("#/products?q=" + encodeURIComponent(search.elements.q.value) + "&status=" + search.elements.status.value);
  });
  render(main,
    h("h1", {}, "Products"),
    h("p", {}, h("a", { href: "#/products/new", class: "button primary" }, "New product")),
    search,
    table(`${data.items.length} product(s)`, ["Title", "Handle", "Category", "Status", "Variants", "From"], data.items.map(p => [
      h("a", { href: "#/products/" + p.id }, p.title), p.handle, p.category, p.status, p.variants.length,
      money(p.variants.reduce((lo, v) => (!lo || v.price.amount < lo.amount ? v.price : lo), null))])));
}

// edit draws the product form; p is null for a new product.
function edit(main, ctx, p, etag) {
  const msg = alertBox();
  const variants = h("tbody", {});
  const form = h("form", { class: "card", "aria-labelledby": "product-h", novalidate: true },
    h("h1", { id: "product-h" }, p ? "Edit " + p.title : "New product"),
    msg,
    h("div", { class: "grid" },
      field("Title", { name: "title", required: true, value: p?.title || "" }),
      field("Handle (URL name: a-z, 0-9, -)", { name: "handle", required: true, pattern: "[a-z0-9-]+", value: p?.handle || "" }),
      field("Category (a-z, 0-9, -)", { name: "category", required: true, pattern: "[a-z0-9-]+", value: p?.category || "" }),
      statusField(p?.status || "active")),
    field("Description", { name: "description", rows: 3, value: p?.description || "" }, "textarea"),
    field("Image URLs (one per line)", { name: "images", rows: 2, value: (p?.images || []).join("\n") }, "textarea"),
    h("table", { class: "variants" },
      h("caption", {}, "Variants"),
      h("thead", {}, h("tr", {}, ["SKU", "Title", "Options (name=value, …)", "Price", "Currency", ""].map(c => h("th", { scope: "col" }, c)))),
      variants),
    h("p", {}, h("button", { type: "button", onclick: () => variants.append(variantRow()) }, "Add variant")),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, p ? "Save changes" : "Create product"),
      p ? h("button", { type: "button", class: "danger", onclick: remove }, "Delete product") : null,
      h("a", { href: "#/products" }, "Back to products")));
  for (const v of p?.variants || [{ sku: "", title: "", options: {}, price: { amount: 0, currency: "USD" } }]) variants.append(variantRow(v));

  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    let body;
    try {
      body = read(form, variants, p);
    } catch (err) {
      return msg.show(err.message);
    }
    await busy(form, async () => {
      try {
        const res = p
          ? await ctx.api("PUT", "/api/admin/products/" + p.id, { body, ifMatch: etag })
          : await ctx.api("POST", "/api/admin/products", { body });
        p = res.data;
        etag = res.etag;
        msg.show(`Saved ${p.title}.`, "notice");
        if (!location.hash.endsWith("/" + p.id)) history.replaceState(null, "", "#/products/" + p.id);
        form.querySelector("h1").textContent = "Edit " + p.title;
      } catch (err) {
        msg.error(err); // the form keeps every edit
      }
    });
  });

  async function remove() {
    if (!(await confirmDialog(`Delete ${p.title} and its ${p.variants.length} variant(s)? This cannot be undone.`, "Delete"))) return;
    try {
      await ctx.api("DELETE", "/api/admin/products/" + p.id);
      ctx.go("#/products");
    } catch (err) {
      msg.error(err);
    }
  }
  render(main, form);
}

function statusField(status) {
  const id = "product-status";
  return h("div", { class: "field" }, h("label", { for: id }, "Status"),
    h("select", { id, name: "status" }, ["active", "draft", "archived"].map(s => h("option", { value: s, selected: s === status }, s))));
}

let rowSeq = 0;
// variantRow is one editable variant; every input is labelled for screen
// readers by its column and row.
function variantRow(v = { sku: "", title: "", options: {}, price: { amount: 0, currency: "USD" } }) {
  const n = ++rowSeq;
  const cell = (label, attrs) => h("td", {}, h("input", { ...attrs, "aria-label": `${label}, variant ${n}` }));
  const row = h("tr", { class: "variant" },
    cell("SKU", { name: "sku", value: v.sku, required: true }),
    cell("Title", { name: "vtitle", value: v.title }),
    cell("Options", { name: "options", value: Object.entries(v.options || {}).map(([k, x]) => k + "=" + x).join(", ") }),
    cell("Price", { name: "price", inputmode: "decimal", value: v.price.amount ? decimal(v.price) : "", required: true }),
    cell("Currency", { name: "currency", value: v.price.currency, size: 3, maxlength: 3 }),
    h("td", {}, h("button", { type: "button", "aria-label": `Remove variant ${n}`, onclick: () => row.remove() }, "Remove")));
  return row;
}

// read turns the form into a product body, or throws what to fix.
function read(form, variants, p) {
  const f = form.elements;
  const vs = [...variants.querySelectorAll("tr.variant")].map((row, i) => {
    const get = name => row.querySelector(`[name=${name}]`).value.trim();
    const currency = get("currency").toUpperCase();
    const amount = minorUnits(get("price"), currency || "USD");
    if (!(amount > 0)) throw new Error(`Variant ${i + 1}: the price must be a positive amount such as 12.50.`);
    const options = {};
    for (const pair of get("options").split(",").map(s => s.trim()).filter(Boolean)) {
      const [k, ...rest] = pair.split("=");
      if (!rest.length) throw new Error(`Variant ${i + 1}: write options as name=value, separated by commas.`);
      options[k.trim()] = rest.join("=").trim();
    }
    return { sku: get("sku"), title: get("vtitle"), options, price: { amount, currency } };
  });
  if (!vs.length) throw new Error("A product needs at least one variant.");
  return {
    handle: f.handle.value.trim(), title: f.title.value.trim(), category: f.category.value.trim(),
    description: f.description.value.trim(), status: f.status.value,
    images: f.images.value.split("\n").map(s => s.trim()).filter(Boolean),
    attributes: p?.attributes || {},
    variants: vs,
  };
}
