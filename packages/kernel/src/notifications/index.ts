/**
 * Notifications (issue 6, item 5): `notify` in a module's transaction, the member's inbox and
 * channel preferences, and the email sender run after commits.
 */
export { sendPendingNotificationEmails } from './email.ts'
export { listNotifications, markAllRead, markRead, type NotificationView, unreadCount } from './inbox.ts'
export { NOTIFICATION_TYPE, type NotificationInput, notify } from './notify.ts'
export { type NotificationPreference, preferencesOf, setPreferences } from './preferences.ts'
export { KERNEL_NOTIFICATION_TYPES, notificationTypes } from './types.ts'
