// session.js: what the storefront remembers about the buyer.
//
// - The cart ID in localStorage, so that a guest's cart survives a reload.
// - The customer's access token in sessionStorage, for this tab only: a
//   real storefront keeps it where its identity library puts it.
// - The orders placed from this browser, with their order access tokens
//   (what lets a guest read their own order), in localStorage.
import { call } from "../lib/api.js";

const CART = "shopfn.demo.cartId", TOKEN = "shopfn.demo.token", ORDERS = "shopfn.demo.orders";

export const session = {
  get cartId() { return localStorage.getItem(CART) || ""; },
  set cartId(id) { id ? localStorage.setItem(CART, id) : localStorage.removeItem(CART); },
  get token() { return sessionStorage.getItem(TOKEN) || ""; },
  set token(t) { t ? sessionStorage.setItem(TOKEN, t) : sessionStorage.removeItem(TOKEN); },
  customer: null, // GET /api/me, once signed in
  orders() { return JSON.parse(localStorage.getItem(ORDERS) || "[]"); },
  addOrder(id, token) {
    const list = this.orders().filter(o => o.id !== id);
    list.unshift({ id, token, at: new Date().toISOString() });
    localStorage.setItem(ORDERS, JSON.stringify(list.slice(0, 50)));
  },
  orderToken(id) { return (this.orders().find(o => o.id === id) || {}).token || ""; },
};

// api calls the API as this buyer: with the customer's token when signed
// in (an owned cart answers only to its owner).
export function api(method, path, opts = {}) {
  return call(method, path, { token: session.token || undefined, ...opts });
}
