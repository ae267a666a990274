// stock.js: a SKU's stock counts (on hand, committed to orders, reserved
// by checkouts, available), in total and per location, and setting its
// on-hand count at a location (the default one when only it exists).
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
    const { data: locs } = await ctx.api("GET", "/api/admin/locations");
    const set = h("form", { class: "card narrow", "aria-labelledby": "set-h" },
      h("h2", { id: "set-h" }, "Set on hand"),
      locs.items.length > 1
        ? h("div", { class: "field" }, h("label", { for: "stock-location" }, "Location"),
          h("select", { id: "stock-location", name: "location" }, locs.items.map(l => h("option", { value: l.id }, l.name + " (" + l.id + ")"))))
        : null,
      field("On hand for " + sku, { name: "onHand", type: "number", min: 0, step: 1, value: String(level.onHand), required: true }),
      h("button", { type: "submit", class: "primary" }, "Save stock"));
    const name = id => (locs.items.find(l => l.id === id) || { name: id }).name;
    const draw = l => render(counts,
      table("Stock of " + sku, ["On hand", "Committed", "Reserved", "Available"], [[l.onHand, l.committed, l.reserved, l.available]]),
      l.locations?.length ? table("Stock of " + sku + " per location", ["Location", "On hand", "Committed", "Reserved", "Available"],
        l.locations.map(x => [name(x.locationId), x.onHand, x.committed, x.reserved, x.available])) : null,
      set);
    const pick = () => {
      const at = set.elements.location?.value;
      const x = at && level.locations?.find(y => y.locationId === at);
      if (at) set.elements.onHand.value = String(x ? x.onHand : 0);
    };
    set.elements.location?.addEventListener("change", pick);
    set.addEventListener("submit", async e => {
      e.preventDefault();
      msg.clear();
      const onHand = Number(set.elements.onHand.value);
      if (!Number.isInteger(onHand) || onHand < 0) return msg.show("On hand must be a whole number, 0 or more.");
      const at = set.elements.location?.value;
      await busy(set, async () => {
        try {
          const path = "/api/admin/inventory/" + encodeURIComponent(sku) + (at ? "/locations/" + encodeURIComponent(at) : "");
          await ctx.api("PUT", path, { body: { onHand } });
          level = (await ctx.api("GET", "/api/admin/inventory/" + encodeURIComponent(sku))).data;
          draw(level);
          msg.show(`Saved: ${sku} has ${onHand} on hand${at ? " at " + name(at) : ""}, ${level.available} available in all.`, "notice");
        } catch (err) {
          msg.error(err);
        }
      });
    });
    draw(level);
    pick();
  },
};
