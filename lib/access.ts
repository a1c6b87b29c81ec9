/**
 * Access rules, shared by API operations (`defineApi({ GET: { access } })`) and pages (`export const access`),
 * and the user type a rule guarantees to the handler behind it. Authorization (routes/(_http)/authorize.ts)
 * enforces the rule before the handler runs; these types let the handler rely on it.
 */

/**
 * Who may call an operation or see a page. `public`: anyone; `authenticated`: any signed-in user; a list:
 * signed-in users with one of these roles. Every API operation must declare one: the authorization matrix
 * test fails for an operation without it, and root middleware enforces it before the handler runs.
 */
export type Access = "public" | "authenticated" | readonly string[];

/**
 * The user a handler sees under access rule `A`: non-null unless the rule may let anyone in, and for a role
 * list, with `role` one of the listed roles. A rule typed as the whole `Access` union (which includes
 * "public") keeps the user nullable.
 */
export type UserFor<User, A> = "public" extends A ? User
  : A extends readonly (infer R)[] ? NonNullable<User> & { role: R }
  : NonNullable<User>;

/** The request state a handler sees under access rule `A`: `user` narrowed by `UserFor`. */
export type StateFor<State, A> = "public" extends A ? State
  : State extends { user: infer U } ? State & { user: UserFor<U, A> }
  : State;

/** True when `user` (null: anonymous) passes `access`, as far as sign-in and role go. */
export function admits(access: Access, user: { role: string } | null | undefined): boolean {
  if (access === "public") return true;
  if (!user) return false;
  return access === "authenticated" || access.includes(user.role);
}
