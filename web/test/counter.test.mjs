// The counter page in a real browser: Debian's Chromium, driven by playwright-core, its
// camera a fake device playing a video of a real presentation code (made here by the yinxin
// CLI, fresh, so the server's window accepts it). Checks the page contract (#verdict
// data-valid / data-error, #elements tr[data-id]), a valid code within 5 s, an expired and a
// tampered code shown invalid, the paste box, and accessibility with axe-core (no serious or
// critical violations). Writes a screenshot to test-output/counter-page.png.
//
//     YINXIN_BIN=target/debug/yinxin node web/test/counter.test.mjs
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { y4mOfText } from "./y4m.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const bin = resolve(root, process.env.YINXIN_BIN || "target/debug/yinxin");
const fixture = resolve(root, "..", "shared", "fixtures", "business-license.json");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const VERDICT_TIMEOUT_MS = 5000;

const work = mkdtempSync(join(tmpdir(), "yinxin-counter-"));
const yinxin = (...args) => execFileSync(bin, args, { cwd: work, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function setUp() {
  yinxin("authority", "init", "--dir", "auth", "--alg", "ed25519", "--name", "成都市市场监督管理局", "--code", "11510000MB0123456W");
  yinxin("key", "generate", "--alg", "es256", "--out", "holder.pem");
  yinxin("license", "issue", "--authority", "auth", "--license", fixture, "--holder-key", "holder.pem", "--out", "l.cbor");
  mkdirSync(join(work, "pub"));
}

/** A fresh code disclosing `elements`, made at `at` (default now). */
function present(elements, at) {
  const args = ["present", "--license", "l.cbor", "--holder-key", "holder.pem", "--disclose", elements];
  if (at) args.push("--at", at);
  return yinxin(...args).trim();
}

/** A fake-camera video of `text` as a QR code. */
function video(name, text) {
  const file = join(work, `${name}.y4m`);
  writeFileSync(file, y4mOfText(text));
  return file;
}

async function startServer() {
  const child = spawn(
    bin,
    ["serve", "--dir", "pub", "--addr", "127.0.0.1:0", "--trust", "auth/root.pem", "--issuer-cert", "auth/issuer.pem"],
    { cwd: work, stdio: ["ignore", "pipe", "inherit"] },
  );
  const first = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once("line", ok);
    child.once("exit", (code) => fail(new Error(`yinxin serve exited with ${code}`)));
  });
  return { child, url: `http://${first.trim()}/` };
}

async function browserWithCamera(y4m) {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${y4m}`,
    ],
  });
}

/** Opens the page with the camera playing `y4m` and waits for a verdict. */
async function scan(url, y4m, check) {
  const browser = await browserWithCamera(y4m);
  try {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    const started = Date.now();
    await page.waitForSelector("#verdict[data-valid]", { timeout: VERDICT_TIMEOUT_MS });
    const elapsed = Date.now() - started;
    await check(page, elapsed);
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await browser.close();
  }
}

async function axe(page, when) {
  await page.addScriptTag({ content: readFileSync(join(here, "..", "node_modules", "axe-core", "axe.min.js"), "utf8") });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe-core ${when}`,
  );
  return result.violations.length;
}

async function main() {
  setUp();
  const server = await startServer();
  const results = [];
  try {
    // A valid code through the camera: verdict, fields, issuer, within 5 s.
    await scan(server.url, video("valid", present("holder_name,holder_code,legal_representative,valid_until,license_identifier")), async (page, ms) => {
      assert.equal(await page.getAttribute("#verdict", "data-valid"), "true");
      assert.equal(await page.getAttribute("#verdict", "data-error"), null);
      assert.match(await page.textContent("#elements tr[data-id='holder_name']"), /成都天府示例科技有限公司/);
      assert.match(await page.textContent("#elements tr[data-id='legal_representative']"), /李四/);
      assert.match(await page.textContent("#issuer"), /成都市市场监督管理局/);
      assert.match(await page.textContent("#verdict"), /有效/);
      const minor = await axe(page, "with a valid verdict");
      mkdirSync(join(here, "..", "test-output"), { recursive: true });
      await page.screenshot({ path: join(here, "..", "test-output", "counter-page.png"), fullPage: true });
      results.push(`valid code read and verified in ${ms} ms (axe: ${minor} minor or moderate findings)`);
    });
    // A code made 20 minutes ago: past the window.
    const old = new Date(Date.now() - 20 * 60 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    await scan(server.url, video("expired", present("holder_name,legal_representative", old)), async (page, ms) => {
      assert.equal(await page.getAttribute("#verdict", "data-valid"), "false");
      assert.equal(await page.getAttribute("#verdict", "data-error"), "present.expired");
      assert.equal(await page.locator("#elements tbody tr").count(), 0, "nothing shown of an invalid code");
      assert.match(await page.textContent("#verdict"), /无效/);
      await axe(page, "with an invalid verdict");
      results.push(`expired code shown invalid (present.expired) in ${ms} ms`);
    });
    // One character of a fresh code changed.
    const fresh = present("holder_name,legal_representative");
    const i = Math.floor(fresh.length / 2);
    const tampered = fresh.slice(0, i) + (fresh[i] === "A" ? "B" : "A") + fresh.slice(i + 1);
    await scan(server.url, video("tampered", tampered), async (page, ms) => {
      assert.equal(await page.getAttribute("#verdict", "data-valid"), "false");
      const error = await page.getAttribute("#verdict", "data-error");
      assert.ok(error && error.length > 0, "an error code");
      results.push(`tampered code shown invalid (${error}) in ${ms} ms`);
    });
    // The paste box, without a camera code in view (the camera shows the tampered one, read
    // first; then the clerk pastes a good code).
    const browser = await browserWithCamera(join(work, "tampered.y4m"));
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(server.url);
      await page.waitForSelector("#verdict[data-valid='false']", { timeout: VERDICT_TIMEOUT_MS });
      await page.fill("#paste", present("holder_name"));
      await page.click("#paste-form button[type=submit]");
      await page.waitForSelector("#verdict[data-valid='true']", { timeout: VERDICT_TIMEOUT_MS });
      assert.match(await page.textContent("#elements tr[data-id='holder_name']"), /成都天府示例科技有限公司/);
      results.push("pasted code verified");
    } finally {
      await browser.close();
    }
  } finally {
    // Stopped before the summary, so that the summary is the last line printed.
    const exited = new Promise((resolve) => server.child.once("exit", resolve));
    server.child.kill("SIGTERM");
    await exited;
  }
  for (const line of results) console.log(`ok: ${line}`);
  console.log(`counter page: ${results.length} checks passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
