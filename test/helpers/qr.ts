import jsqr from 'jsqr';
import { PNG } from 'pngjs';

/** The text a PNG's QR code holds (jsQR, independent of the `qrcode` library that drew it). */
export function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  // jsqr is CommonJS with an ES default export: under NodeNext the function is `.default`.
  return jsqr.default(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

export function qrPngSize(png: Buffer): number {
  return PNG.sync.read(png).width;
}
