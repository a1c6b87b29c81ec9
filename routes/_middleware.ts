import { define } from "./_define.ts";
import { requestMeta } from "./(_http)/request_meta.ts";
import { apiRateLimit } from "./(_http)/rate_limit.ts";
import { authenticate } from "./(_http)/authenticate.ts";
import { csrf } from "./(_http)/csrf.ts";
import { authorize } from "./(_http)/authorize.ts";
import { notificationCount } from "./(_http)/unread_count.ts";

/**
 * Every routed request, in order: who and where from → API budget → who is signed in → same-origin check for
 * unsafe requests → the route's access rule → the unread count the header's bell shows. (Cached public pages are answered before this chain.)
 */
export default define.middleware([
  requestMeta,
  apiRateLimit,
  authenticate,
  csrf,
  authorize,
  notificationCount,
]);
