// app.js: the demo storefront's shell and catalog pages. It is an example
// of shopfn's storefront API for a team to read: plain ES modules, no
// build step, no framework. Pages are chosen by the URL's hash:
//
//   #/                      products, by ?category= and ?q=
//   #/p/{handle}            a product: variant picker, availability, add to cart
//   #/signin                sign-in (account.js)
//   #/checkout              checkout and 3-D Secure (checkout.js)
//   #/orders, #/orders/{id} the buyer's orders
import { h, render, alertBox, money } from "../lib/ui.js";
import { api } from "./session.js";
import * as cart from "./cart.js";
import * as account from "./account.js";
import * as checkout from "./checkout.js";

const main = document.getElementById("main");

document.getElementById("search").addEventListener("submit", e => {
  e.preventDefault();
  location.hash = "#/?q=" + encodeURIComponent(e.target.elements.q.value.trim());
});

// list is #/: categories, then the products of one category or search.
async function list(params) {
  const here = location.hash;
  const category = params.get("category") || "", q = params.get("q") || "";
  const query = new URLSearchParams({ limit: "48" });
  if (category) query.set("category", category);
  if (q) query.set("q", q);
  const [cats, products] = await Promise.all([api("GET", "/api/categories"), api("GET", "/api/products?" + query)]);
  if (location.hash !== here) return; // the buyer went on meanwhile
  render(main,
    h("nav", { "aria-label": "Categories" }, h("ul", { class: "cats" },
      h("li", {}, h("a", { href: "#/", "aria-current": !category && !q ? "page" : null }, "All")),
      cats.data.items.map(c => h("li", {}, h("a", { href: "#/?category=" + c.id, "aria-current": c.id === category ? "page" : null }, c.name))))),
    h("h1", {}, q ? `Results for “${q}”` : category ? cats.data.items.find(c => c.id === category)?.name || category : "All products"),
    products.data.items.length ? h("ul", { class: "products" }, products.data.items.map(p => h("li", {},
      p.images[0] ? h("img", { src: p.images[0], alt: "", width: 400, height: 300, loading: "lazy" }) : null,
      h("h2", {}, h("a", { href: "#/p/" + p.handle }, p.title)),
      h("p", { class: "price" }, "from " + money(p.variants.reduce((lo, v) => (!lo || v.price.amount < lo.amount ? v.price : lo), null))))))
      : h("p", {}, "Nothing found."));
}

// product is #/p/{handle}: pick a variant, see its availability, add it.
async function product(handle) {
  const here = location.hash;
  const { data: p } = await api("GET", "/api/products/" + encodeURIComponent(handle));
  if (location.hash !== here) return;
  const msg = alertBox();
  const stock = h("p", { id: "availability", role: "status" });
  const qty = h("input", { id: "quantity", type: "number", min: 1, max: 99, value: "1" });
  const picked = () => main.querySelector("input[name=variant]:checked").value;
  const checkStock = async () => {
    stock.textContent = "Checking stock…";
    try {
      const { data } = await api("GET", "/api/inventory/" + encodeURIComponent(picked()));
      stock.className = data.available > 0 ? "stock-ok" : "stock-out";
      stock.textContent = data.available > 0 ? `${data.available} in stock` : "Out of stock";
    } catch (err) {
      stock.className = "stock-out";
      stock.textContent = err.status === 404 ? "Out of stock" : err.detail;
    }
  };
  const add = async e => {
    e.preventDefault();
    msg.clear();
    try {
      await cart.add(picked(), Number(qty.value));
      cart.open();
    } catch (err) {
      msg.error(err);
    }
  };
  render(main,
    h("article", { class: "product" },
      h("h1", {}, p.title),
      p.images.map(src => h("img", { src, alt: p.title, width: 600, height: 450 })),
      h("p", {}, p.description),
      msg,
      h("form", { onsubmit: add },
        h("fieldset", { onchange: checkStock }, h("legend", {}, "Choose a variant"),
          p.variants.map((v, i) => h("div", {},
            h("input", { type: "radio", name: "variant", id: "v-" + v.sku, value: v.sku, checked: i === 0 }),
            " ", h("label", { for: "v-" + v.sku }, `${v.title || v.sku}: ${money(v.price)}`)))),
        stock,
        h("div", { class: "field short" }, h("label", { for: "quantity" }, "Quantity"), qty),
        h("button", { type: "submit", class: "primary" }, "Add to cart"))));
  await checkStock();
}

// route renders the page the hash names.
async function route() {
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  main.setAttribute("aria-busy", "true");
  try {
    if (parts[0] === "p" && parts[1]) await product(parts[1]);
    else if (parts[0] === "signin") account.page(main);
    else if (parts[0] === "checkout") checkout.page(main);
    else if (parts[0] === "orders" && parts[1]) await checkout.orderPage(main, parts[1]);
    else if (parts[0] === "orders") await checkout.ordersPage(main);
    else await list(new URLSearchParams(query));
  } catch (err) {
    const msg = alertBox();
    render(main, h("h1", {}, "Something went wrong"), msg, h("p", {}, h("a", { href: "#/" }, "Back to the shop")));
    msg.error(err);
  } finally {
    main.setAttribute("aria-busy", "false");
  }
}

window.addEventListener("hashchange", () => {
  if (!document.getElementById("cart").hidden) cart.close(false);
  route();
});
await Promise.all([account.restore(), cart.load().catch(() => null)]);
route();
