/** jsQR (dev only, see ./README.md): decodes a QR code's pixels, so a test can read back what we encode. */
import jsQRModule from "npm:jsqr@1.4.0";

// A CommonJS module whose types declare an ES default export: the function is at `.default` on both sides.
export const jsQR = jsQRModule.default;
