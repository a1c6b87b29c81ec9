/** Back-office page requests as a browser makes them: the session cookie, and form posts from our pages. */
import { sessionCookies } from "../../routes/(_http)/auth_cookies.ts";
import type { TestClient } from "./client.ts";

export const HTML = "text/html; charset=utf-8";

/** A browser-style Cookie header for a login's tokens. */
export function cookieFor(tokens: { accessToken: string; refreshToken: string }): string {
  return sessionCookies(false, tokens).map((c) => c.split(";")[0]).join("; ");
}

/** A form POST as a browser sends it from one of our pages. */
export function postForm(c: TestClient, path: string, cookie: string, fields: Record<string, string>) {
  return c.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { cookie, "sec-fetch-site": "same-origin" },
  });
}

/** A page GET with the session cookie. */
export function getPage(c: TestClient, path: string, cookie: string) {
  return c.request(path, { headers: { cookie } });
}
