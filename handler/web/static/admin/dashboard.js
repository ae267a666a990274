// dashboard.js: today's and this week's orders and revenue, orders to
// ship, low stock, dead letters and failing or disabled webhook
// subscriptions, from the admin listings.
import { h, render, money, when } from "../lib/ui.js";
import { allPages, statusLabel, table } from "./common.js";
import { health } from "./webhooks.js";

// lowStock is the availability at or under which a SKU is listed.
const lowStock = 5;

export default {
  id: "dashboard",
  title: "Dashboard",
  async render(main, ctx) {
    const [orders, products, dead, subs] = await Promise.all([
      allPages(ctx, "/api/admin/orders", 1000),
      ctx.api("GET", "/api/products?limit=100").then(r => r.data.items),
      Promise.all(["orders", "inventory"].map(q => ctx.api("GET", "/api/admin/deadletters?queue=" + q).then(r => r.data.items))),
      ctx.api("GET", "/api/admin/subscriptions").then(r => r.data.items),
    ]);
    const unwell = subs.filter(s => !s.enabled || s.failingSince);
    const dayStart = new Date();
    dayStart.setHours(0, 0, 0, 0);
    const weekStart = new Date(dayStart.getTime() - 6 * 86400e3);
    const counted = orders.filter(o => o.status !== "cancelled" && o.status !== "cancelling");
    const since = t => counted.filter(o => new Date(o.createdAt) >= t);
    const skus = products.flatMap(p => p.variants.map(v => ({ sku: v.sku, title: p.title + (v.title ? " · " + v.title : "") }))).slice(0, 100);
    const levels = await Promise.all(skus.map(s => ctx.api("GET", "/api/admin/inventory/" + encodeURIComponent(s.sku))
      .then(r => ({ ...s, ...r.data }), () => null)));
    const low = levels.filter(l => l && l.available <= lowStock);
    const toShip = orders.filter(o => o.status === "placed");
    const deadCount = dead.flat().length;
    const recent = [...orders].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 10);
    render(main,
      h("h1", {}, "Dashboard"),
      h("ul", { class: "tiles" },
        tile("Orders today", since(dayStart).length, revenue(since(dayStart))),
        tile("Orders this week", since(weekStart).length, revenue(since(weekStart))),
        tile("To ship", toShip.length, h("a", { href: "#/orders/status/placed" }, "See orders to ship")),
        tile("Low stock SKUs", low.length, "available ≤ " + lowStock),
        tile("Dead letters", deadCount, h("a", { href: "#/deadletters" }, "Re-drive")),
        tile("Failing webhooks", unwell.length, h("a", { href: "#/webhooks" }, "See subscriptions"))),
      table("Latest orders", ["Order", "Placed", "Buyer", "Total", "Status"], recent.map(o => [
        h("a", { href: "#/orders/" + o.id }, o.id), when(o.createdAt), o.email, money(o.total), statusLabel(o.status)])),
      table("Low stock", ["SKU", "Product", "On hand", "Available"], low.map(l => [
        h("a", { href: "#/stock/" + encodeURIComponent(l.sku) }, l.sku), l.title, l.onHand, l.available])),
      unwell.length ? table("Failing or disabled webhook subscriptions", ["URL", "Health"], unwell.map(s => [
        h("a", { href: "#/webhooks/" + encodeURIComponent(s.id) }, s.url), health(s)])) : null);
  },
};

function tile(label, n, sub) {
  return h("li", { class: "tile" }, h("span", { class: "n" }, String(n)), h("span", { class: "label" }, label), h("span", { class: "sub" }, sub));
}

// revenue sums order totals per currency: "$120.00, €30.00".
function revenue(orders) {
  const sums = {};
  for (const o of orders) sums[o.total.currency] = (sums[o.total.currency] || 0) + o.total.amount;
  const parts = Object.entries(sums).map(([currency, amount]) => money({ amount, currency }));
  return parts.length ? parts.join(", ") : "no revenue";
}
