// deadletters.js: the messages a queue gave up on, and re-driving one
// (publishing it again once the cause is fixed).
import { h, render, alertBox, when, confirmDialog } from "../lib/ui.js";
import { table } from "./common.js";

const queues = ["orders", "inventory"];

export default {
  id: "deadletters",
  title: "Dead letters",
  async render(main, ctx) {
    const msg = alertBox();
    const lists = await Promise.all(queues.map(q => ctx.api("GET", "/api/admin/deadletters?queue=" + q).then(r => r.data.items)));
    const redrive = async d => {
      if (!(await confirmDialog(`Re-drive message ${d.messageId} (${d.type}) to the ${d.queue} queue?`, "Re-drive"))) return;
      try {
        await ctx.api("POST", `/api/admin/deadletters/${encodeURIComponent(d.queue)}/${encodeURIComponent(d.messageId)}/redrive`);
        await this.render(main, ctx);
        main.querySelector(".message").show(`Re-drove ${d.messageId}.`, "notice");
      } catch (err) {
        msg.error(err);
      }
    };
    render(main, h("h1", {}, "Dead letters"), msg,
      queues.map((q, i) => table(`Queue ${q}: ${lists[i].length} dead letter(s)`, ["Message", "Type", "Deliveries", "Reason", "Dead since", ""],
        lists[i].map(d => [d.messageId, d.type, d.deliveryCount, d.reason, when(d.deadLetteredAt),
          h("button", { type: "button", onclick: () => redrive(d), "aria-label": "Re-drive " + d.messageId }, "Re-drive")]))));
  },
};
