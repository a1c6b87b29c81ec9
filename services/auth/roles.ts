/**
 * Roles and what each may do: the one permission table. Routes declare the roles they admit (lib/api.ts
 * `access`), pages ask `can(user, permission)`.
 */
export const ROLES = ["trader", "support", "risk", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Every role that works for the firm (sees the back office). */
export const STAFF: readonly Role[] = ["support", "risk", "admin"];

export type Permission =
  | "backoffice.view"
  | "users.read"
  | "users.manage"
  | "roles.change"
  | "accounts.read_any"
  | "accounts.reinstate"
  | "plans.manage"
  | "coupons.manage"
  | "orders.read"
  | "orders.refund"
  | "analytics.read"
  | "payouts.review"
  | "kyc.review"
  | "audit.read"
  | "mail.read"
  | "content.manage"
  | "instruments.manage";

/** What support may do: read users, orders, KYC and mail (and decide KYC, as before). */
const SUPPORT: readonly Permission[] = [
  "backoffice.view",
  "users.read",
  "accounts.read_any",
  "orders.read",
  "kyc.review",
  "mail.read",
];

// Risk reads what support reads about traders and acts on accounts and payouts (KYC decisions and mail stay
// with support); admin holds everything (plans, coupons, roles, refunds, content).
const PERMISSIONS: Record<Role, readonly Permission[]> = {
  trader: [],
  support: SUPPORT,
  risk: [
    "backoffice.view",
    "users.read",
    "accounts.read_any",
    "orders.read",
    "accounts.reinstate",
    "payouts.review",
    "audit.read",
  ],
  admin: [
    ...SUPPORT,
    "users.manage",
    "roles.change",
    "accounts.reinstate",
    "plans.manage",
    "coupons.manage",
    "orders.refund",
    "analytics.read",
    "payouts.review",
    "audit.read",
    "content.manage",
    "instruments.manage",
  ],
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(user: { role: Role } | null | undefined, permission: Permission): boolean {
  return !!user && PERMISSIONS[user.role].includes(permission);
}

export function isStaff(user: { role: Role } | null | undefined): boolean {
  return !!user && STAFF.includes(user.role);
}

/** The roles holding `permission`, for route access declarations (`access: rolesWith("mail.read")`). */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((role) => PERMISSIONS[role].includes(permission));
}
