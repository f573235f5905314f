// A Y4M video (what Chromium's fake camera plays) of a QR code: the code drawn by the npm
// `qrcode` package (error correction M, an encoder independent of yinxin's), black on white,
// centred in a grey frame like a phone screen held to the camera.
import QRCode from "qrcode";

/** `frames` identical 4:2:0 frames of `width` x `height` showing `text` as a QR code. */
export function y4mOfText(text, width = 960, height = 720, frames = 5) {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const quiet = 4;
  const module = Math.floor((Math.min(width, height) * 0.9) / (n + 2 * quiet));
  const side = module * (n + 2 * quiet);
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  const y = Buffer.alloc(width * height, 90);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      const mr = Math.floor(row / module) - quiet;
      const mc = Math.floor(col / module) - quiet;
      const dark = mr >= 0 && mc >= 0 && mr < n && mc < n && qr.modules.get(mr, mc);
      y[(top + row) * width + left + col] = dark ? 16 : 235;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const parts = [header];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from("FRAME\n"), y, chroma);
  return Buffer.concat(parts);
}
