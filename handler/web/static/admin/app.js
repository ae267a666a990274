// app.js: the admin console's shell. It holds the admin key for this tab
// only (sessionStorage: gone when the tab closes; never persisted storage,
// never a cookie), draws the navigation from the list of pages, and routes
// #/<page>/<args...> to a page module.
//
// A page is a module whose default export is {id, title, render(main, ctx,
// args)}; adding one (price lists, promotions, locations, webhook
// subscriptions) is a file and one line in `pages` below.
import { call, Problem } from "../lib/api.js";
import { h, render, alertBox, field, busy } from "../lib/ui.js";
import dashboard from "./dashboard.js";
import products from "./products.js";
import stock from "./stock.js";
import orders from "./orders.js";
import customers from "./customers.js";
import deadletters from "./deadletters.js";
import locations from "./locations.js";
import pricelists from "./pricelists.js";
import shipping from "./shipping.js";
import promotions from "./promotions.js";
import webhooks from "./webhooks.js";
import events from "./events.js";

const pages = [dashboard, products, stock, locations, pricelists, promotions, shipping, orders, customers, webhooks, events, deadletters];
const KEY = "shopfn.console.adminKey";
const main = document.getElementById("main");

// ctx is what pages get: the API with the admin key, and navigation.
const ctx = {
  async api(method, path, opts = {}) {
    try {
      return await call(method, path, { ...opts, key: sessionStorage.getItem(KEY) });
    } catch (err) {
      if (err instanceof Problem && err.status === 401) signOut("The admin key was refused: " + err.detail);
      throw err;
    }
  },
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
};

function signOut(why = "") {
  sessionStorage.removeItem(KEY);
  showSignIn(why);
}

// showSignIn asks for the admin key and checks it with a read only an
// admin may make before keeping it.
function showSignIn(why = "") {
  render(document.getElementById("nav"));
  render(document.getElementById("session"));
  const msg = alertBox();
  const form = h("form", { class: "card narrow", "aria-labelledby": "signin-h" },
    h("h1", { id: "signin-h" }, "Sign in"),
    h("p", {}, "Use the admin key (SHOPFN_ADMIN_KEY, or the one shopfn printed at start-up). It is kept for this tab only."),
    msg,
    field("Admin key", { name: "key", type: "password", autocomplete: "current-password", required: true }),
    h("button", { type: "submit", class: "primary" }, "Sign in"));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const key = form.elements.key.value.trim();
    await busy(form, async () => {
      try {
        await call("GET", "/api/admin/orders?limit=1", { key });
      } catch (err) {
        msg.show(err.status === 401 ? "That admin key is wrong." : err.detail || err.message);
        return;
      }
      sessionStorage.setItem(KEY, key);
      if (!location.hash || location.hash === "#/") location.hash = "#/dashboard";
      route();
    });
  });
  render(main, form);
  main.setAttribute("aria-busy", "false");
  if (why) msg.show(why);
  form.elements.key.focus();
}

function drawNav(current) {
  render(document.getElementById("nav"), h("ul", {},
    pages.map(p => h("li", {}, h("a", { href: "#/" + p.id, "aria-current": p.id === current ? "page" : null }, p.title)))));
  render(document.getElementById("session"),
    h("button", { type: "button", onclick: () => signOut() }, "Sign out"));
}

// route renders the page the hash names, into a view of its own that
// replaces the last one once drawn, unless the hash changed meanwhile (a
// slow page never covers a newer one).
let routed = 0;
async function route() {
  const seq = ++routed;
  if (!sessionStorage.getItem(KEY)) return showSignIn();
  const [id = "dashboard", ...args] = location.hash.replace(/^#\/?/, "").split("?")[0].split("/").map(decodeURIComponent);
  const page = pages.find(p => p.id === id) || dashboard;
  drawNav(page.id);
  document.title = page.title + " · shopfn console";
  main.setAttribute("aria-busy", "true");
  render(main, h("p", {}, "Loading…"));
  const view = h("div", { class: "view" });
  try {
    await page.render(view, ctx, args.filter(Boolean));
  } catch (err) {
    if (!sessionStorage.getItem(KEY)) return; // a 401 signed out: the sign-in form shows
    const msg = alertBox();
    render(view, h("h1", {}, page.title), msg);
    msg.error(err);
  }
  if (seq !== routed) return;
  render(main, view);
  main.setAttribute("aria-busy", "false");
}

window.addEventListener("hashchange", route);
route();
