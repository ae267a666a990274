// customers.js: customers by email, and one customer's groups (what price
// lists and promotions target).
import { h, render, alertBox, field, busy, when } from "../lib/ui.js";
import { table } from "./common.js";

export default {
  id: "customers",
  title: "Customers",
  async render(main, ctx, args) {
    if (args[0]) return detail(main, ctx, args[0]);
    const email = new URLSearchParams(location.hash.split("?")[1] || "").get("email") || "";
    const { data } = await ctx.api("GET", "/api/admin/customers?limit=100" + (email ? "&email=" + encodeURIComponent(email) : ""));
    const search = h("form", { role: "search", class: "inline" },
      field("Email", { name: "email", type: "search", value: email }),
      h("button", { type: "submit" }, "Find"));
    search.addEventListener("submit", e => {
      e.preventDefault();
      ctx.go("#/customers?email=" + encodeURIComponent(search.elements.email.value.trim()));
    });
    render(main, h("h1", {}, "Customers"), search,
      table("Customers", ["Email", "Name", "Groups", "Since"], data.items.map(c => [
        h("a", { href: "#/customers/" + c.id }, c.email || "(no email)"), c.name || "", (c.groups || []).join(", "), when(c.createdAt)])));
  },
};

async function detail(main, ctx, id) {
  const { data: c } = await ctx.api("GET", "/api/admin/customers/" + encodeURIComponent(id));
  const msg = alertBox();
  const form = h("form", { class: "card narrow", "aria-labelledby": "groups-h" },
    h("h2", { id: "groups-h" }, "Groups"),
    field("Groups (comma-separated, e.g. vip, wholesale)", { name: "groups", value: (c.groups || []).join(", ") }),
    h("button", { type: "submit", class: "primary" }, "Save groups"));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    const groups = form.elements.groups.value.split(",").map(s => s.trim()).filter(Boolean);
    await busy(form, async () => {
      try {
        await ctx.api("PUT", `/api/admin/customers/${c.id}/groups`, { body: { groups } });
        msg.show("Groups saved.", "notice");
      } catch (err) {
        msg.error(err);
      }
    });
  });
  render(main, h("p", {}, h("a", { href: "#/customers" }, "← Customers")),
    h("h1", {}, c.email || c.id), msg,
    h("dl", { class: "facts" },
      h("dt", {}, "Name"), h("dd", {}, c.name || "—"),
      h("dt", {}, "Email verified"), h("dd", {}, c.emailVerified ? "yes" : "no"),
      h("dt", {}, "Phone"), h("dd", {}, c.phone || "—"),
      h("dt", {}, "Orders"), h("dd", {}, String(c.orderCount ?? "—")),
      h("dt", {}, "Since"), h("dd", {}, when(c.createdAt))),
    form);
}
