// The counter page: finds the presentation code in camera frames (jsQR in the page; every
// 1.5 s without a find, the frame goes to the server, whose reader copes with harder
// photos), asks POST /v1/verify, and shows the verdict large, in Chinese first, and speaks it.
// Bundled by web/build.sh into crates/yinxin-server/assets/app.js.
import jsQR from "jsqr";
import { elementLabel, errorText } from "./labels.js";

const FRAME_INTERVAL_MS = 120;
const SERVER_READ_INTERVAL_MS = 1500;
const MAX_FRAME_WIDTH = 960;

const $ = (id) => document.getElementById(id);
let scanning = false;
let busy = false;
let lastServerRead = 0;
const canvas = document.createElement("canvas");
const context = canvas.getContext("2d", { willReadFrequently: true });

function setScanState(zh, en) {
  const state = $("scan-state");
  state.textContent = zh + " ";
  const span = document.createElement("span");
  span.lang = "en";
  span.textContent = en;
  state.append(span);
}

function speak(text) {
  if (!$("speak").checked || !("speechSynthesis" in window)) return;
  try {
    window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.85;
    window.speechSynthesis.speak(utterance);
  } catch (_) {
    // No speech on this device: the verdict is on the screen.
  }
}

function paragraph(className, text, lang) {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  if (lang) p.lang = lang;
  return p;
}

function show(verdict) {
  const box = $("verdict");
  box.replaceChildren();
  box.dataset.state = "done";
  const tbody = $("elements").querySelector("tbody");
  tbody.replaceChildren();
  $("issuer").textContent = "";
  if (verdict.valid === true) {
    box.dataset.valid = "true";
    delete box.dataset.error;
    box.append(paragraph("word", "✓ 有效 VALID"));
    const status = {
      valid: "状态正常 status: valid",
      none: "此证照无状态登记 no status list",
      unknown: "状态未能确认 status unknown",
    }[verdict.status] || "";
    box.append(paragraph("reason", status));
    const issuer = verdict.issuer || {};
    if (issuer.name) {
      $("issuer").textContent = `发证机关 Issuer: ${issuer.name}${issuer.code ? ` (${issuer.code})` : ""}`;
    }
    for (const [id, value] of Object.entries(verdict.disclosed || {})) {
      const row = document.createElement("tr");
      row.dataset.id = id;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = elementLabel(id);
      const td = document.createElement("td");
      td.textContent = value === null ? "长期 long-term" : typeof value === "object" ? JSON.stringify(value) : String(value);
      row.append(th, td);
      tbody.append(row);
    }
    const name = verdict.disclosed && verdict.disclosed.holder_name;
    speak(`核验通过。${name || ""}`);
  } else {
    box.dataset.valid = "false";
    box.dataset.error = verdict.error || "unknown";
    const [zh, en] = errorText(verdict.error);
    box.append(paragraph("word", "✗ 无效 INVALID"));
    box.append(paragraph("reason", zh));
    box.append(paragraph("reason", en, "en"));
    box.append(paragraph("code", `${verdict.error || ""}: ${verdict.message || ""}`, "en"));
    speak(`核验未通过。${zh}`);
  }
}

function working() {
  const box = $("verdict");
  box.replaceChildren(paragraph("word", "核验中… Checking…"));
  box.dataset.state = "working";
  delete box.dataset.valid;
  delete box.dataset.error;
}

async function post(body, type) {
  const response = await fetch("/v1/verify", { method: "POST", headers: { "Content-Type": type }, body });
  let json = null;
  try {
    json = await response.json();
  } catch (_) {
    json = { error: "serve.bad_response", message: `HTTP ${response.status}` };
  }
  return { status: response.status, json };
}

function stopScanning() {
  scanning = false;
  $("next").hidden = false;
  setScanState("已读取，请核对结果", "Code read: see the result");
}

async function verifyText(text) {
  if (busy) return;
  busy = true;
  working();
  try {
    const { json } = await post(text.trim(), "text/plain; charset=utf-8");
    if (json.valid === undefined) json.valid = false;
    show(json);
  } catch (e) {
    show({ valid: false, error: "serve.unreachable", message: String(e) });
  } finally {
    busy = false;
  }
}

async function verifyFrame() {
  busy = true;
  try {
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    if (!blob || !scanning) return;
    const { status, json } = await post(blob, "image/jpeg");
    // 400 present.qr_image: no code in this frame; keep looking.
    if (status === 200 && scanning) {
      stopScanning();
      show(json);
    }
  } catch (_) {
    // The server is unreachable: the page keeps reading frames itself.
  } finally {
    busy = false;
  }
}

function scanFrame() {
  if (!scanning) return;
  const video = $("camera");
  if (video.readyState >= 2 && video.videoWidth > 0 && !busy) {
    const scale = Math.min(1, MAX_FRAME_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "attemptBoth" });
    if (code && code.data) {
      stopScanning();
      verifyText(code.data);
    } else if (Date.now() - lastServerRead > SERVER_READ_INTERVAL_MS) {
      lastServerRead = Date.now();
      verifyFrame();
    }
  }
  setTimeout(scanFrame, FRAME_INTERVAL_MS);
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    setScanState("此浏览器不能使用摄像头，请在下方粘贴", "No camera in this browser: paste the code below");
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
    const video = $("camera");
    video.srcObject = stream;
    await video.play();
    startScanning();
  } catch (e) {
    setScanState("无法打开摄像头，请在下方粘贴", "The camera cannot be opened: paste the code below");
  }
}

function startScanning() {
  scanning = true;
  lastServerRead = Date.now();
  $("next").hidden = true;
  setScanState("请将二维码对准摄像头", "Hold the code in front of the camera");
  scanFrame();
}

function init() {
  $("next").addEventListener("click", () => {
    $("verdict").replaceChildren(paragraph("word", "等待扫码 Waiting for a code"));
    $("verdict").dataset.state = "waiting";
    delete $("verdict").dataset.valid;
    delete $("verdict").dataset.error;
    $("elements").querySelector("tbody").replaceChildren();
    $("issuer").textContent = "";
    startScanning();
  });
  $("paste-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("paste").value;
    if (!text.trim()) return;
    if (scanning) stopScanning();
    verifyText(text);
  });
  startCamera();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
