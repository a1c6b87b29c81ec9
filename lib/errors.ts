/**
 * The one error hierarchy. Services throw these; the HTTP layer turns any of them into the one JSON shape
 * `{"error":{"code","message","fields"}}` for API requests, or into the `_error`/`_404` page for pages.
 * Anything else that escapes a handler is a bug: it is logged and answered as a generic 500.
 */

/** Field path → human message, e.g. `{ "phases.0.profitTarget.percent": "must be between 0 and 100" }`. */
export type FieldErrors = Record<string, string>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldErrors,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The documented JSON body of this error. */
  toJSON(): { error: { code: string; message: string; fields?: FieldErrors } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields ? { fields: this.fields } : {}),
      },
    };
  }
}

export class BadRequest extends HttpError {
  constructor(message = "The request is malformed.", fields?: FieldErrors) {
    super(400, "bad_request", message, fields);
  }
}

export class Unauthorized extends HttpError {
  constructor(message = "Authentication is required.") {
    super(401, "unauthorized", message);
  }
}

export class Forbidden extends HttpError {
  constructor(message = "You are not allowed to do this.") {
    super(403, "forbidden", message);
  }
}

/**
 * 403 for staff who have not enrolled two-factor authentication yet: the back office and staff APIs answer
 * nothing else until they do. Pages render it as a prompt to enrol (`routes/_error.tsx`).
 */
export class TwoFactorEnrollmentRequired extends HttpError {
  static readonly CODE = "two_factor_enrollment_required";
  constructor() {
    super(
      403,
      TwoFactorEnrollmentRequired.CODE,
      "Staff need two-factor authentication: turn it on at /account/security, then try again.",
    );
  }
}

export class NotFound extends HttpError {
  constructor(message = "Not found.") {
    super(404, "not_found", message);
  }
}

export class Conflict extends HttpError {
  constructor(message: string, fields?: FieldErrors) {
    super(409, "conflict", message, fields);
  }
}

/**
 * The input is well-formed but breaks a rule. The one-field form reads naturally at call sites:
 * `throw new Unprocessable("amount", "must be at most 1000.00")`.
 */
export class Unprocessable extends HttpError {
  constructor(fieldOrFields: string | FieldErrors, message?: string) {
    const fields = typeof fieldOrFields === "string"
      ? { [fieldOrFields]: message ?? "is invalid" }
      : fieldOrFields;
    const summary = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join("; ");
    super(422, "unprocessable", `Invalid input: ${summary}`, fields);
  }
}

/** The body passed the route's limit (declared by `Content-Length`, or counted while it streamed). */
export class PayloadTooLarge extends HttpError {
  constructor(readonly limitBytes: number) {
    super(413, "payload_too_large", `The body is larger than this endpoint's limit of ${limitBytes} bytes.`);
  }
}

/** The body did not arrive in time (a slow or stalled client). */
export class RequestTimeout extends HttpError {
  constructor(timeoutMs: number) {
    super(408, "request_timeout", `The body did not arrive within ${timeoutMs / 1000} s.`);
  }
}

export class TooManyRequests extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(429, "rate_limited", `Too many requests; retry in ${retryAfterSeconds} s.`, undefined, {
      "retry-after": String(retryAfterSeconds),
    });
  }
}

export class ServiceUnavailable extends HttpError {
  constructor(message: string, retryAfterSeconds?: number) {
    super(
      503,
      "unavailable",
      message,
      undefined,
      retryAfterSeconds === undefined ? undefined : { "retry-after": String(retryAfterSeconds) },
    );
  }
}
