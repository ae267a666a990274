// docs.mjs loads shopfn's API reference page in headless Chromium and
// prints what a reader sees, as JSON, for handler's TestDocsPageInBrowser:
//   node docs.mjs http://127.0.0.1:PORT
// {"title", "operations": ["GET /api/health", ...], "filtered": [...], "error",
//  "console": [errors logged by the page]}
import { chromium } from "playwright-core";

const base = process.argv[2];
if (!base) {
  console.error("usage: node docs.mjs BASE_URL");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const logged = [];
  page.on("console", m => { if (m.type() === "error") logged.push(m.text()); });
  page.on("pageerror", e => logged.push(String(e)));
  const res = await page.goto(base + "/api/docs");
  if (!res || !res.ok()) throw new Error("GET /api/docs: " + (res && res.status()));
  await page.waitForFunction(() =>
    document.querySelector("main").getAttribute("aria-busy") === "false" ||
    document.getElementById("error").textContent !== "", null, { timeout: 15000 });
  const visible = () => page.$$eval("details.op:not([hidden]) > summary", els =>
    els.map(s => s.querySelector(".method").textContent + " " + s.querySelector(".path").textContent));
  const operations = await visible();
  // Open one operation and read its responses table, as a reader would.
  const first = page.locator("details.op > summary").first();
  await first.click();
  const responses = await page.locator("details.op[open] table.responses tr").count();
  await page.fill("#filter", "/api/carts");
  const filtered = await visible();
  console.log(JSON.stringify({
    title: await page.title(),
    operations, filtered, responses,
    error: await page.textContent("#error"),
    console: logged,
  }));
} finally {
  await browser.close();
}
