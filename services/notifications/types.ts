/**
 * What a notification is: its types and its public JSON (API, user stream, bell). Browser-safe twins of
 * these shapes live in islands/live/types.ts.
 */

/** The kinds of notification, in the order the preferences page lists them. */
export const NOTIFICATION_TYPES = [
  "breach",
  "pause",
  "phase_passed",
  "kyc_pending",
  "daily_loss_warning",
  "max_loss_warning",
] as const;

export type NotificationType = typeof NOTIFICATION_TYPES[number];

/** One notification as the API and the user stream send it. */
export interface NotificationJson {
  id: string;
  type: NotificationType;
  accountId: string | null;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

/** A notification frame of the user stream: the notification and the user's unread count after it. */
export interface NotificationMessage extends NotificationJson {
  unread: number;
}

/** What a notification published on the user's bus channel carries: its per-user sequence number and frame. */
export interface PublishedNotification {
  seq: number;
  notification: NotificationMessage;
}

export function isNotificationType(value: unknown): value is NotificationType {
  return (NOTIFICATION_TYPES as readonly unknown[]).includes(value);
}
