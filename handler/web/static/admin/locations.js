// locations.js: stock locations (warehouses, stores): list them, create
// one, edit its name, priority, countries and status. Stock per location
// is set on the stock page.
import { h, render, alertBox, field, busy } from "../lib/ui.js";
import { table } from "./common.js";

export default {
  id: "locations",
  title: "Locations",
  async render(main, ctx, args) {
    if (args[0] === "new") return edit(main, ctx, null);
    if (args[0]) return edit(main, ctx, (await ctx.api("GET", "/api/admin/locations/" + encodeURIComponent(args[0]))).data);
    const { data } = await ctx.api("GET", "/api/admin/locations");
    render(main,
      h("h1", {}, "Locations"),
      h("p", {}, h("a", { href: "#/locations/new", class: "button primary" }, "New location")),
      table(`${data.items.length} location(s)`, ["ID", "Name", "Priority", "Ships to", "Status"], data.items.map(l => [
        h("a", { href: "#/locations/" + encodeURIComponent(l.id) }, l.id), l.name, l.priority,
        l.countries.length ? l.countries.join(", ") : "Every country", l.status])));
  },
};

// edit draws the location form; l is null for a new location, whose ID
// the merchant picks (PUT creates or replaces).
function edit(main, ctx, l) {
  const msg = alertBox();
  const form = h("form", { class: "card narrow", "aria-labelledby": "location-h", novalidate: true },
    h("h1", { id: "location-h" }, l ? "Edit location " + l.id : "New location"),
    msg,
    l ? null : field("ID (a-z, 0-9, -)", { name: "id", required: true, pattern: "[a-z0-9-]+" }),
    field("Name", { name: "name", required: true, value: l?.name || "" }),
    field("Priority (lower is allocated first)", { name: "priority", type: "number", min: 0, step: 1, required: true, value: String(l?.priority ?? 1) }),
    field("Ships to (country codes, comma-separated; empty: every country)", { name: "countries", value: (l?.countries || []).join(", ") }),
    h("div", { class: "field" }, h("label", { for: "location-status" }, "Status"),
      h("select", { id: "location-status", name: "status" }, ["active", "inactive"].map(s => h("option", { value: s, selected: s === (l?.status || "active") }, s)))),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, l ? "Save location" : "Create location"),
      h("a", { href: "#/locations" }, "Back to locations")));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    const f = form.elements;
    const id = l ? l.id : f.id.value.trim();
    const priority = Number(f.priority.value);
    if (!/^[a-z0-9-]{1,64}$/.test(id)) return msg.show("The ID is 1 to 64 of a-z, 0-9 and -.");
    if (!Number.isInteger(priority) || priority < 0) return msg.show("The priority is a whole number, 0 or more.");
    const body = {
      name: f.name.value.trim(), priority, status: f.status.value,
      countries: f.countries.value.split(",").map(s => s.trim().toUpperCase()).filter(Boolean),
    };
    await busy(form, async () => {
      try {
        const { data } = await ctx.api("PUT", "/api/admin/locations/" + encodeURIComponent(id), { body });
        l = data;
        msg.show(`Saved location ${data.name}.`, "notice");
        history.replaceState(null, "", "#/locations/" + encodeURIComponent(id));
      } catch (err) {
        msg.error(err); // the form keeps every entry
      }
    });
  });
  render(main, form);
}
