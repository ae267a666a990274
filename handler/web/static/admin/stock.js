// stock.js: a SKU's stock counts (on hand, committed to orders, reserved
// by checkouts, available) and setting its on-hand count. Counts per
// location arrive with stock locations; this page then lists them.
import { h, render, alertBox, field, busy } from "../lib/ui.js";
import { table } from "./common.js";

export default {
  id: "stock",
  title: "Stock",
  async render(main, ctx, args) {
    const sku = args[0] || "";
    const msg = alertBox();
    const counts = h("div", {});
    const find = h("form", { role: "search", class: "inline" },
      field("SKU", { name: "sku", value: sku, required: true }),
      h("button", { type: "submit" }, "Show stock"));
    find.addEventListener("submit", e => {
      e.preventDefault();
      ctx.go("#/stock/" + encodeURIComponent(find.elements.sku.value.trim()));
    });
    render(main, h("h1", {}, "Stock"), find, msg, counts);
    if (!sku) {
      const { data } = await ctx.api("GET", "/api/products?limit=100");
      render(counts, table("SKUs of active products", ["SKU", "Product"], data.items.flatMap(p => p.variants.map(v => [
        h("a", { href: "#/stock/" + encodeURIComponent(v.sku) }, v.sku), p.title + (v.title ? " · " + v.title : "")]))));
      return;
    }
    let level;
    try {
      level = (await ctx.api("GET", "/api/admin/inventory/" + encodeURIComponent(sku))).data;
    } catch (err) {
      if (err.status !== 404) throw err;
      level = { sku, onHand: 0, committed: 0, reserved: 0, available: 0 };
      msg.show(err.detail + " Set an on-hand count to start counting it.", "notice");
    }
    const set = h("form", { class: "card narrow", "aria-labelledby": "set-h" },
      h("h2", { id: "set-h" }, "Set on hand"),
      field("On hand for " + sku, { name: "onHand", type: "number", min: 0, step: 1, value: String(level.onHand), required: true }),
      h("button", { type: "submit", class: "primary" }, "Save stock"));
    const draw = l => render(counts,
      table("Stock of " + sku, ["On hand", "Committed", "Reserved", "Available"], [[l.onHand, l.committed, l.reserved, l.available]]), set);
    set.addEventListener("submit", async e => {
      e.preventDefault();
      msg.clear();
      const onHand = Number(set.elements.onHand.value);
      if (!Number.isInteger(onHand) || onHand < 0) return msg.show("On hand must be a whole number, 0 or more.");
      await busy(set, async () => {
        try {
          const { data } = await ctx.api("PUT", "/api/admin/inventory/" + encodeURIComponent(sku), { body: { onHand } });
          draw(data);
          msg.show(`Saved: ${sku} has ${data.onHand} on hand, ${data.available} available.`, "notice");
        } catch (err) {
          msg.error(err);
        }
      });
    });
    draw(level);
  },
};
